package io.proactor.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AcceptQueueTest {

    private static final int BACKLOG = AcceptQueue.WAITING_AT_MOST + 16;
    private static final int OVER = AcceptQueue.WAITING_AT_MOST + 4;

    @Test
    void readsTheListenersQueueAndWaitsUntilItDrains() throws Exception {
        List<SocketChannel> clients = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
            AcceptQueue queue = new AcceptQueue(((InetSocketAddress) listener.getLocalAddress()).getPort());
            assertEquals(0, queue.waiting(), "nothing waits yet");

            for (int i = 0; i < OVER; i++) {
                clients.add(SocketChannel.open(listener.getLocalAddress()));
            }
            assertEquals(OVER, queue.waiting(), "every connection made waits, none accepted");

            long start = System.nanoTime();
            queue.awaitRoom(TimeUnit.MILLISECONDS.toNanos(200));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200),
                    "a queue over the limit holds the caller until the timeout");

            Thread acceptor = Thread.ofPlatform().start(() -> acceptSome(listener, 5));
            start = System.nanoTime();
            queue.awaitRoom(TimeUnit.SECONDS.toNanos(20));
            acceptor.join();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "released once the server accepts");
            assertEquals(OVER - 5, queue.waiting());
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aPortWithNoListenerHoldsNothing() throws IOException, InterruptedException {
        int port;
        try (ServerSocketChannel closed = ServerSocketChannel.open()) {
            closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress) closed.getLocalAddress()).getPort();
        }
        AcceptQueue queue = new AcceptQueue(port);
        assertEquals(0, queue.waiting());
        long start = System.nanoTime();
        queue.awaitRoom(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
    }

    private static void acceptSome(ServerSocketChannel listener, int count) {
        try {
            for (int i = 0; i < count; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
                listener.accept().close();
            }
        } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
        }
    }
}
