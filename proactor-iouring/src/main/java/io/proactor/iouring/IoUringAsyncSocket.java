package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.AsyncSocket;
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
import java.nio.channels.ShutdownChannelGroupException;
import java.util.function.Consumer;

/**
 * {@link AsyncSocket} on io_uring: a coordinator that hands each operation to the {@link SocketOperation}
 * of its kind, which prepares the SQEs, interprets the CQEs and completes the handler:
 * <ul>
 *   <li>{@link ConnectOperation}: {@code CONNECT};</li>
 *   <li>{@link ReceiveOperation}: the multishot {@code RECV} into provided buffers behind {@code receive()},
 *       and behind {@code read()} while it is armed;</li>
 *   <li>{@link ReadOperation}: {@code read()} otherwise, one {@code RECV} into the caller's buffer;</li>
 *   <li>{@link SendOperation}: {@code write()}, {@code SENDMSG} ({@code MSG_NOSIGNAL});</li>
 *   <li>{@link TransferOperation}: {@code transferFrom} a file of the same engine, {@code SPLICE} file → pipe
 *       → socket, with headers ahead of it;</li>
 *   <li>{@link ShutdownOperation}: {@code SHUTDOWN}.</li>
 * </ul>
 * The receive and send operations are made with the socket; the others on first use, as most sockets never
 * need them. Operations with a timeout link a {@code LINK_TIMEOUT} to their SQE, except the multishot receive,
 * which uses a proactor timer.
 *
 * <p>A timed-out operation ends with {@code -ECANCELED} while the socket is still open (only a close or its
 * linked timeout cancels it): it is failed with {@link java.nio.channels.InterruptedByTimeoutException} and
 * the socket is closed, as the API promises.
 */
final class IoUringAsyncSocket extends AbstractAsyncSocket {

    private final IoUringOperationProcessor processor;
    private final Socket socket;
    private final int fd;
    private final RingHandle handle;
    private final ReceiveOperation receive;
    private final SendOperation send;
    private ReadOperation read;
    private ConnectOperation connect;
    private TransferOperation transfer;
    private ShutdownOperation shutdown;
    private SocketScratch scratch;
    private final Consumer<Throwable> linkedReadFailed = t -> linkedReadFailure = t;
    private Throwable linkedReadFailure;

    IoUringAsyncSocket(ProactorLoop loop, IoUringOperationProcessor processor, Socket socket, boolean connected) {
        super(loop, connected);
        this.processor = processor;
        this.socket = socket;
        this.fd = socket.intValue();
        this.handle = new RingHandle(processor.ring(), loop, this::closeDescriptors);
        this.receive = new ReceiveOperation(this, readSlot);
        this.send = new SendOperation(this);
    }

    // ---- what the operations share ----

    int fd() {
        return fd;
    }

    RingHandle handle() {
        return handle;
    }

    ProactorLoop loop() {
        return loop;
    }

    IoUringOperationProcessor processor() {
        return processor;
    }

    /** Native memory the SQEs point into; made on first need. */
    SocketScratch scratch() {
        if (scratch == null) {
            scratch = new SocketScratch();
        }
        return scratch;
    }

    /** A connect succeeded: called by {@link ConnectOperation} before it completes. */
    void connected() {
        markConnected();
    }

    // ---- the operations ----

    @Override
    protected void implConnect(InetSocketAddress remote, long timeoutNanos, OperationSlot slot) {
        if (connect == null) {
            connect = new ConnectOperation(this, connectSlot);
        }
        connect.start(remote, timeoutNanos);
    }

    @Override
    protected void implRead(ByteBuffer dst, long timeoutNanos, OperationSlot slot) {
        if (!dst.hasRemaining()) {
            loop.execute(() -> slot.complete(0));
            return;
        }
        if (receive.active()) {
            // bytes may already be on their way through the multishot: take them from there, in order
            armTimer(slot, timeoutNanos);
            receive.read(dst);
            return;
        }
        if (read == null) {
            read = new ReadOperation(this, readSlot);
        }
        read.start(dst, timeoutNanos);
    }

    @Override
    protected void implReceive(long timeoutNanos, OperationSlot slot) {
        armTimer(slot, timeoutNanos); // a multishot cannot carry a linked timeout
        receive.receive();
    }

    @Override
    protected void implWrite(ByteBuffer src, long timeoutNanos, OperationSlot slot) {
        send.start(src, timeoutNanos, slot);
    }

    @Override
    protected void implWrite(ByteBuffer[] srcs, int offset, int length, long timeoutNanos, OperationSlot slot) {
        send.start(srcs, offset, length, timeoutNanos, slot);
    }

    /**
     * A file read linked to the write behind it ({@code IOSQE_IO_LINK}): both go in one submission, and when the
     * page is cached the read completes inline and the send follows at once, so a small file costs one
     * {@code io_uring_enter} instead of two. Only a file of this engine read through the page cache, and
     * direct buffers the msghdr can hold.
     */
    @Override
    protected boolean canReadFileThenWrite(AsyncFile file, ByteBuffer body, ByteBuffer[] srcs, int offset,
                                           int length) {
        if (!(file instanceof IoUringAsyncFile ringFile) || ringFile.direct() || !body.isDirect()
                || !body.hasRemaining() || length > SocketScratch.MAX_IOV) {
            return false;
        }
        for (int i = offset; i < offset + length; i++) {
            if (!srcs[i].isDirect()) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void implReadFileThenWrite(AsyncFile file, long position, ByteBuffer body, ByteBuffer[] srcs,
                                         int offset, int length, OperationSlot slot) {
        linkedReadFailure = null;
        if (!((IoUringAsyncFile) file).readLinked(body, position, linkedReadFailed)) {
            loop.execute(() -> slot.fail(new ShutdownChannelGroupException()));
            return;
        }
        send.start(srcs, offset, length, 0, slot);
    }

    /**
     * Why the read linked before the send in flight failed or fell short, taken once: the kernel then cancels
     * the send ({@code -ECANCELED}), which must fail with this, not as a timeout would.
     */
    Throwable takeLinkedReadFailure() {
        Throwable t = linkedReadFailure;
        linkedReadFailure = null;
        return t;
    }

    @Override
    protected void implTransferFrom(AsyncFile file, long position, long count, OperationSlot slot) {
        if (!(file instanceof IoUringAsyncFile ringFile)) {
            new CopyingTransfer(loop, processor.bounceBuffers(), file, position, count, slot,
                    (buf, s) -> implWrite(buf, 0, s)).start();
            return;
        }
        transfer().start(ringFile, position, count, slot);
    }

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
        transfer().start(headers, offset, length, ringFile, position, count, slot);
    }

    private TransferOperation transfer() {
        if (transfer == null) {
            transfer = new TransferOperation(this);
        }
        return transfer;
    }

    @Override
    protected void implShutdownOutput(OperationSlot slot) {
        if (shutdown == null) {
            shutdown = new ShutdownOperation(this, shutdownSlot);
        }
        shutdown.start();
    }

    @Override
    protected void implClose() {
        receive.close();
        handle.cancelAndClose();
    }

    private void closeDescriptors() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (transfer != null) {
                transfer.closePipe();
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
