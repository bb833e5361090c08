package io.proactor;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.concurrent.CompletableFuture;

/**
 * A listening TCP socket whose accepts complete asynchronously: an {@link Initiator}.
 *
 * <p>At most one accept may be pending; a second throws {@link java.nio.channels.AcceptPendingException}.
 * Binding is synchronous. {@link java.net.StandardSocketOptions#SO_REUSEPORT} set before binding lets several
 * server sockets (one per proactor) share a port.
 *
 * <p><b>Threading.</b> Any thread may call any method; handlers run on {@link #proactor()}'s thread, never
 * inside the initiating call.
 */
public interface AsyncServerSocket extends Initiator {

    /**
     * Binds to {@code local} (port 0 picks a free port) and listens, synchronously, on the calling thread.
     *
     * @param backlog how many connections the kernel may complete and queue before they are accepted; 0 (the
     *                default) means the kernel's own limit, {@code net.core.somaxconn}, read once from
     *                {@code /proc/sys/net/core/somaxconn} (4096 on Linux since 5.4), or 4096 where that cannot be
     *                read ({@code ListenBacklog}) — not the JDK's 50, whose full queue drops a
     *                burst's SYNs, each retried by its client only a second later. Any other value is used as it
     *                is; the kernel clamps one above its limit (logged once at debug level).
     * @throws IllegalArgumentException if {@code backlog} is negative
     */
    AsyncServerSocket bind(SocketAddress local, int backlog) throws IOException;

    <T> AsyncServerSocket setOption(SocketOption<T> name, T value) throws IOException;

    <T> T getOption(SocketOption<T> name) throws IOException;

    /** The bound address, or {@code null} if not bound. */
    SocketAddress localAddress() throws IOException;

    /**
     * Accepts one connection. The accepted socket belongs to {@code target} (its handlers run there), which
     * must be a proactor of the same group: this is how an acceptor hands connections to sub-proactors.
     */
    <A> void accept(Proactor target, A attachment, CompletionHandler<AsyncSocket, ? super A> handler);

    /** Accepts one connection owned by this server socket's own proactor. */
    default <A> void accept(A attachment, CompletionHandler<AsyncSocket, ? super A> handler) {
        accept(proactor(), attachment, handler);
    }

    default CompletableFuture<AsyncSocket> accept() {
        return accept(proactor());
    }

    default CompletableFuture<AsyncSocket> accept(Proactor target) {
        FutureHandler<AsyncSocket> f = new FutureHandler<>();
        accept(target, null, f);
        return f;
    }
}
