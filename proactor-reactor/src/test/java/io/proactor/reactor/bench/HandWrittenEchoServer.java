package io.proactor.reactor.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The baseline of the Reactor benchmark: the smallest honest single-thread Selector echo server, written the
 * way a textbook does it (one direct buffer; read, write back, keep what the socket did not take in a
 * per-connection buffer and register OP_WRITE until it drained). The per-key work is a method of its own so
 * the JIT compiles it like any server's code rather than only on-stack-replacing one long {@code main} loop.
 * Usage: {@code HandWrittenEchoServer PORT}.
 */
public final class HandWrittenEchoServer {

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
    private final Selector selector;
    private final ServerSocketChannel listener;

    private HandWrittenEchoServer(int port) throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", port));
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws IOException {
        HandWrittenEchoServer server = new HandWrittenEchoServer(Integer.parseInt(args[0]));
        System.out.println("listening on " + server.listener.getLocalAddress());
        while (true) {
            server.selector.select();
            Iterator<SelectionKey> keys = server.selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                try {
                    server.handle(key);
                } catch (IOException e) {
                    key.channel().close();
                }
            }
        }
    }

    private void handle(SelectionKey key) throws IOException {
        if (key.isAcceptable()) {
            SocketChannel c = listener.accept();
            if (c != null) {
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.register(selector, SelectionKey.OP_READ);
            }
            return;
        }
        SocketChannel c = (SocketChannel) key.channel();
        ByteBuffer pending = (ByteBuffer) key.attachment();
        if (key.isWritable() && pending != null) {
            c.write(pending);
            if (!pending.hasRemaining()) {
                key.attach(null);
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        if (key.isReadable()) {
            buffer.clear();
            if (c.read(buffer) < 0) {
                c.close();
                return;
            }
            buffer.flip();
            c.write(buffer);
            if (buffer.hasRemaining()) {
                key.attach(ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }
    }
}
