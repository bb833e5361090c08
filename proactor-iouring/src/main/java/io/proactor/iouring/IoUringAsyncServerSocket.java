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
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * {@link AsyncServerSocket} on io_uring with one <b>multishot</b> {@code ACCEPT}: a single SQE yields a CQE
 * per new connection for as long as it stays armed. The API accepts one connection per call, so descriptors
 * the kernel hands over while no accept is pending wait in a queue and are given to the next calls.
 */
final class IoUringAsyncServerSocket extends AbstractAsyncServerSocket implements RingHandle.Listener {

    private static final int ACCEPT = 1;

    private final Socket socket;
    private final RingHandle handle;
    private final ArrayDeque<Integer> acceptedFds = new ArrayDeque<>();
    private boolean armed;
    private OperationSlot pending;
    private ProactorLoop pendingTarget;
    private boolean deliveryScheduled;
    private int acceptSubmissions;
    private volatile boolean bound;

    IoUringAsyncServerSocket(ProactorLoop loop, IoUringOperationProcessor processor, Socket socket) {
        super(loop);
        this.socket = socket;
        this.handle = new RingHandle(processor.ring(), loop, this, this::closeDescriptors);
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
        pending = slot;
        pendingTarget = target;
        if (!acceptedFds.isEmpty()) {
            scheduleDelivery(); // never complete inside the initiating call
        } else if (!armed) {
            acceptSubmissions++;
            armed = handle.submit(IoUringSqes.multishotAccept(socket.intValue(), ACCEPT), ACCEPT, true);
            if (!armed) {
                pending = null;
                failLater(slot, new ShutdownChannelGroupException());
            }
        }
    }

    private void scheduleDelivery() {
        if (!deliveryScheduled) {
            deliveryScheduled = true;
            loop.execute(this::deliver);
        }
    }

    private void deliver() {
        deliveryScheduled = false;
        if (pending == null || acceptedFds.isEmpty()) {
            return;
        }
        OperationSlot slot = pending;
        ProactorLoop target = pendingTarget;
        pending = null;
        pendingTarget = null;
        int fd = acceptedFds.poll();
        IoUringOperationProcessor targetProcessor = (IoUringOperationProcessor) target.processor();
        accepted(target, new IoUringAsyncSocket(target, targetProcessor, new Socket(fd), true), slot);
    }

    /** ACCEPT SQEs submitted so far (a multishot accept needs one); loop only, for tests. */
    int acceptSubmissions() {
        return acceptSubmissions;
    }

    @Override
    public void onCompletion(int tag, int res, int flags) {
        if ((flags & IoUringSqes.CQE_F_MORE) == 0) {
            armed = false; // the multishot ended (cancelled, or an error): re-armed by the next accept
        }
        if (res >= 0) {
            if (!isOpen()) {
                closeQuietly(res);
                return;
            }
            acceptedFds.add(res);
            if (pending != null) {
                deliver();
            }
            return;
        }
        if (pending != null) {
            OperationSlot slot = pending;
            pending = null;
            pendingTarget = null;
            slot.fail(res == -IoUringSqes.ECANCELED ? new AsynchronousCloseException()
                    : IoUringErrors.socket("accept", res));
        }
    }

    @Override
    protected void implClose() {
        handle.cancelAndClose();
        if (!armed && pending != null) {
            OperationSlot slot = pending;
            pending = null;
            failLater(slot, new AsynchronousCloseException());
        }
    }

    private void closeDescriptors() {
        Integer fd;
        while ((fd = acceptedFds.poll()) != null) {
            closeQuietly(fd);
        }
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            new Socket(fd).close();
        } catch (IOException ignored) {
            // a connection nobody accepted; nothing to report to
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
