package io.proactor.iouring;

import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;

/** The standard socket options, on a Netty unix {@link Socket}. */
final class IoUringSocketOptions {

    private IoUringSocketOptions() {
    }

    static <T> void set(Socket socket, SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "'name' is null");
        Objects.requireNonNull(value, "'value' is null");
        if (name == StandardSocketOptions.TCP_NODELAY) {
            socket.setTcpNoDelay((Boolean) value);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            socket.setKeepAlive((Boolean) value);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            socket.setReuseAddress((Boolean) value);
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            socket.setReusePort((Boolean) value);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            socket.setReceiveBufferSize((Integer) value);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            socket.setSendBufferSize((Integer) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            socket.setSoLinger((Integer) value);
        } else if (name == StandardSocketOptions.IP_TOS) {
            socket.setTrafficClass((Integer) value);
        } else {
            throw unsupported(name);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Socket socket, SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "'name' is null");
        Object v;
        if (name == StandardSocketOptions.TCP_NODELAY) {
            v = socket.isTcpNoDelay();
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = socket.isKeepAlive();
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            v = socket.isReuseAddress();
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            v = socket.isReusePort();
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = socket.getReceiveBufferSize();
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = socket.getSendBufferSize();
        } else if (name == StandardSocketOptions.SO_LINGER) {
            v = socket.getSoLinger();
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = socket.getTrafficClass();
        } else {
            throw unsupported(name);
        }
        return (T) v;
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> name) {
        return new UnsupportedOperationException("socket option " + name + " is not supported by the io_uring engine");
    }
}
