package io.proactor.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proactor.tests.LeakCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain JDK reference echo servers echo every byte, in order, also when their writes are partial. */
@Timeout(60)
class ReferenceEchoServersTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /** Far more than the small receive buffer below and the server's send buffer hold together. */
    private static final int STREAM_BYTES = 8 << 20;

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @ParameterizedTest
    @ValueSource(strings = {"jdk-selector", "jdk-nio2"})
    void echoesTwoConcurrentStreamsInFullWhileTheClientsReadLate(String kind) throws Exception {
        // Threads of its own: each stream blocks in a read until its writer has sent, and the common pool may
        // have a single thread.
        ExecutorService threads = Executors.newCachedThreadPool();
        try (AutoCloseable server = start(kind)) {
            int port = kind.equals("jdk-selector") ? ((SelectorEchoServer) server).port() : ((Nio2EchoServer) server).port();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> echoStream(address, 1, threads), threads);
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> echoStream(address, 2, threads), threads);
            CompletableFuture.allOf(first, second).get(50, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static AutoCloseable start(String kind) throws IOException {
        return kind.equals("jdk-selector") ? SelectorEchoServer.start(ANY_PORT, 128) : Nio2EchoServer.start(ANY_PORT, 128);
    }

    /**
     * Sends {@link #STREAM_BYTES} of seeded random bytes and reads the echo, which must be the same bytes. The
     * client starts reading only after a pause, with a small receive buffer: by then the server's writes have
     * run into a full socket, so the echo is right only if the server keeps and later sends what a write left.
     */
    private static void echoStream(InetSocketAddress address, long seed, ExecutorService threads) {
        byte[] sent = new byte[STREAM_BYTES];
        new Random(seed).nextBytes(sent);
        try (SocketChannel client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            client.connect(address);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    // direct buffers here and below: a heap one would make the JDK copy through a temporary
                    // direct buffer as large as what remains, on every call
                    client.write(ByteBuffer.allocateDirect(STREAM_BYTES).put(sent).flip());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            Thread.sleep(300);
            ByteBuffer received = ByteBuffer.allocateDirect(STREAM_BYTES);
            while (received.hasRemaining()) {
                if (client.read(received) < 0) {
                    break;
                }
            }
            writer.join();
            assertEquals(STREAM_BYTES, received.position(), "bytes echoed");
            byte[] echoed = new byte[STREAM_BYTES];
            received.flip().get(echoed);
            assertArrayEquals(sent, echoed);
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
