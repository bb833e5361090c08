package io.proactor.core;

import io.proactor.Initiator;
import io.proactor.Proactor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every engine's channels share (the JDK's {@code sun.nio.ch} style: one base per concept, small
 * engine hooks): ownership by a {@link ProactorLoop}, an idempotent non-blocking close that runs the engine's
 * {@link #implClose()} on the loop, and the start of an operation (closed check, timeout).
 */
public abstract class AbstractInitiator implements Initiator {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractInitiator.class);
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(AbstractInitiator.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected final ProactorLoop loop;
    /** 1 once closed: an int behind a VarHandle rather than an AtomicBoolean, an object per channel. */
    private volatile int closed;

    protected AbstractInitiator(ProactorLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    @Override
    public final Proactor proactor() {
        return loop;
    }

    @Override
    public final boolean isOpen() {
        return closed == 0;
    }

    @Override
    public final void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            loop.runOnLoop(this::closeOnLoop);
        } catch (RejectedExecutionException terminated) {
            closeOnLoop(); // the loop has ended: nothing can run there any more, and nothing is in flight
        }
    }

    private void closeOnLoop() {
        loop.deregister(this);
        try {
            implClose();
        } catch (Throwable t) {
            LOG.warn("closing {} failed", this, t);
        }
    }

    /**
     * Releases the channel; runs once, on the loop. The engine must fail each pending operation with
     * {@link AsynchronousCloseException} (later, through the completion event queue).
     */
    protected abstract void implClose() throws Exception;

    /** Fails {@code slot}'s operation in a later loop iteration: never inside the initiating call. */
    protected final void failLater(OperationSlot slot, Throwable exc) {
        loop.execute(() -> {
            slot.submitted(); // counted as every operation that will complete, so in-flight returns to 0
            slot.fail(exc);
        });
    }

    /**
     * The common start of an operation on the loop: if the channel was closed meanwhile, the operation fails
     * (later) with {@link AsynchronousCloseException}.
     *
     * @return {@code true} when the engine should now start the operation
     */
    protected final boolean begin(OperationSlot slot) {
        if (!isOpen()) {
            failLater(slot, new AsynchronousCloseException());
            return false;
        }
        slot.submitted();
        return true;
    }

    /**
     * A timeout for engines without one of their own: a proactor timer that marks the operation timed out and
     * closes the channel, so the engine fails it with {@link AsynchronousCloseException}, which the slot reports
     * as {@link java.nio.channels.InterruptedByTimeoutException}. Loop only; no-op for {@code timeoutNanos <= 0}.
     */
    protected final void armTimer(OperationSlot slot, long timeoutNanos) {
        if (timeoutNanos > 0) {
            slot.setTimeout(loop.schedule(() -> {
                slot.markTimedOut();
                close();
            }, timeoutNanos, TimeUnit.NANOSECONDS));
        }
    }

    /** Validates a timeout argument pair and converts it to nanoseconds. */
    protected static long timeoutNanos(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "'unit' is null");
        if (timeout < 0) {
            throw new IllegalArgumentException("'timeout' is negative: " + timeout);
        }
        return unit.toNanos(timeout);
    }
}
