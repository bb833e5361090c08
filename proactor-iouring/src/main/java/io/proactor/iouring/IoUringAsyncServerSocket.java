package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import io.proactor.AsyncServerSocket;
import io.proactor.core.AbstractAsyncServerSocket;
import io.proactor.core.ListenBacklog;
import io.proactor.core.OperationSlot;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Objects;

/**
 * {@link AsyncServerSocket} on io_uring: binding, options and close; accepting is its
 * {@link AcceptOperation}, one multishot {@code ACCEPT}.
 */
final class IoUringAsyncServerSocket extends AbstractAsyncServerSocket {

    private final Socket socket;
    private final RingHandle handle;
    private final AcceptOperation accept;
    private volatile boolean bound;

    IoUringAsyncServerSocket(ProactorLoop loop, IoUringOperationProcessor processor, Socket socket) {
        super(loop);
        this.socket = socket;
        this.handle = new RingHandle(processor.ring(), loop, this::closeDescriptors);
        this.accept = new AcceptOperation(this, handle, socket.intValue(), loop);
    }

    @Override
    public AsyncServerSocket bind(SocketAddress local, int backlog) throws IOException {
        Objects.requireNonNull(local, "'local' is null");
        int queue = ListenBacklog.forListen(backlog);
        socket.bind(local);
        socket.listen(queue);
        bound = true;
        return this;
    }

    @Override
    protected void implAccept(ProactorLoop target, OperationSlot slot) {
        if (!bound) {
            failLater(slot, new java.nio.channels.NotYetBoundException());
            return;
        }
        accept.start(target, slot);
    }

    /** Completes {@code slot} with the connection {@code fd}, served by {@code target}; by {@link AcceptOperation}. */
    void completeAccept(ProactorLoop target, int fd, OperationSlot slot) {
        IoUringOperationProcessor targetProcessor = (IoUringOperationProcessor) target.processor();
        accepted(target, new IoUringAsyncSocket(target, targetProcessor, new Socket(fd), true), slot);
    }

    /** ACCEPT SQEs submitted so far (a multishot accept needs one); loop only, for tests. */
    int acceptSubmissions() {
        return accept.submissions();
    }

    @Override
    protected void implClose() {
        handle.cancelAndClose();
        accept.close();
    }

    private void closeDescriptors() {
        accept.closeAccepted();
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public <T> AsyncServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        IoUringSocketOptions.set(socket, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return IoUringSocketOptions.get(socket, name);
    }

    @Override
    public SocketAddress localAddress() {
        return bound ? socket.localAddress() : null;
    }

    @Override
    public String toString() {
        return "IoUringAsyncServerSocket[fd=" + socket.intValue() + "]";
    }
}
