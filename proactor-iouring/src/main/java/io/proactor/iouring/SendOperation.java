package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;
import io.proactor.LeasedBuffer;
import io.proactor.core.OperationSlot;
import java.nio.ByteBuffer;

/**
 * {@code write(src)} and gathering {@code write(srcs)}: one {@code SENDMSG} ({@code MSG_NOSIGNAL}) over the
 * msghdr in the socket's scratch memory, with an optional linked timeout. Direct buffers are sent where they
 * are; heap buffers are first copied into one pooled direct buffer (the GC moves heap memory, so the kernel
 * cannot be given it).
 */
final class SendOperation extends SocketOperation {

    private IoUringIoOps sendmsg; // prepared once: it points at the socket's msghdr, rewritten per write
    private OperationSlot slot;   // the socket's write slot, or the slot of a composite writing through this
    private ByteBuffer src;
    private ByteBuffer[] srcs;
    private int offset;
    private int length;
    private LeasedBuffer bounce;

    SendOperation(IoUringAsyncSocket socket) {
        super(socket);
    }

    void start(ByteBuffer src, long timeoutNanos, OperationSlot slot) {
        this.slot = slot;
        this.src = src;
        long address;
        int length;
        if (src.isDirect()) {
            address = NettyRingInternals.addressOf(src) + src.position();
            length = src.remaining();
        } else {
            bounce = processor.bounceBuffers().acquire();
            ByteBuffer b = bounce.buffer();
            length = Math.min(b.capacity(), src.remaining());
            b.put(0, src, src.position(), length);
            address = NettyRingInternals.addressOf(b);
        }
        socket.scratch().msghdr(address, length);
        submitSendmsg(timeoutNanos);
    }

    void start(ByteBuffer[] srcs, int offset, int length, long timeoutNanos, OperationSlot slot) {
        this.slot = slot;
        this.srcs = srcs;
        this.offset = offset;
        this.length = length;
        int n = Math.min(length, SocketScratch.MAX_IOV);
        boolean allDirect = true;
        for (int i = offset; i < offset + n; i++) {
            allDirect &= srcs[i].isDirect();
        }
        if (allDirect) {
            socket.scratch().msghdr(srcs, offset, n);
        } else {
            // gather the bytes into one direct buffer: the kernel cannot be given heap memory
            bounce = processor.bounceBuffers().acquire();
            ByteBuffer b = bounce.buffer().clear();
            for (int i = offset; i < offset + length && b.hasRemaining(); i++) {
                ByteBuffer src = srcs[i];
                int take = Math.min(b.remaining(), src.remaining());
                b.put(b.position(), src, src.position(), take).position(b.position() + take);
            }
            socket.scratch().msghdr(NettyRingInternals.addressOf(b), b.position());
        }
        submitSendmsg(timeoutNanos);
    }

    /**
     * Submits the SENDMSG for the msghdr just written. Without a timeout it is the same SQE every time, so
     * writes allocate nothing; the kernel reads the msghdr at submission, and the next write rewrites it only
     * after this one completed.
     */
    private void submitSendmsg(long timeoutNanos) {
        IoUringIoOps sqe;
        if (timeoutNanos > 0) {
            sqe = IoUringSqes.sendmsg(fd, socket.scratch().msghdrAddress(), IoUringSqes.IO_LINK, tag);
        } else {
            if (sendmsg == null) {
                sendmsg = IoUringSqes.sendmsg(fd, socket.scratch().msghdrAddress(), (byte) 0, tag);
            }
            sqe = sendmsg;
        }
        if (!submit(sqe, slot, timeoutNanos, SocketScratch.WRITE_TIMEOUT) && bounce != null) {
            bounce.release();
            bounce = null;
        }
    }

    @Override
    void onCompletion(int res, int flags) {
        LeasedBuffer bounce = this.bounce;
        this.bounce = null;
        if (bounce != null) {
            bounce.release();
        }
        ByteBuffer single = src;
        ByteBuffer[] srcs = this.srcs;
        src = null;
        this.srcs = null;
        OperationSlot slot = this.slot;
        this.slot = null;
        Throwable linkedRead = socket.takeLinkedReadFailure();
        if (res < 0) {
            if (linkedRead != null && res == -IoUringSqes.ECANCELED) {
                slot.fail(linkedRead); // the read linked before this send failed: the kernel cancelled the send
            } else {
                fail(slot, res, "send");
            }
            return;
        }
        if (single != null) {
            single.position(single.position() + res);
            slot.complete(res);
            return;
        }
        advance(srcs, offset, offset + length, res);
        slot.completeBytes(res);
    }

    /** Moves the positions of {@code srcs[from .. to)} past the {@code sent} bytes a send took from them. */
    static void advance(ByteBuffer[] srcs, int from, int to, long sent) {
        for (int i = from; i < to && sent > 0; i++) {
            ByteBuffer b = srcs[i];
            int take = (int) Math.min(sent, b.remaining());
            b.position(b.position() + take);
            sent -= take;
        }
    }
}
