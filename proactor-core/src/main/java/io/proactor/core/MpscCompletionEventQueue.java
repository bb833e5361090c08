package io.proactor.core;

import io.proactor.spi.CompletionEventQueue;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * A {@link CompletionEventQueue} fed by other threads: the engine's completion callbacks (for NIO.2, the
 * JDK's channel-group threads) {@link #post} a completion, and the proactor thread runs it.
 *
 * <p>Waiting parks the proactor thread. Lost wake-ups are avoided with two flags in the Dekker style:
 * a producer stores {@code wakeupPending} then reads {@code parked}; the proactor stores {@code parked} then
 * reads {@code wakeupPending} (and the queue); both are volatile, so at least one side sees the other.
 */
public final class MpscCompletionEventQueue implements CompletionEventQueue {

    private final MessagePassingQueue<Runnable> completions = new MpscUnboundedArrayQueue<>(1024);
    private final MessagePassingQueue.Consumer<Runnable> dispatcher = Handlers::run;
    private volatile Thread owner;
    private volatile boolean parked;
    private volatile boolean wakeupPending;

    /** Adds a finished operation, to be run on the proactor thread; any thread. */
    public void post(Runnable completion) {
        completions.offer(completion);
        wakeup();
    }

    @Override
    public int awaitAndDispatch(long timeoutNanos) {
        int n = completions.drain(dispatcher);
        if (n > 0 || timeoutNanos == 0) {
            wakeupPending = false;
            return n;
        }
        if (owner == null) {
            owner = Thread.currentThread();
        }
        parked = true;
        if (!wakeupPending && completions.isEmpty()) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        parked = false;
        wakeupPending = false;
        return completions.drain(dispatcher);
    }

    @Override
    public void wakeup() {
        wakeupPending = true;
        if (parked) {
            LockSupport.unpark(owner);
        }
    }

    @Override
    public void close() {
        completions.clear();
    }
}
