package io.proactor.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class LoadGeneratorTest {

    static {
        Engines.available(); // the engines' one-time probes before any leak count
    }

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private static ProtocolServer server(Supplier<ProtocolHandler> handler) throws IOException {
        return ProtocolServer.builder().engine(Engines.require("reactor")).model(ThreadingModel.SINGLE)
                .handler(handler).bind(ANY_PORT);
    }

    private static LoadSettings settings(ProtocolServer server, int connections, int depth) {
        return new LoadSettings(server.localAddress(), connections, depth, Duration.ofMillis(100),
                Duration.ofMillis(400));
    }

    private static final EchoLoad ECHO = new EchoLoad(100);

    @Test
    void countsVerifiedEchoesAndRecordsTheLatencyOfEach() throws Exception {
        ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        ProgressLine progress = new ProgressLine(new PrintStream(shown, true, StandardCharsets.UTF_8), true);
        try (ProtocolServer server = server(() -> echo); LoadGenerator load = new LoadGenerator()) {
            assertEquals("io_uring", load.engine().name());
            LoadResult r = load.run(settings(server, 4, 8), ECHO, LoadWindow.UNWATCHED, progress);
            assertEquals(0, r.errors(), r.firstError());
            assertTrue(r.requests() > 100, "requests: " + r.requests());
            // every echo completed in the window is one latency sample; some straddle its edges (the window's
            // start and end are read on another thread than the one recording, so allow 1% beside the in-flight)
            long straddling = Math.max(4 * 8 + 8, r.requests() / 100);
            assertTrue(Math.abs(r.latency().getTotalCount() - r.requests()) <= straddling,
                    r.latency().getTotalCount() + " samples for " + r.requests() + " requests");
            assertTrue(r.latencyMicros(50) > 0 && r.latencyMicros(50) <= r.latencyMicros(99.9));
            assertTrue(shown.toString(StandardCharsets.UTF_8).contains("req/s"), "progress line: " + shown);
        }
    }

    /** Echoes faithfully, except one byte in the middle of the stream, which it flips. */
    private static final class CorruptingEcho implements ProtocolHandler {
        private long seen;

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            long corruptAt = 5_000;
            if (seen <= corruptAt && corruptAt < seen + copy.remaining()) {
                int i = (int) (corruptAt - seen);
                copy.put(i, (byte) ~copy.get(i));
            }
            seen += copy.remaining();
            c.write(copy);
        }
    }

    @Test
    void detectsASingleCorruptedByte() throws Exception {
        try (ProtocolServer server = server(CorruptingEcho::new); LoadGenerator load = new LoadGenerator()) {
            LoadResult r = load.run(settings(server, 2, 4), ECHO, LoadWindow.UNWATCHED, null);
            // both connections pass byte 5000 during the run, each is caught and dropped
            assertEquals(2, r.errors(), r.firstError());
            assertTrue(r.firstError().contains("echo mismatch") && r.firstError().contains("at byte 5000"),
                    r.firstError());
        }
    }

    @Test
    void reportsAServerThatClosesConnections() throws Exception {
        ProtocolHandler closer = (Connection c, ByteBuffer data) -> c.close();
        try (ProtocolServer server = server(() -> closer); LoadGenerator load = new LoadGenerator()) {
            LoadResult r = load.run(settings(server, 3, 1), ECHO, LoadWindow.UNWATCHED, null);
            assertEquals(0, r.requests());
            assertEquals(3, r.errors());
            assertTrue(r.firstError().contains("closed by the server"), r.firstError());
        }
    }

    /** Counts the server's open connections. */
    private static final class Counting implements ProtocolHandler {
        static final AtomicInteger OPEN = new AtomicInteger();

        @Override
        public void onOpen(Connection c) {
            OPEN.incrementAndGet();
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            c.write(data);
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            OPEN.decrementAndGet();
        }
    }

    private static void awaitOpen(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Counting.OPEN.get() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, Counting.OPEN.get(), "connections open at the server");
    }

    @Test
    void idleConnectionsStayOpenAndSilentUntilClosed() throws Exception {
        try (ProtocolServer server = server(Counting::new); LoadGenerator load = new LoadGenerator()) {
            try (IdleConnections idle = load.openIdle(server.localAddress(), 50)) {
                awaitOpen(50);
                Thread.sleep(200);
                assertEquals(50, Counting.OPEN.get(), "an idle connection was dropped");
                assertEquals(0, idle.errors(), idle.firstError());
            }
            awaitOpen(0);
        }
    }

    @Test
    void refusesImpossibleSettingsAndUnreachableServers() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LoadSettings(address, 0, 1, Duration.ZERO, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("connections must be between 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LoadSettings(address, 1, 1, Duration.ZERO, Duration.ZERO));
        assertTrue(e.getMessage().contains("measurement must last"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EchoLoad(0));
        assertTrue(e.getMessage().contains("size must be between 1"), e.getMessage());
        try (LoadGenerator load = new LoadGenerator()) {
            // port 1 on loopback: nothing listens, the connect is refused and nothing stays open
            IOException refused = assertThrows(IOException.class, () -> load.run(
                    new LoadSettings(address, 2, 1, Duration.ZERO, Duration.ofMillis(10)), new EchoLoad(64),
                    LoadWindow.UNWATCHED, null));
            assertTrue(refused.getMessage().contains("cannot connect"), refused.getMessage());
        }
    }
}
