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

    /** 1 while an operation holds the slot: an int behind a VarHandle rather than an AtomicBoolean, an object
     *  per slot, and a socket has several slots. */
    private volatile int pending;
    private CompletionHandler<Object, Object> handler;
    private Object attachment;
    private Cancellable timeout;
    private boolean timedOut;

    /** Claims the slot; {@code false} if an operation of this kind is already pending. */
    public boolean tryAcquire() {
        return PENDING.compareAndSet(this, 0, 1);
    }

    /** Records the handler of the operation that just claimed the slot. */
    @SuppressWarnings("unchecked")
    public void prepare(CompletionHandler<?, ?> h, Object att) {
        this.handler = (CompletionHandler<Object, Object>) h;
        this.attachment = att;
        this.timedOut = false;
    }

    /** Arms the operation's timeout; loop only. */
    public void setTimeout(Cancellable timer) {
        this.timeout = timer;
    }

    /** Marks the operation as failed by its timeout: an {@link AsynchronousCloseException} becomes
     *  {@link InterruptedByTimeoutException}; loop only. */
    public void markTimedOut() {
        this.timedOut = true;
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

    /** Fails the pending operation; loop only. */
    public void fail(Throwable exc) {
        CompletionHandler<Object, Object> h = handler;
        Object a = attachment;
        boolean byTimeout = timedOut;
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
        pending = 0;
        return true;
    }
}
