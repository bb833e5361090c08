package io.proactor.tests;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.ProactorGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Peers written with the raw asynchronous channel API, for the socket suite. */
public final class SocketPeers {

    private SocketPeers() {
    }

    /** Writes all of {@code data}, as many writes as it takes. */
    public static CompletableFuture<Void> writeFully(AsyncSocket socket, ByteBuffer data) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        socket.write(data, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                if (data.hasRemaining()) {
                    socket.write(data, null, this);
                } else {
                    done.complete(null);
                }
            }

            @Override
            public void failed(Throwable exc, Object a) {
                done.completeExceptionally(exc);
            }
        });
        return done;
    }

    /** Reads until {@code size} bytes arrived (fails on an early end of stream). */
    public static CompletableFuture<ByteBuffer> readFully(AsyncSocket socket, int size) {
        ByteBuffer into = ByteBuffer.allocate(size);
        CompletableFuture<ByteBuffer> done = new CompletableFuture<>();
        if (size == 0) {
            done.complete(into);
            return done;
        }
        socket.read(into, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                if (n < 0) {
                    done.completeExceptionally(new IOException("end of stream after " + into.position()
                            + " of " + size + " bytes"));
                } else if (into.hasRemaining()) {
                    socket.read(into, null, this);
                } else {
                    done.complete(into.flip());
                }
            }

            @Override
            public void failed(Throwable exc, Object a) {
                done.completeExceptionally(exc);
            }
        });
        return done;
    }

    /**
     * An echo server on the raw API: accepts onto the group's proactors in turn; each connection receives
     * into lent buffers and writes each one back before releasing it; at end of stream it shuts its output.
     */
    public static final class EchoServer implements AutoCloseable {
        private final ProactorGroup group;
        private final AsyncServerSocket listener;
        private final Set<AsyncSocket> accepted = ConcurrentHashMap.newKeySet();

        public EchoServer(ProactorGroup group) throws IOException {
            this.group = group;
            this.listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 256);
            acceptNext();
        }

        public InetSocketAddress address() throws IOException {
            return (InetSocketAddress) listener.localAddress();
        }

        private void acceptNext() {
            listener.accept(group.next(), null, new CompletionHandler<AsyncSocket, Object>() {
                @Override
                public void completed(AsyncSocket socket, Object a) {
                    accepted.add(socket);
                    echo(socket);
                    acceptNext();
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    // closed
                }
            });
        }

        private void echo(AsyncSocket socket) {
            socket.receive(null, new CompletionHandler<LeasedBuffer, Object>() {
                @Override
                public void completed(LeasedBuffer lease, Object a) {
                    if (lease == null) {
                        socket.shutdownOutput();
                        return;
                    }
                    writeFully(socket, lease.buffer()).whenComplete((v, t) -> {
                        lease.release();
                        if (t == null) {
                            echo(socket);
                        } else {
                            socket.close();
                        }
                    });
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    socket.close();
                }
            });
        }

        @Override
        public void close() {
            listener.close();
            accepted.forEach(AsyncSocket::close);
        }
    }
}
