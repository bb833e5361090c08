package io.proactor.samples.http;

import static io.proactor.samples.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpTestSupport.RawClient;
import io.proactor.samples.http.HttpTestSupport.Response;
import io.proactor.tests.LeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input, on every engine: nothing escapes the root, each malformed request gets its status, and
 * slow or idle clients are closed. Each request goes on a fresh connection unless the test says otherwise;
 * a request that cannot be parsed must close its connection after the answer.
 */
@Timeout(60)
class HttpHostileInputTest {

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private HttpFileServer start(String engine, ThreadingModel model, HttpServerConfig config) throws Exception {
        return HttpTestSupport.start(engine, model, config);
    }

    private HttpFileServer start(String engine, ThreadingModel model) throws Exception {
        return start(engine, model, HttpServerConfig.of(HttpTestSupport.tree(base, 1000)));
    }

    /** Sends {@code request} on a new connection; returns the answer, and checks the secret never leaks. */
    private static Response answer(HttpFileServer server, String request) throws Exception {
        try (RawClient client = new RawClient(server)) {
            Response r = client.request(request);
            assertFalse(r.text().contains("not to be served"), "the file outside the root leaked");
            return r;
        }
    }

    private static void assertRefusedAndClosed(HttpFileServer server, int status, byte[] request) throws Exception {
        try (RawClient client = new RawClient(server)) {
            Response r = client.send(request).read();
            assertEquals(status, r.status(), new String(request, StandardCharsets.ISO_8859_1));
            assertEquals("close", r.header("connection"));
            client.assertClosedByServer();
        }
    }

