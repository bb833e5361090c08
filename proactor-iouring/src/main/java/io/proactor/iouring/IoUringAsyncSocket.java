package io.proactor.iouring;

import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoOps;
import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.LeasedBuffer;
import io.proactor.core.AbstractAsyncSocket;
import io.proactor.core.CopyingTransfer;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.ArrayDeque;

/**
 * {@link AsyncSocket} on io_uring. Every operation is one SQE (plus a linked {@code LINK_TIMEOUT} when it
 * has a timeout): {@code CONNECT}, {@code RECV} into the caller's direct buffer or, for {@code receive}, into
 * a provided buffer, {@code SEND} / {@code SENDMSG} (gathering, {@code MSG_NOSIGNAL}), {@code SHUTDOWN}, and
 * {@code SPLICE} file → pipe → socket for {@code transferFrom}. Heap buffers cannot be handed to the kernel
 * (the GC moves them), so they go through a pooled direct buffer: one copy.
 *
 * <p>A timed-out operation ends with {@code -ECANCELED} while the socket is still open (only a close or its
 * linked timeout cancels it): it is failed with {@link java.nio.channels.InterruptedByTimeoutException} and
 * the socket is closed, as the API promises.
 */
final class IoUringAsyncSocket extends AbstractAsyncSocket implements RingHandle.Listener {

    private static final int CONNECT = 1;
    private static final int READ = 2;
    private static final int RECV = 3;
    private static final int WRITE = 4;
    private static final int SHUTDOWN = 5;
    private static final int SPLICE_IN = 6;
    private static final int SPLICE_OUT = 7;
    private static final int TIMEOUT = 8;
    private static final int WRITABLE = 9;
    private static final int HEADERS = 10;
    private static final int PIPE_CHUNK = 64 * 1024;

    private final IoUringOperationProcessor processor;
    private final Socket socket;
    private final int fd;
    private final RingHandle handle;
    private final IoUringIoOps recvMultishot;
    private SocketScratch scratch;
    private IoUringIoOps sendmsg; // prepared once: it points at the socket's msghdr, rewritten per write
    private IoUringIoOps sendmsgMore; // the same with MSG_MORE, for headers sent ahead of a file
    private FileDescriptor[] pipe;

    private ByteBuffer readDst;
    private LeasedBuffer readBounce;

    // The multishot receive: armed on the first receive, it delivers every chunk that arrives into a provided
    // buffer. Chunks nobody asked for yet wait in 'received'; past MAX_RECEIVED the multishot is cancelled so
    // that a paused reader stops taking buffers from the group, and re-armed by the next receive.
    private static final int MAX_RECEIVED = 4;
    private final ArrayDeque<LeasedBuffer> received = new ArrayDeque<>(MAX_RECEIVED);
    private boolean multishotArmed;
    private boolean multishotCancelling;
    private int receivedEnd;                 // 0: none; END_OF_STREAM; or a negative errno
    private static final int END_OF_STREAM = 1;
    private boolean receivePending;          // a receive() waits for the next chunk
    private ByteBuffer readPendingDst;       // a read() waits for the next chunk (while the multishot is armed)
    private boolean awaitingBuffer;
    private final Runnable retryReceive = this::retryReceive;
    private final Runnable deliverReceived = this::deliverReceived;

    private OperationSlot writeTarget; // the slot of the write in flight: writeSlot, or a composite's own
    private ByteBuffer writeSrc;
    private ByteBuffer[] writeSrcs;
    private int writeOffset;
    private int writeLength;
    private LeasedBuffer writeBounce;

    private int spliceFd;
    private long splicePosition;
    private long spliceRemaining;
    private long spliceSent;
    private int inPipe;
    private ByteBuffer[] headerSrcs; // headers still to send ahead of the splice: [headerFirst, headerEnd)
    private int headerFirst;
    private int headerEnd;

    IoUringAsyncSocket(ProactorLoop loop, IoUringOperationProcessor processor, Socket socket, boolean connected) {
        super(loop, connected);
        this.processor = processor;
        this.socket = socket;
        this.fd = socket.intValue();
        this.handle = new RingHandle(processor.ring(), loop, this, this::closeDescriptors);
        this.recvMultishot = IoUringSqes.recvMultishotProvided(fd, ReceiveBuffers.GROUP, RECV);
    }

    private SocketScratch scratch() {
        if (scratch == null) {
            scratch = new SocketScratch();
        }
        return scratch;
    }

