package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import io.proactor.core.OperationSlot;
import java.net.InetSocketAddress;

/** {@code CONNECT} to the address written into the socket's scratch memory, with an optional linked timeout. */
final class ConnectOperation extends SocketOperation {

    private final OperationSlot slot;

    ConnectOperation(IoUringAsyncSocket socket, OperationSlot slot) {
        super(socket);
        this.slot = slot;
    }

    void start(InetSocketAddress remote, long timeoutNanos) {
        SocketScratch scratch = socket.scratch();
        int length;
        try {
            length = scratch.sockaddr(remote, Socket.isIPv6Preferred());
        } catch (IllegalArgumentException e) {
            failLater(slot, e);
            return;
        }
        submit(IoUringSqes.connect(fd, scratch.sockaddrAddress(), length, linkIf(timeoutNanos), tag), slot,
                timeoutNanos, SocketScratch.CONNECT_TIMEOUT);
    }

    @Override
    void onCompletion(int res, int flags) {
        if (res == 0) {
            socket.connected();
            slot.complete(null);
        } else {
            fail(slot, res, "connect");
        }
    }
}
