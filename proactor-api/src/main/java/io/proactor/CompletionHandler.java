package io.proactor;

/**
 * Receives the outcome of an asynchronous operation: the pattern's <b>CompletionHandler</b>.
 *
 * <p>Shaped like {@link java.nio.channels.CompletionHandler} so NIO.2 users feel at home.
 *
 * <p><b>Threading.</b> Exactly one of the two methods is called, exactly once, on the thread of the
 * {@link Proactor} that owns the operation's channel, and never from inside the call that initiated the
 * operation. A handler may initiate further operations; it must not block, because every other channel of
 * its proactor waits while it runs.
 *
 * <p><b>Errors.</b> An exception thrown by a handler is caught by the proactor, reported through SLF4J, and
 * does not affect other channels.
 *
 * @param <V> the result type of the operation
 * @param <A> the type of the object attached to the operation
 */
public interface CompletionHandler<V, A> {

    /** Called when the operation succeeded, with its result (which may be {@code null}, e.g. for connect). */
    void completed(V result, A attachment);

    /**
     * Called when the operation failed: an {@link java.io.IOException} from the operating system,
     * {@link java.nio.channels.AsynchronousCloseException} when the channel was closed while the operation
     * was pending, {@link java.nio.channels.ClosedChannelException} when it was closed before, or
     * {@link java.nio.channels.InterruptedByTimeoutException} when its timeout elapsed.
     */
    void failed(Throwable exc, A attachment);
}