    /**
     * The SENDMSG for the msghdr just written into the scratch memory. Without a timeout it is the same SQE
     * every time, so writes allocate nothing; the kernel reads the msghdr at submission, and the next write
     * rewrites it only after this one completed.
     */
    private IoUringIoOps sendmsg(long timeoutNanos) {
        if (timeoutNanos > 0) {
            return IoUringSqes.sendmsg(fd, scratch.msghdrAddress(), IoUringSqes.IO_LINK, WRITE);
        }
        if (sendmsg == null) {
            sendmsg = IoUringSqes.sendmsg(fd, scratch.msghdrAddress(), (byte) 0, WRITE);
        }
        return sendmsg;
    }

    /** Queues {@code sqe} for {@code slot}'s operation, linked to a timeout when one is given. */
    private void submit(IoUringIoOps sqe, int tag, OperationSlot slot, long timeoutNanos, int timespecOffset) {
        boolean ok = handle.submit(sqe, tag, true);
        if (ok && timeoutNanos > 0) {
            ok = handle.submit(IoUringSqes.linkTimeout(scratch().timespec(timespecOffset, timeoutNanos), TIMEOUT),
                    TIMEOUT, false);
        }
        if (!ok) {
            releaseBounces();
            failLater(slot, new ShutdownChannelGroupException());
        }
    }

    private static byte linkIf(long timeoutNanos) {
        return timeoutNanos > 0 ? IoUringSqes.IO_LINK : 0;
    }

    @Override
    protected void implConnect(InetSocketAddress remote, long timeoutNanos, OperationSlot slot) {
        SocketScratch s = scratch();
        int length;
        try {
            length = s.sockaddr(remote, Socket.isIPv6Preferred());
        } catch (IllegalArgumentException e) {
            failLater(slot, e);
            return;
        }
        submit(IoUringSqes.connect(fd, s.sockaddrAddress(), length, linkIf(timeoutNanos), CONNECT), CONNECT, slot,
                timeoutNanos, SocketScratch.CONNECT_TIMEOUT);
    }

    @Override
    protected void implRead(ByteBuffer dst, long timeoutNanos, OperationSlot slot) {
        if (!dst.hasRemaining()) {
            loop.execute(() -> slot.complete(0));
            return;
        }
        if (multishotArmed || !received.isEmpty() || receivedEnd != 0) {
            // bytes may already be on their way through the multishot: take them from there, in order
            armTimer(slot, timeoutNanos);
            readPendingDst = dst;
            loop.execute(deliverReceived);
            return;
        }
        readDst = dst;
        long address;
        int length;
        if (dst.isDirect()) {
            address = Buffer.memoryAddress(dst) + dst.position();
            length = dst.remaining();
        } else {
            readBounce = processor.bounceBuffers().acquire();
            ByteBuffer b = readBounce.buffer();
            address = Buffer.memoryAddress(b);
            length = Math.min(b.capacity(), dst.remaining());
        }
        submit(IoUringSqes.recv(fd, address, length, linkIf(timeoutNanos), READ), READ, slot, timeoutNanos,
                SocketScratch.READ_TIMEOUT);
    }

