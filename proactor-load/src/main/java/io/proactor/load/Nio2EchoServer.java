package io.proactor.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;

/**
 * A reference for the {@code nio2} engine: the smallest echo server one would write on the JDK's asynchronous
 * channels, with no library code. An {@link AsynchronousChannelGroup} with one thread runs everything: the
 * accept loop and, per connection, a read, write, read chain of completion handlers (a partial write writes
 * the rest before the next read). The JDK runs the handlers on the group's thread, directly when an operation
 * started there completes at once.
 */
final class Nio2EchoServer implements AutoCloseable {

    private static final int READ_BUFFER_SIZE = 16 * 1024; // the library's default receive buffer size

    private final AsynchronousChannelGroup group;
    private final AsynchronousServerSocketChannel listener;

    private Nio2EchoServer(InetSocketAddress address, int backlog) throws IOException {
        group = AsynchronousChannelGroup.withFixedThreadPool(1, task -> new Thread(task, "jdk-nio2-echo"));
        listener = AsynchronousServerSocketChannel.open(group).bind(address, backlog);
    }

    /** Binds {@code address} and starts accepting. */
    static Nio2EchoServer start(InetSocketAddress address, int backlog) throws IOException {
        Nio2EchoServer server = new Nio2EchoServer(address, backlog);
        server.listener.accept(null, server.new Acceptor());
        return server;
    }

    int port() throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private final class Acceptor implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel channel, Void unused) {
            listener.accept(null, this);
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                close(channel);
                return;
            }
            new Connection(channel).read();
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            // the listener was closed: the server is stopping
        }
    }

    /** One connection's buffer and its two handlers, reused for every read and write. */
    private static final class Connection {
        private final AsynchronousSocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        private final CompletionHandler<Integer, Void> afterRead = new CompletionHandler<>() {
            @Override
            public void completed(Integer n, Void unused) {
                if (n < 0) {
                    close(channel);
                    return;
                }
                buffer.flip();
                channel.write(buffer, null, afterWrite);
            }

            @Override
            public void failed(Throwable exc, Void unused) {
                close(channel);
            }
        };
        private final CompletionHandler<Integer, Void> afterWrite = new CompletionHandler<>() {
            @Override
            public void completed(Integer n, Void unused) {
                if (buffer.hasRemaining()) {
                    channel.write(buffer, null, this); // partial: the rest first
                } else {
                    read();
                }
            }

            @Override
            public void failed(Throwable exc, Void unused) {
                close(channel);
            }
        };

        Connection(AsynchronousSocketChannel channel) {
            this.channel = channel;
        }

        void read() {
            buffer.clear();
            channel.read(buffer, null, afterRead);
        }
    }

    private static void close(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a failed connection: nothing more to do
        }
    }

    @Override
    public void close() throws Exception {
        group.shutdownNow(); // closes the listener and every connection
        group.awaitTermination(10, TimeUnit.SECONDS);
    }
}
