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
 * that submits the channel's SQEs and hands every CQE back to the channel. It keeps what is needed to close
 * safely:
 * <ul>
 *   <li>the {@code user_data} of each cancellable operation in flight, by tag, so that {@link #close()} can
 *       send an {@code ASYNC_CANCEL} for each;</li>
 *   <li>the number of SQEs whose last CQE has not arrived; the descriptor is closed (and buffers the kernel
 *       might still write may be reused) only when it reaches zero.</li>
 * </ul>
 *
 * <p><b>Threading.</b> Loop only. Netty calls {@link #handle} on the loop; it must never throw (Netty would
 * log it and stall the loop 100 ms), so listener failures are reported here.
 */
final class RingHandle implements IoUringIoHandle {

    /** Receives the channel's completions, on the loop. */
    interface Listener {
        void onCompletion(int tag, int res, int flags);
    }

    /** Tag of the ASYNC_CANCEL entries this class sends; channels use tags below it. */
    static final int CANCEL_TAG = 0x7ff0;

    private static final Logger LOG = LoggerFactory.getLogger(RingHandle.class);

    private final IoUringCompletionEventQueue ring;
    private final ProactorLoop loop;
    private final Listener listener;
    private final Runnable closeDescriptors;
    private IoRegistration registration;
    private long[] inFlight = new long[16];
    private int outstanding;
    private boolean closing;
    private boolean descriptorsClosed;

    RingHandle(IoUringCompletionEventQueue ring, ProactorLoop loop, Listener listener, Runnable closeDescriptors) {
        this.ring = ring;
        this.loop = loop;
        this.listener = listener;
        this.closeDescriptors = closeDescriptors;
    }

    /**
     * Queues {@code sqe} (sent with the loop's next {@code io_uring_enter}). A cancellable operation is
     * remembered under {@code tag} until its last CQE, so that closing can cancel it.
     *
     * @return {@code false} if the ring refused it (the proactor is shutting down); no CQE will come
     */
    boolean submit(IoUringIoOps sqe, int tag, boolean cancellable) {
        if (registration == null) {
            try {
                registration = ring.register(this);
            } catch (Exception e) {
                LOG.debug("ring refused a registration", e);
                return false;
            }
        }
        long userData = registration.submit(sqe);
        if (userData == 0) {
            return false;
        }
        if (cancellable) {
            if (tag >= inFlight.length) {
                inFlight = Arrays.copyOf(inFlight, Math.max(tag + 1, inFlight.length * 2));
            }
            inFlight[tag] = userData;
        }
        outstanding++;
        loop.operationStarted();
        return true;
    }

    /** Asks the kernel to cancel the operation in flight under {@code tag}, if any; its last CQE follows. */
    boolean cancel(int tag) {
        long userData = tag < inFlight.length ? inFlight[tag] : 0;
        return userData != 0 && submit(IoUringSqes.cancel(userData, CANCEL_TAG), CANCEL_TAG, false);
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        int tag = (int) e.userData();
        int res = e.res();
        int flags = e.flags();
        ring.completionDispatched();
        if ((flags & IoUringSqes.CQE_F_MORE) == 0) {
            outstanding--;
            loop.operationFinished();
            if (tag < inFlight.length) {
                inFlight[tag] = 0;
            }
        }
        if (tag != CANCEL_TAG) {
            try {
                listener.onCompletion(tag, res, flags);
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
        for (long userData : inFlight) {
            if (userData != 0) {
                submit(IoUringSqes.cancel(userData, CANCEL_TAG), CANCEL_TAG, false);
            }
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