    @Override
    protected void implReceive(long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos); // a multishot cannot carry a linked timeout
        receivePending = true;
        if (!received.isEmpty() || receivedEnd != 0) {
            loop.execute(deliverReceived); // never inside the initiating call
        } else {
            armMultishot();
        }
    }

    private void armMultishot() {
        if (multishotArmed || multishotCancelling || awaitingBuffer || !isOpen()) {
            return; // armed already, or re-armed when the cancel's last CQE or a buffer comes back
        }
        if (!processor.buffers().ready() || !handle.submit(recvMultishot, RECV, true)) {
            receivedEnd = -IoUringSqes.ECANCELED;
            loop.execute(deliverReceived);
            return;
        }
        multishotArmed = true;
    }

    private void retryReceive() {
        if (awaitingBuffer) {
            awaitingBuffer = false;
            if (receivePending || readPendingDst != null) {
                armMultishot();
            }
        }
    }

    /** Hands what the multishot brought to a waiting receive() or read(); loop only, never inline. */
    private void deliverReceived() {
        if (receivePending) {
            if (!received.isEmpty()) {
                receivePending = false;
                readSlot.complete(received.poll());
            } else if (receivedEnd != 0) {
                receivePending = false;
                if (receivedEnd == END_OF_STREAM) {
                    readSlot.complete(null); // end of stream is a null lease
                } else {
                    readSlot.fail(IoUringErrors.socket("recv", receivedEnd));
                }
            }
        } else if (readPendingDst != null) {
            ByteBuffer dst = readPendingDst;
            int n = 0;
            LeasedBuffer lease;
            while (dst.hasRemaining() && (lease = received.peek()) != null) {
                ByteBuffer b = lease.buffer();
                int take = Math.min(b.remaining(), dst.remaining());
                dst.put(b.slice(b.position(), take));
                b.position(b.position() + take);
                n += take;
                if (!b.hasRemaining()) {
                    received.poll().release();
                }
            }
            if (n > 0) {
                readPendingDst = null;
                readSlot.complete(n);
            } else if (receivedEnd != 0) {
                readPendingDst = null;
                if (receivedEnd == END_OF_STREAM) {
                    readSlot.complete(-1);
                } else {
                    readSlot.fail(IoUringErrors.socket("recv", receivedEnd));
                }
            }
        }
        if ((receivePending || readPendingDst != null) && received.isEmpty() && receivedEnd == 0) {
            armMultishot();
        }
    }

    @Override
    protected void implWrite(ByteBuffer src, long timeoutNanos, OperationSlot slot) {
        writeTarget = slot;
        writeSrc = src;
        long address;
        int length;
        if (src.isDirect()) {
            address = Buffer.memoryAddress(src) + src.position();
            length = src.remaining();
        } else {
            writeBounce = processor.bounceBuffers().acquire();
            ByteBuffer b = writeBounce.buffer();
            length = Math.min(b.capacity(), src.remaining());
            b.put(0, src, src.position(), length);
            address = Buffer.memoryAddress(b);
        }
        scratch().msghdr(address, length);
        submit(sendmsg(timeoutNanos), WRITE, slot, timeoutNanos, SocketScratch.WRITE_TIMEOUT);
    }

    @Override
    protected void implWrite(ByteBuffer[] srcs, int offset, int length, long timeoutNanos, OperationSlot slot) {
        writeTarget = slot;
        writeSrcs = srcs;
        writeOffset = offset;
        writeLength = length;
        int n = Math.min(length, SocketScratch.MAX_IOV);
        boolean allDirect = true;
        for (int i = offset; i < offset + n; i++) {
            allDirect &= srcs[i].isDirect();
        }
        if (allDirect) {
            scratch().msghdr(srcs, offset, n);
        } else {
            // gather the bytes into one direct buffer: the kernel cannot be given heap memory
            writeBounce = processor.bounceBuffers().acquire();
            ByteBuffer b = writeBounce.buffer().clear();
            for (int i = offset; i < offset + length && b.hasRemaining(); i++) {
                ByteBuffer src = srcs[i];
                int take = Math.min(b.remaining(), src.remaining());
                b.put(b.position(), src, src.position(), take).position(b.position() + take);
            }
            scratch().msghdr(Buffer.memoryAddress(b), b.position());
        }
        submit(sendmsg(timeoutNanos), WRITE, slot, timeoutNanos, SocketScratch.WRITE_TIMEOUT);
    }

    @Override
    protected void implTransferFrom(AsyncFile file, long position, long count, OperationSlot slot) {
        if (!(file instanceof IoUringAsyncFile ringFile)) {
            new CopyingTransfer(loop, processor.bounceBuffers(), file, position, count, slot,
                    (buf, s) -> implWrite(buf, 0, s)).start();
            return;
        }
        if (prepareSplice(ringFile, position, count, slot)) {
            spliceIn();
        }
    }

    /**
     * Headers with {@code MSG_MORE}, then the file's splice, whose last send pushes them out together: a short
     * response leaves in one segment, not two.
     */
    @Override
    protected void implTransferFrom(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position,
                                    long count, OperationSlot slot) {
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            allDirect &= headers[i].isDirect();
        }
        if (!(file instanceof IoUringAsyncFile ringFile) || count == 0 || !allDirect) {
            // nothing would push held-back headers out, or they need a bounce copy: headers, then the file
            super.implTransferFrom(headers, offset, length, file, position, count, slot);
            return;
        }
        if (prepareSplice(ringFile, position, count, slot)) {
            headerSrcs = headers;
            headerFirst = offset;
            headerEnd = offset + length;
            sendHeaders();
        }
    }

    private boolean prepareSplice(IoUringAsyncFile file, long position, long count, OperationSlot slot) {
        if (pipe == null) {
            try {
                pipe = FileDescriptor.pipe();
            } catch (IOException e) {
                failLater(slot, e);
                return false;
            }
        }
        spliceFd = file.fd();
        splicePosition = position;
        spliceRemaining = count;
        spliceSent = 0;
        return true;
    }

    private void sendHeaders() {
        while (headerFirst < headerEnd && !headerSrcs[headerFirst].hasRemaining()) {
            headerFirst++;
        }
        if (headerFirst == headerEnd) {
            headerSrcs = null;
            spliceIn();
            return;
        }
        scratch().msghdr(headerSrcs, headerFirst, Math.min(headerEnd - headerFirst, SocketScratch.MAX_IOV));
        if (sendmsgMore == null) {
            sendmsgMore = IoUringSqes.sendmsgMore(fd, scratch.msghdrAddress(), HEADERS);
        }
        submit(sendmsgMore, HEADERS, writeSlot, 0, 0);
    }

    private void spliceIn() {
        if (spliceRemaining == 0) {
            writeSlot.complete(spliceSent);
            return;
        }
        int length = (int) Math.min(spliceRemaining, PIPE_CHUNK);
        submit(IoUringSqes.splice(spliceFd, splicePosition, pipe[1].intValue(), IoUringSqes.NO_OFFSET, length,
                SPLICE_IN), SPLICE_IN, writeSlot, 0, 0);
    }

    private void spliceOut() {
        submit(IoUringSqes.splice(pipe[0].intValue(), IoUringSqes.NO_OFFSET, fd, IoUringSqes.NO_OFFSET, inPipe,
                SPLICE_OUT), SPLICE_OUT, writeSlot, 0, 0);
    }

    @Override
    protected void implShutdownOutput(OperationSlot slot) {
        submit(IoUringSqes.shutdownOutput(fd, SHUTDOWN), SHUTDOWN, slot, 0, 0);
    }

    @Override
    public void onCompletion(int tag, int res, int flags) {
        switch (tag) {
            case CONNECT -> {
                if (res == 0) {
                    markConnected();
                    completeOrFail(connectSlot, null, res, "connect");
                } else {
                    fail(connectSlot, res, "connect");
                }
            }
            case READ -> readCompleted(res);
            case RECV -> receiveCompleted(res, flags);
            case WRITE -> writeCompleted(res);
            case SHUTDOWN -> completeOrFail(shutdownSlot, null, res, "shutdown");
            case HEADERS -> {
                if (res > 0) {
                    advance(headerSrcs, headerFirst, headerEnd, res);
                    sendHeaders();
                } else {
                    headerSrcs = null; // 0 for bytes offered: the stream cannot take more
                    fail(writeSlot, res == 0 ? -IoUringSqes.EPIPE : res, "send");
                }
            }
            case SPLICE_IN -> {
                if (res > 0) {
                    splicePosition += res;
                    spliceRemaining -= res;
                    inPipe = res;
                    spliceOut();
                } else if (res == 0) {
                    writeSlot.complete(spliceSent); // the file ended first
                } else {
                    fail(writeSlot, res, "splice");
                }
            }
            case SPLICE_OUT -> {
                if (res > 0) {
                    spliceSent += res;
                    inPipe -= res;
                    if (inPipe > 0) {
                        spliceOut();
                    } else {
                        spliceIn();
                    }
                } else if (res == -IoUringSqes.EAGAIN) {
                    // SPLICE does not wait on a non-blocking socket (unlike SEND): wait for room, then retry
                    submit(IoUringSqes.pollWritable(fd, WRITABLE), WRITABLE, writeSlot, 0, 0);
                } else {
                    fail(writeSlot, res == 0 ? -IoUringSqes.EPIPE : res, "splice");
                }
            }
            case WRITABLE -> {
                if (res >= 0) {
                    spliceOut();
                } else {
                    fail(writeSlot, res, "poll");
                }
            }
            default -> {
                // TIMEOUT: the linked operation reports the outcome
            }
        }
    }

    private void readCompleted(int res) {
        ByteBuffer dst = readDst;
        readDst = null;
        LeasedBuffer bounce = readBounce;
        readBounce = null;
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
            readSlot.complete(res == 0 ? -1 : res);
        } else {
            fail(readSlot, res, "recv");
        }
    }

    private void receiveCompleted(int res, int flags) {
        boolean more = (flags & IoUringSqes.CQE_F_MORE) != 0;
        if (!more) {
            multishotArmed = false;
        }
        boolean hasBuffer = (flags & IoUringSqes.CQE_F_BUFFER) != 0;
        if (res > 0 && hasBuffer) {
            LeasedBuffer lease = processor.buffers().lend(res, flags);
            if (isOpen()) {
                received.add(lease);
            } else {
                lease.release(); // data of a multishot still in flight when the socket closed: nobody will ask
            }
        } else {
            if (hasBuffer) {
                processor.buffers().giveBack(flags);
            }
            if (res == 0) {
                receivedEnd = END_OF_STREAM;
            } else if (res == -IoUringSqes.ENOBUFS) {
                // the group was dry: nothing was read; re-arm once the pool has grown or a buffer came back
                if (isOpen() && (receivePending || readPendingDst != null) && received.isEmpty()) {
                    awaitingBuffer = true;
                    processor.buffers().exhausted(retryReceive);
                }
            } else if (res == -IoUringSqes.ECANCELED && isOpen()) {
                // our own cancel (too much received and not asked for): nothing is wrong
            } else if (res < 0) {
                receivedEnd = isOpen() ? res : -IoUringSqes.ECANCELED;
            }
        }
        if (!more) {
            multishotCancelling = false;
        }
        deliverReceived();
        if (multishotArmed && !multishotCancelling && received.size() >= MAX_RECEIVED) {
            multishotCancelling = handle.cancel(RECV);
        }
    }

    private void writeCompleted(int res) {
        LeasedBuffer bounce = writeBounce;
        writeBounce = null;
        if (bounce != null) {
            bounce.release();
        }
        ByteBuffer single = writeSrc;
        ByteBuffer[] srcs = writeSrcs;
        writeSrc = null;
        writeSrcs = null;
        OperationSlot slot = writeTarget;
        writeTarget = null;
        if (res < 0) {
            fail(slot, res, "send");
            return;
        }
        if (single != null) {
            single.position(single.position() + res);
            slot.complete(res);
            return;
        }
        advance(srcs, writeOffset, writeOffset + writeLength, res);
        slot.complete((long) res);
    }

    /** Moves the positions of {@code srcs[from .. to)} past the {@code sent} bytes a send took from them. */
    private static void advance(ByteBuffer[] srcs, int from, int to, long sent) {
        for (int i = from; i < to && sent > 0; i++) {
            ByteBuffer b = srcs[i];
            int take = (int) Math.min(sent, b.remaining());
            b.position(b.position() + take);
            sent -= take;
        }
    }

    private void completeOrFail(OperationSlot slot, Object value, int res, String operation) {
        if (res >= 0) {
            slot.complete(value);
        } else {
            fail(slot, res, operation);
        }
    }

    /** An -ECANCELED while still open can only come from the linked timeout. */
    private void fail(OperationSlot slot, int res, String operation) {
        if (res == -IoUringSqes.ECANCELED && isOpen()) {
            slot.markTimedOut();
            close();
            slot.fail(new AsynchronousCloseException());
            return;
        }
        slot.fail(IoUringErrors.socket(operation, res));
    }

    private void releaseBounces() {
        if (readBounce != null) {
            readBounce.release();
            readBounce = null;
        }
        if (writeBounce != null) {
            writeBounce.release();
            writeBounce = null;
        }
    }

    @Override
    protected void implClose() {
        LeasedBuffer lease;
        while ((lease = received.poll()) != null) {
            lease.release(); // received, never handed out
        }
        awaitingBuffer = false;
        if ((receivePending || readPendingDst != null) && !multishotArmed) {
            // this receive is not in the kernel: nothing will cancel it but us
            receivedEnd = -IoUringSqes.ECANCELED;
            loop.execute(deliverReceived);
        }
        handle.cancelAndClose();
    }

    private void closeDescriptors() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (pipe != null) {
                for (FileDescriptor p : pipe) {
                    try {
                        p.close();
                    } catch (IOException ignored) {
                        // the socket's close error, if any, is the one worth reporting
                    }
                }
            }
        }
    }

    @Override
    public <T> AsyncSocket setOption(SocketOption<T> name, T value) throws IOException {
        IoUringSocketOptions.set(socket, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return IoUringSocketOptions.get(socket, name);
    }

    @Override
    public SocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public String toString() {
        return "IoUringAsyncSocket[fd=" + fd + "]";
    }
}