    private static void assertRefusedAndClosed(HttpFileServer server, int status, String request) throws Exception {
        assertRefusedAndClosed(server, status, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void dotDotSegmentsNeverLeaveTheRoot(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            assertEquals(400, answer(server, get("/../secret.txt")).status());
            assertEquals(400, answer(server, get("/sub/../../secret.txt")).status());
            assertEquals(400, answer(server, get("/./sub/./../../../secret.txt")).status());
            assertEquals(400, answer(server, get("http://host/../secret.txt")).status(), "absolute form too");
            // '..' that stays inside the root is fine
            assertArrayEquals(HttpTestSupport.HELLO, answer(server, get("/sub/../hello.txt")).body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void percentEncodedDotsAndSlashesAreDecodedOnceAndChecked(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            assertEquals(400, answer(server, get("/%2e%2e/secret.txt")).status());
            assertEquals(400, answer(server, get("/sub/%2E%2E/%2e%2e/secret.txt")).status());
            assertEquals(400, answer(server, get("/%2e%2e%2fsecret.txt")).status(), "encoded slash");
            assertEquals(400, answer(server, get("/sub%2F..%2F..%2Fsecret.txt")).status(), "encoded slash");
            assertEquals(400, answer(server, get("/..%5csecret.txt")).status(), "encoded backslash");
            assertEquals(404, answer(server, get("/%252e%252e/secret.txt")).status(), "decoded once: a literal %2e%2e");
            assertEquals(400, answer(server, get("/%zz")).status(), "malformed escape");
            assertEquals(400, answer(server, get("/%c0%ae%c0%ae/secret.txt")).status(), "overlong UTF-8 dots");
            assertArrayEquals(HttpTestSupport.HELLO, answer(server, get("/%68ello.txt")).body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void nulAndControlCharactersAreRefused(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            assertEquals(400, answer(server, get("/hello.txt%00.html")).status());
            assertEquals(400, answer(server, get("/hello%0a.txt")).status());
            assertEquals(400, answer(server, get("/hello%7f.txt")).status());
            assertRefusedAndClosed(server, 400, "GET /hel\u0001lo.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            assertRefusedAndClosed(server, 400, "GET /hello.txt\u0000 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertRefusedAndClosed(server, 400, "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Bad: a\u0000b\r\n\r\n");
            assertRefusedAndClosed(server, 400, "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Bad: a\rb\r\n\r\n");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void symbolicLinksOutsideTheRootAreForbidden(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            assertEquals(403, answer(server, get("/link-outside.txt")).status());
            assertEquals(403, answer(server, get("/dir-outside/secret.txt")).status());
            assertEquals(403, answer(server, get("/dir-outside/")).status());
            assertArrayEquals(HttpTestSupport.HELLO, answer(server, get("/link-inside.txt")).body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void overLongRequestLineAndHeaderSection(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            assertRefusedAndClosed(server, 414, get("/" + "a".repeat(9000)));
            StringBuilder headers = new StringBuilder("GET /hello.txt HTTP/1.1\r\nHost: t\r\n");
            for (int i = 0; headers.length() < 17 * 1024; i++) {
                headers.append("X-Filler-").append(i).append(": ").append("v".repeat(100)).append("\r\n");
            }
            assertRefusedAndClosed(server, 431, headers + "\r\n");
            assertRefusedAndClosed(server, 431, "GET / HTTP/1.1\r\nHost: t\r\nX-Huge: " + "v".repeat(17 * 1024) + "\r\n\r\n");
            // just under both limits is served
            String target = "/hello.txt?" + "q".repeat(8000);
            assertArrayEquals(HttpTestSupport.HELLO, answer(server, get(target)).body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void unknownAndUnsupportedMethods(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            Response brew = client.request("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(501, brew.status());
            // a POST with a body: 405, the body skipped, the connection still good for the next request
            Response post = client.request("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello=world");
            assertEquals(405, post.status());
            assertEquals("GET, HEAD", post.header("allow"));
            assertArrayEquals(HttpTestSupport.HELLO, client.request(get("/hello.txt")).body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void malformedRequestsGet400AndTheirStatus(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            List<String> bad400 = new ArrayList<>(List.of(
                    "GET /hello.txt\r\n\r\n",                                         // no version
                    "GET  /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n",                    // double space
                    "GET /hello.txt HTTP/1.1 \r\nHost: t\r\n\r\n",                    // trailing space
                    "GET /hello.txt HTTP/1.1\r\n\r\n",                                // no Host in 1.1
                    "GET /hello.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",          // two Hosts
                    "GET /hello.txt HTTP/1.1\r\nHost : t\r\n\r\n",                    // space before colon
                    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n folded\r\n\r\n", // obsolete folding
                    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n",
                    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 6\r\n\r\n",
                    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
                    "GET hello.txt HTTP/1.1\r\nHost: t\r\n\r\n",                      // not origin form
                    "GET /hello.txt HTTP/1.x\r\nHost: t\r\n\r\n",
                    "G(T /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n",                     // not a token
                    "GET /a#frag HTTP/1.1\r\nHost: t\r\n\r\n",
                    "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003\r\n\r\n")); // a TLS hello
            for (String request : bad400) {
                assertRefusedAndClosed(server, 400, request);
            }
            assertRefusedAndClosed(server, 501, "GET /hello.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            assertRefusedAndClosed(server, 505, "GET /hello.txt HTTP/2.0\r\nHost: t\r\n\r\n");
            assertRefusedAndClosed(server, 413, "GET /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n");
            // random bytes never crash the server, which keeps serving
            byte[] noise = HttpTestSupport.random(5000, 3);
            noise[0] = 'X';
            noise[4999] = '\n';
            try (RawClient client = new RawClient(server)) {
                int status = client.send(noise).read().status();
                assertTrue(status == 400 || status == 414 || status == 431, "status " + status);
            }
            assertArrayEquals(HttpTestSupport.HELLO, answer(server, get("/hello.txt")).body());
        }
    }

    /** A request split into single bytes, each sent on its own, is parsed the same as one write. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void requestArrivingByteByByteIsServed(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            client.socket.setTcpNoDelay(true);
            for (byte b : "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                client.send(new byte[] {b});
            }
            assertArrayEquals(HttpTestSupport.HELLO, client.read().body());
        }
    }

    /** A client that never finishes its head, even trickling bytes, is answered 408 and closed. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void slowClientIsClosedAfterTheHeaderTimeout(String engine, ThreadingModel model) throws Exception {
        HttpServerConfig config = HttpServerConfig.of(HttpTestSupport.tree(base, 10))
                .withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(30));
        try (HttpFileServer server = start(engine, model, config); RawClient client = new RawClient(server)) {
            long started = System.nanoTime();
            client.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n");
            for (int i = 0; i < 3; i++) { // slowloris: a byte now and then must not extend the timeout
                Thread.sleep(100);
                client.send("X");
            }
            Response r = client.read();
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertEquals(408, r.status());
            assertEquals("close", r.header("connection"));
            client.assertClosedByServer();
            assertTrue(waited >= 350 && waited < 3000, "closed after about the header timeout, took " + waited + " ms");
        }
    }

    /** Idle keep-alive connections are closed after the idle timeout; busy ones are not. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void idleKeepAliveConnectionsAreClosedAfterTheIdleTimeout(String engine, ThreadingModel model) throws Exception {
        HttpServerConfig config = HttpServerConfig.of(HttpTestSupport.tree(base, 10))
                .withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(500));
        try (HttpFileServer server = start(engine, model, config)) {
            List<RawClient> idle = new ArrayList<>();
            try (RawClient busy = new RawClient(server)) {
                for (int i = 0; i < 20; i++) {
                    RawClient c = new RawClient(server);
                    idle.add(c);
                    if (i % 2 == 0) {
                        assertArrayEquals(HttpTestSupport.HELLO, c.request(get("/hello.txt")).body());
                    }
                }
                long started = System.nanoTime();
                for (int i = 0; i < 8; i++) { // the busy one sends a request every 150 ms: never idle long enough
                    Thread.sleep(150);
                    assertArrayEquals(HttpTestSupport.HELLO, busy.request(get("/hello.txt")).body());
                }
                for (RawClient c : idle) {
                    c.assertClosedByServer();
                }
                long waited = (System.nanoTime() - started) / 1_000_000;
                assertTrue(waited < 5000, "idle connections closed after about the idle timeout, took " + waited + " ms");
                assertArrayEquals(HttpTestSupport.HELLO, busy.request(get("/hello.txt")).body());
                assertEquals(1, awaitCount(server, 1));
            } finally {
                for (RawClient c : idle) {
                    c.close();
                }
            }
        }
    }

    /** Over the connection limit a client is answered 503 and closed; once one leaves, another gets in. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void connectionsOverTheLimitGet503(String engine, ThreadingModel model) throws Exception {
        HttpServerConfig config = HttpServerConfig.of(HttpTestSupport.tree(base, 10)).withMaxConnections(3);
        try (HttpFileServer server = start(engine, model, config)) {
            List<RawClient> admitted = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient c = new RawClient(server);
                    admitted.add(c);
                    assertEquals(200, c.request(get("/hello.txt")).status());
                }
                try (RawClient refused = new RawClient(server)) {
                    Response r = refused.read();
                    assertEquals(503, r.status());
                    assertEquals("close", r.header("connection"));
                    refused.assertClosedByServer();
                }
                admitted.remove(0).close();
                assertEquals(2, awaitCount(server, 2));
                try (RawClient next = new RawClient(server)) {
                    assertEquals(200, next.request(get("/hello.txt")).status());
                }
                for (RawClient c : admitted) {
                    assertEquals(200, c.request(get("/hello.txt")).status(), "admitted connections keep working");
                }
            } finally {
                for (RawClient c : admitted) {
                    c.close();
                }
            }
        }
    }

    private static int awaitCount(HttpFileServer server, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.connectionCount() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return server.connectionCount();
    }
}
