package io.proactor.iouring;

import io.proactor.LeasedBuffer;
import io.proactor.core.OperationSlot;
import java.nio.ByteBuffer;

/**
 * {@code read(dst)} while no multishot receive is armed: one {@code RECV} into the caller's direct buffer, or
 * into a pooled direct buffer copied into a heap {@code dst} (the GC moves heap memory, so the kernel cannot
 * be given it), with an optional linked timeout.
 */
final class ReadOperation extends SocketOperation {

    private final OperationSlot slot;
    private ByteBuffer dst;
    private LeasedBuffer bounce;

    ReadOperation(IoUringAsyncSocket socket, OperationSlot slot) {
        super(socket);
        this.slot = slot;
    }

    void start(ByteBuffer dst, long timeoutNanos) {
        this.dst = dst;
        long address;
        int length;
        if (dst.isDirect()) {
            address = NettyRingInternals.addressOf(dst) + dst.position();
            length = dst.remaining();
        } else {
            bounce = processor.bounceBuffers().acquire();
            ByteBuffer b = bounce.buffer();
            address = NettyRingInternals.addressOf(b);
            length = Math.min(b.capacity(), dst.remaining());
        }
        if (!submit(IoUringSqes.recv(fd, address, length, linkIf(timeoutNanos), tag), slot, timeoutNanos,
                SocketScratch.READ_TIMEOUT)) {
            releaseBounce();
        }
    }

    @Override
    void onCompletion(int res, int flags) {
        ByteBuffer dst = this.dst;
        this.dst = null;
        LeasedBuffer bounce = this.bounce;
        this.bounce = null;
        if (res > 0) {
            if (bounce != null) {
                dst.put(bounce.buffer().slice(0, res));
            } else {
                dst.position(dst.position() + res);
            }
        }
        if (bounce != null) {
            bounce.release();
        }
        if (res >= 0) {
            slot.complete(res == 0 ? -1 : res);
        } else {
            fail(slot, res, "recv");
        }
    }

    private void releaseBounce() {
        if (bounce != null) {
            bounce.release();
            bounce = null;
        }
    }
}
