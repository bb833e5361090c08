package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * One kind of operation of one channel on the ring, shaped like Boost.Asio's per-operation classes: a subclass
 * prepares its SQEs, interprets their CQEs in {@link #onCompletion} and completes the user's handler, and owns
 * the state in between. It frees that state before calling the handler, so the handler may start the next
 * operation of the same kind on the same object.
 *
 * <p>An operation is attached to its channel's {@link RingHandle} once, when it is made, and keeps the tag it
 * was given: the tag is the user data of every SQE it submits, and the handle hands each CQE to the operation
 * whose tag it carries (one array load and one virtual call). A channel keeps one object per kind and reuses
 * it for every operation of that kind, so the steady state allocates nothing.
 *
 * <p><b>Threading.</b> Loop only.
 */
abstract class RingOperation {

    final RingHandle handle;
    /** This operation's user data in its SQEs, unique on {@link #handle}. */
    final int tag;
    /** The real {@code user_data} of this operation's cancellable SQE in flight, 0 if none; kept by the handle. */
    long inFlight;

    RingOperation(RingHandle handle) {
        this.handle = handle;
        this.tag = handle.attach(this);
    }

    /**
     * Interprets one CQE of this operation: {@code res} (bytes, a descriptor, or {@code -errno}) and the CQE
     * {@code flags}. Throwing is a bug: the handle reports it and goes on.
     */
    abstract void onCompletion(int res, int flags);

    /**
     * Queues {@code sqe}, which must carry {@link #tag}; while it is in flight, closing the channel cancels it.
     *
     * @return {@code false} if the ring refused it (the proactor is shutting down); no CQE will come
     */
    final boolean submit(IoUringIoOps sqe) {
        return handle.submit(sqe, this, true);
    }

    /** Asks the kernel to cancel this operation's SQE in flight, if any; its last CQE follows. */
    final boolean cancel() {
        return handle.cancel(this);
    }
}
