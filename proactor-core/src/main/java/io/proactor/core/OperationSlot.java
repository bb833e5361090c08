package io.proactor.core;

import io.proactor.Cancellable;
import io.proactor.CompletionHandler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.InterruptedByTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pending operation of a kind (read, write, connect, accept, shutdown) on a channel: who to call
 * back, with what attachment, and its timeout. Reused for every operation of that kind, so initiating an
 * operation allocates nothing here.
 *
 * <p><b>Threading.</b> {@link #tryAcquire()} and {@link #prepare} run on the initiating thread (any thread);
 * the hand-off of the operation to the proactor publishes the fields. Everything else runs on the proactor's
 * thread. {@link #complete} and {@link #fail} release the slot <i>before</i> calling the handler, so the
 * handler may start the next operation of the same kind, and drop their references to the handler and the
 * attachment.
 */
public final class OperationSlot {

    private static final Logger LOG = LoggerFactory.getLogger(OperationSlot.class);
    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(OperationSlot.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int FREE = 0;
    private static final int HELD = 1;
    private static final int HELD_TIMED_OUT = 3;

    /** {@link #HELD} while an operation holds the slot, {@link #HELD_TIMED_OUT} once its timeout fired: an int
     *  behind a VarHandle rather than an AtomicBoolean and a boolean, since a socket has several slots and the
     *  slot stays at 32 bytes with its counter. */
    private volatile int pending;
    private CompletionHandler<Object, Object> handler;
    private Object attachment;
    private Cancellable timeout;
    /** The proactor's count of this slot's kind, or {@code null} for an engine's inner operation. */
    private final OperationCounter counter;

    /** A slot whose operations are counted by {@code counter} (the owning proactor's, of the slot's kind). */
    public OperationSlot(OperationCounter counter) {
        this.counter = counter;
    }

    /** A slot for an engine's inner steps of an operation already counted in another slot: not counted. */
    public OperationSlot() {
        this(null);
    }

    /** Claims the slot; {@code false} if an operation of this kind is already pending. */
    public boolean tryAcquire() {
        return PENDING.compareAndSet(this, FREE, HELD);
    }

    /** The operation reached the proactor (it will complete or fail exactly once); loop only. */
    public void submitted() {
        if (counter != null) {
            counter.submitted();
        }
    }

    /** Records the handler of the operation that just claimed the slot. */
    @SuppressWarnings("unchecked")
    public void prepare(CompletionHandler<?, ?> h, Object att) {
        this.handler = (CompletionHandler<Object, Object>) h;
        this.attachment = att;
    }

    /** Arms the operation's timeout; loop only. */
    public void setTimeout(Cancellable timer) {
        this.timeout = timer;
    }

    /** Marks the operation as failed by its timeout: an {@link AsynchronousCloseException} becomes
     *  {@link InterruptedByTimeoutException}; loop only. */
    public void markTimedOut() {
        pending = HELD_TIMED_OUT;
    }

    /** Completes the pending operation with {@code result}; loop only. */
    public void complete(Object result) {
        CompletionHandler<Object, Object> h = handler;
        Object a = attachment;
        if (!release()) {
            return;
        }
        Handlers.complete(h, result, a);
    }

    /**
     * Completes the pending write with the bytes it wrote: unboxed for a {@link ByteCountHandler}, as a
     * {@code Long} for any other handler; loop only.
     */
    public void completeBytes(long bytes) {
        CompletionHandler<Object, Object> h = handler;
        Object a = attachment;
        if (!release()) {
            return;
        }
        if ((Object) h instanceof ByteCountHandler counted) { // a CompletionHandler<Long, Void>
            try {
                counted.completed(bytes);
            } catch (Throwable t) {
                Handlers.report(t, "completion handler");
            }
        } else {
            Handlers.complete(h, bytes, a);
        }
    }

    /** Fails the pending operation; loop only. */
    public void fail(Throwable exc) {
        CompletionHandler<Object, Object> h = handler;
        Object a = attachment;
        boolean byTimeout = pending == HELD_TIMED_OUT;
        if (!release()) {
            return;
        }
        if (byTimeout && exc instanceof AsynchronousCloseException) {
            exc = new InterruptedByTimeoutException();
        }
        Handlers.fail(h, exc, a);
    }

    private boolean release() {
        if (handler == null) {
            // An engine delivered a second completion for one operation: a bug worth seeing, not a crash.
            LOG.error("operation completed twice; the second completion is dropped", new IllegalStateException());
            return false;
        }
        handler = null;
        attachment = null;
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
        pending = FREE;
        if (counter != null) {
            counter.completed();
        }
        return true;
    }
}
