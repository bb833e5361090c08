package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ShutdownChannelGroupException;

/**
 * What the operations of one {@link IoUringAsyncSocket} share: the socket's descriptor, loop and proactor,
 * submitting with a linked timeout, and the socket's way of failing an operation.
 */
abstract class SocketOperation extends RingOperation {

    final IoUringAsyncSocket socket;
    final int fd;
    final ProactorLoop loop;
    final IoUringOperationProcessor processor;

    SocketOperation(IoUringAsyncSocket socket) {
        super(socket.handle());
        this.socket = socket;
        this.fd = socket.fd();
        this.loop = socket.loop();
        this.processor = socket.processor();
    }

    static byte linkIf(long timeoutNanos) {
        return timeoutNanos > 0 ? IoUringSqes.IO_LINK : 0;
    }

    /**
     * Queues {@code sqe} for {@code slot}'s operation, followed by a linked timeout when one is given (then
     * {@code sqe} must carry {@code IO_LINK}, see {@link #linkIf}) whose {@code __kernel_timespec} is written
     * at {@code timespecOffset} of the socket's scratch memory.
     *
     * @return {@code false} if the ring refused: {@code slot} fails later, and the caller releases what it
     *         prepared for the kernel
     */
    final boolean submit(IoUringIoOps sqe, OperationSlot slot, long timeoutNanos, int timespecOffset) {
        boolean ok = submit(sqe);
        if (ok && timeoutNanos > 0) {
            ok = handle.submitLinkTimeout(socket.scratch().timespec(timespecOffset, timeoutNanos));
        }
        if (!ok) {
            failLater(slot, new ShutdownChannelGroupException());
        }
        return ok;
    }

    /** Fails {@code slot}'s operation in a later loop iteration: never inside the initiating call. */
    final void failLater(OperationSlot slot, Throwable exc) {
        loop.execute(() -> slot.fail(exc));
    }

    /**
     * Fails {@code slot} for a CQE with {@code res = -errno}. An {@code -ECANCELED} while the socket is still
     * open can only come from the linked timeout (a close cancels only after closing): the operation timed out,
     * and the API then closes the socket.
     */
    final void fail(OperationSlot slot, int res, String operation) {
        if (res == -IoUringSqes.ECANCELED && socket.isOpen()) {
            slot.markTimedOut();
            socket.close();
            slot.fail(new AsynchronousCloseException());
            return;
        }
        slot.fail(IoUringErrors.socket(operation, res));
    }
}
