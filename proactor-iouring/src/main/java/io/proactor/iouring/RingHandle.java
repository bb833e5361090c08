package io.proactor.iouring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's presence on its proactor's ring: a Netty {@link IoUringIoHandle}, registered on first use,
 * that submits the SQEs of the channel's {@link RingOperation}s and hands every CQE to the operation it
 * belongs to. It is the one place where user data is encoded and decoded:
 * <ul>
 *   <li>each operation gets a small tag when it is attached (1, 2, ...; below {@link #CANCEL_TAG}), which it
 *       puts in its SQEs as their user data; Netty packs it with the registration and gives it back with the
 *       CQE, and {@link #handle} looks the operation up by it;</li>
 *   <li>the handle's own SQEs carry reserved tags that no operation has: {@link #CANCEL_TAG} for its
 *       {@code ASYNC_CANCEL}s and {@link #LINK_TIMEOUT_TAG} for the timeouts linked to an operation (the
 *       linked operation reports the outcome); their CQEs are only counted.</li>
 * </ul>
 * It keeps what is needed to close safely:
 * <ul>
 *   <li>the real {@code user_data} of each cancellable SQE in flight, on its operation, so that
 *       {@link #cancelAndClose()} can send an {@code ASYNC_CANCEL} for each;</li>
 *   <li>the number of SQEs whose last CQE has not arrived; the descriptor is closed (and buffers the kernel
 *       might still write may be reused) only when it reaches zero.</li>
 * </ul>
 *
 * <p><b>Threading.</b> Loop only. Netty calls {@link #handle} on the loop; it must never throw (Netty would
 * log it and stall the loop 100 ms), so operation failures are reported here.
 */
final class RingHandle implements IoUringIoHandle {

    /** Tag of the ASYNC_CANCEL entries this class sends; operations have tags below it. */
    static final int CANCEL_TAG = 0x7ff0;
    /** Tag of the LINK_TIMEOUT entries linked to an operation's SQE. */
    static final int LINK_TIMEOUT_TAG = 0x7ff1;

    private static final Logger LOG = LoggerFactory.getLogger(RingHandle.class);

    private final IoUringCompletionEventQueue ring;
    private final ProactorLoop loop;
    private final Runnable closeDescriptors;
    private IoRegistration registration;
    /** The operation attached under each tag; index 0 is never used. */
    private RingOperation[] operations = new RingOperation[8];
    private int nextTag = 1;
    private int outstanding;
    private boolean closing;
    private boolean descriptorsClosed;

    RingHandle(IoUringCompletionEventQueue ring, ProactorLoop loop, Runnable closeDescriptors) {
        this.ring = ring;
        this.loop = loop;
        this.closeDescriptors = closeDescriptors;
    }

    /** Gives {@code op} its tag; called once by each operation as it is made. */
    int attach(RingOperation op) {
        int tag = nextTag;
        if (tag >= CANCEL_TAG) {
            throw new IllegalStateException("too many operations on one channel");
        }
        if (tag == operations.length) {
            operations = Arrays.copyOf(operations, tag * 2);
        }
        operations[tag] = op;
        nextTag++;
        return tag;
    }

    /** Operations attached so far; loop only, for tests. */
    int attached() {
        return nextTag - 1;
    }

    /** SQEs whose last CQE has not arrived yet; loop only. */
    int outstanding() {
        return outstanding;
    }

    /**
     * Queues {@code sqe} of {@code op} (sent with the loop's next {@code io_uring_enter}). A cancellable SQE is
     * remembered on {@code op} until its last CQE, so that closing can cancel it.
     *
     * @return {@code false} if the ring refused it (the proactor is shutting down); no CQE will come
     */
    boolean submit(IoUringIoOps sqe, RingOperation op, boolean cancellable) {
        long userData = enqueue(sqe);
        if (userData == 0) {
            return false;
        }
        if (cancellable) {
            op.inFlight = userData;
        }
        return true;
    }

    /**
     * Queues a {@code LINK_TIMEOUT} for the SQE queued just before, which must carry {@code IO_LINK}: when it
     * fires, that SQE ends with {@code -ECANCELED}.
     */
    boolean submitLinkTimeout(long timespecAddress) {
        return enqueue(IoUringSqes.linkTimeout(timespecAddress, LINK_TIMEOUT_TAG)) != 0;
    }

    /** Asks the kernel to cancel {@code op}'s SQE in flight, if any; its last CQE follows. */
    boolean cancel(RingOperation op) {
        return op.inFlight != 0 && enqueue(IoUringSqes.cancel(op.inFlight, CANCEL_TAG)) != 0;
    }

    /** Submits {@code sqe}; returns its real {@code user_data}, or 0 if the ring refused it. */
    private long enqueue(IoUringIoOps sqe) {
        if (registration == null) {
            try {
                registration = ring.register(this);
            } catch (Exception e) {
                LOG.debug("ring refused a registration", e);
                return 0;
            }
        }
        long userData = registration.submit(sqe);
        if (userData != 0) {
            outstanding++;
            loop.operationStarted();
        }
        return userData;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        int tag = (int) e.userData();
        int res = e.res();
        int flags = e.flags();
        ring.completionDispatched();
        RingOperation op = tag < operations.length ? operations[tag] : null; // null: a cancel or a linked timeout
        if ((flags & IoUringSqes.CQE_F_MORE) == 0) {
            outstanding--;
            loop.operationFinished();
            if (op != null) {
                op.inFlight = 0;
            }
        }
        if (op != null) {
            try {
                op.onCompletion(res, flags);
            } catch (Throwable t) {
                Handlers.report(t, "io_uring completion");
            }
        }
        if (closing && outstanding == 0) {
            closeDescriptorsOnce();
        }
    }

    /**
     * Cancels every cancellable operation in flight; the descriptors are closed once the last CQE arrived
     * (at once if none is outstanding). Idempotent.
     */
    void cancelAndClose() {
        if (closing) {
            return;
        }
        closing = true;
        for (int tag = 1; tag < nextTag; tag++) {
            cancel(operations[tag]);
        }
        if (outstanding == 0) {
            closeDescriptorsOnce();
        }
    }

    private void closeDescriptorsOnce() {
        if (descriptorsClosed) {
            return;
        }
        descriptorsClosed = true;
        try {
            closeDescriptors.run();
        } catch (Throwable t) {
            LOG.warn("closing a descriptor failed", t);
        }
        if (registration != null) {
            registration.cancel();
        }
    }

    /** Netty closes handles still registered when the ring is destroyed; by then nothing is in flight. */
    @Override
    public void close() throws Exception {
        closing = true;
        closeDescriptorsOnce();
    }
}
