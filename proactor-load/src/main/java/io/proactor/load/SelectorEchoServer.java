package io.proactor.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A reference for the {@code reactor} engine: the smallest single-thread echo server one would write on a JDK
 * {@link Selector}, with no library code. One thread accepts and echoes; every read goes into one reused direct
 * buffer and is written back at once; only what a write could not take is copied aside (then the connection
 * waits for {@code OP_WRITE} instead of reading, so a client that does not read cannot make it buffer without
 * end).
 */
final class SelectorEchoServer implements AutoCloseable {

    private static final int READ_BUFFER_SIZE = 16 * 1024; // the library's default receive buffer size

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final Thread thread;
    private volatile boolean closing;

    private SelectorEchoServer(InetSocketAddress address, int backlog) throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.bind(address, backlog).configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::run, "jdk-selector-echo");
    }

    /** Binds {@code address} and starts the server's thread. */
    static SelectorEchoServer start(InetSocketAddress address, int backlog) throws IOException {
        SelectorEchoServer server = new SelectorEchoServer(address, backlog);
        server.thread.start();
        return server;
    }

    int port() throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private void run() {
        try {
            while (!closing) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.isReadable()) {
                            echo(key);
                        } else if (key.isWritable()) {
                            writeRest(key);
                        }
                    } catch (IOException e) {
                        key.channel().close(); // that connection failed (e.g. reset by the client); the rest go on
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            e.printStackTrace();
        }
    }

    private void accept() throws IOException {
        SocketChannel c;
        while ((c = listener.accept()) != null) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.register(selector, SelectionKey.OP_READ);
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel c = (SocketChannel) key.channel();
        readBuffer.clear();
        if (c.read(readBuffer) < 0) {
            c.close();
            return;
        }
        readBuffer.flip();
        c.write(readBuffer);
        if (readBuffer.hasRemaining()) {
            // the socket's send buffer is full: keep the rest (the read buffer is shared) and wait until it drains
            key.attach(ByteBuffer.allocate(readBuffer.remaining()).put(readBuffer).flip());
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void writeRest(SelectionKey key) throws IOException {
        ByteBuffer rest = (ByteBuffer) key.attachment();
        ((SocketChannel) key.channel()).write(rest);
        if (!rest.hasRemaining()) {
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    @Override
    public void close() throws Exception {
        closing = true;
        selector.wakeup();
        thread.join();
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}
