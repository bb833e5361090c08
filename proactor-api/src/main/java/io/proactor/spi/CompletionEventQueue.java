package io.proactor.spi;

/**
 * Where finished operations wait until the proactor dispatches them: the pattern's <b>Completion Event
 * Queue</b>. For io_uring it is the kernel's completion ring; for NIO.2 a queue the JDK's channel-group
 * threads feed.
 *
 * <p>A queue whose proactor is <em>driven</em> by another event loop (NIO.2's: the JDK channel group's thread
 * waits and calls the proactor back) never blocks in {@link #awaitAndDispatch}: it dispatches what is ready and
 * makes sure the proactor is called back within the timeout.
 *
 * <p><b>Threading.</b> {@link #awaitAndDispatch} and {@link #close} are called only by the owning proactor's
 * thread; {@link #wakeup} by any thread.
 */
public interface CompletionEventQueue {

    /**
     * Dispatches every completion event that is ready; if there is none, first waits up to
     * {@code timeoutNanos} for one ({@code 0}: do not wait; negative: wait until an event or a wake-up).
     * Dispatching an event runs its completion handler on the calling (proactor) thread.
     *
     * @return the number of events dispatched
     */
    int awaitAndDispatch(long timeoutNanos);

    /** Makes a thread waiting in {@link #awaitAndDispatch} return soon, or the next wait return at once. */
    void wakeup();

    /** Frees the queue; no events follow. */
    void close();
}
