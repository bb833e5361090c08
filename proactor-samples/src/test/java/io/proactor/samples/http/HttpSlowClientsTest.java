package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code bench/slowhttp.sh} does with slowhttptest, as a test on every engine: hundreds of slowloris
 * connections (a request head trickling in a byte at a time) and slow readers (large responses asked for, never
 * read) at once, while an ordinary client keeps being served. The slowloris connections are answered 408 and
 * closed when the header timeout expires, however often they send a byte; once the slow readers go, the server
 * holds no connection, descriptor or thread more than before.
 */
class HttpSlowClientsTest {

    static {
        HttpTestSupport.probeEngines();
    }

    static final int SLOWLORIS = 200;
    static final int SLOW_READERS = 100;
    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    /** A liveness bound, not a performance figure: far above the ~1 ms these requests take. */
    static final long RESPONSIVE_MILLIS = 2000;

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void ordinaryClientsAreServedWhileSlowOnesAreHeldOrTimedOut(String engine, ThreadingModel model) throws Exception {
        Path root = Files.createDirectories(base.resolve("www"));
        byte[] small = HttpTestSupport.random(1024, 1);
        Files.write(root.resolve("small.bin"), small);
        Files.write(root.resolve("large.bin"), HttpTestSupport.random(512 * 1024, 2));
        HttpServerConfig config = HttpServerConfig.of(root).withTimeouts(HEADER_TIMEOUT, Duration.ofSeconds(60));
        List<Socket> slowloris = new ArrayList<>();
        List<Socket> slowReaders = new ArrayList<>();
        try (HttpFileServer server = HttpTestSupport.start(engine, model, config)) {
            try {
                for (int i = 0; i < SLOW_READERS; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096); // before connecting: a small window, so the server's sends stall
                    s.connect(server.localAddress(), 5000);
                    s.getOutputStream().write(HttpTestSupport.get("/large.bin").repeat(4)
                            .getBytes(StandardCharsets.US_ASCII));
                    slowReaders.add(s);
                }
                for (int i = 0; i < SLOWLORIS; i++) {
                    Socket s = new Socket();
                    s.connect(server.localAddress(), 5000);
                    slowloris.add(s);
                }
                // the header timeout runs from a request's first byte: start all the heads at once
                long started = System.nanoTime();
                for (Socket s : slowloris) {
                    s.getOutputStream().write("GET /small.bin HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                // until the header timeout: every slowloris sends one more byte of its head every 200 ms, and an
                // ordinary client gets its responses
                int round = 0;
                while (System.nanoTime() - started < HEADER_TIMEOUT.toNanos() - TimeUnit.MILLISECONDS.toNanos(300)) {
                    for (Socket s : slowloris) {
                        s.getOutputStream().write("X-Slow: 1\r\n".charAt(round % 11));
                    }
                    round++;
                    long t0 = System.nanoTime();
                    try (HttpTestSupport.RawClient client = new HttpTestSupport.RawClient(server)) {
                        HttpTestSupport.Response r = client.request(HttpTestSupport.get("/small.bin"));
                        assertEquals(200, r.status());
                        assertArrayEquals(small, r.body());
                    }
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertTrue(millis < RESPONSIVE_MILLIS, "an ordinary request took " + millis + " ms");
                    Thread.sleep(200);
                }
                assertTrue(round >= 3, "the slow clients were held for only " + round + " rounds");
                for (Socket s : slowloris) {
                    assertTimedOut(s);
                }
                assertTrue(slowReaders.stream().noneMatch(Socket::isClosed));
            } finally {
                for (Socket s : slowloris) {
                    s.close();
                }
                for (Socket s : slowReaders) {
                    s.close();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, server.connectionCount(), "connections left after every client went");
        }
    }

    /** The server answers 408 (the head never completed) and closes, within a few seconds of the timeout. */
    private static void assertTimedOut(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
            byte[] answer = in.readAllBytes();
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 408 "), "expected 408 and a close, got: " + text);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a slowloris connection was still open 10 s after its header timeout", e);
        } catch (SocketException reset) {
            // the server closed while the client's last bytes were unread: closed too, which is what counts
        }
    }
}
