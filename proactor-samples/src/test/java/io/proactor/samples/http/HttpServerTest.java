package io.proactor.samples.http;

import static io.proactor.samples.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpTestSupport.RawClient;
import io.proactor.samples.http.HttpTestSupport.Response;
import io.proactor.tests.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a well-behaved client sees, on every engine (and, for the basics, every threading model). */
@Timeout(60)
class HttpServerTest {

    private static final int DATA_SIZE = 300_000;
    private static final String MODIFIED = "Sun, 01 Mar 2026 10:20:30 GMT";

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    private Path root;
    private byte[] data;

    private HttpFileServer start(String engine, ThreadingModel model, long directIoThreshold) throws Exception {
        root = HttpTestSupport.tree(base, DATA_SIZE);
        data = Files.readAllBytes(root.resolve("data.bin"));
        Files.setLastModifiedTime(root.resolve("hello.txt"), FileTime.from(Instant.parse("2026-03-01T10:20:30Z")));
        return HttpTestSupport.start(engine, model, HttpServerConfig.of(root).withDirectIoThreshold(directIoThreshold));
    }

    private HttpFileServer start(String engine, ThreadingModel model) throws Exception {
        return start(engine, model, HttpServerConfig.DEFAULT_DIRECT_IO_THRESHOLD);
    }

    private String etag(String file) throws Exception {
        Path p = root.resolve(file);
        return "\"" + Long.toHexString(Files.getLastModifiedTime(p).to(TimeUnit.MICROSECONDS)) + "-"
                + Long.toHexString(Files.size(p)) + "\"";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void getSendsTheExactHeadAndBody(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            Response r = client.request(get("/hello.txt"));
            assertEquals("HTTP/1.1 200 OK\r\nServer: proactor\r\nDate: *\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + HttpTestSupport.HELLO.length + "\r\n"
                    + "Last-Modified: " + MODIFIED + "\r\nETag: " + etag("hello.txt") + "\r\nAccept-Ranges: bytes\r\n\r\n",
                    r.head());
            assertArrayEquals(HttpTestSupport.HELLO, r.body());
            String date = r.headers().get("date");
            long skew = Math.abs(HttpDates.parse(date) - System.currentTimeMillis() / 1000);
            assertEquals(true, skew <= 5, "Date is now, was " + date);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void httpClientReceivesEachFileByteForByte(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String at = "http://127.0.0.1:" + server.localAddress().getPort();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(at + "/data.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertArrayEquals(data, r.body());
            assertEquals("application/octet-stream", r.headers().firstValue("content-type").orElseThrow());
            assertEquals(String.valueOf(DATA_SIZE), r.headers().firstValue("content-length").orElseThrow());

            r = http.send(HttpRequest.newBuilder(URI.create(at + "/")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertArrayEquals(HttpTestSupport.INDEX, r.body());
            assertEquals("text/html; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());

            r = http.send(HttpRequest.newBuilder(URI.create(at + "/sub/file%20name.txt")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("spaced\n", new String(r.body(), StandardCharsets.US_ASCII));

            r = http.send(HttpRequest.newBuilder(URI.create(at + "/link-inside.txt")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(HttpTestSupport.HELLO, r.body(), "a link that stays inside the root is served");

            r = http.send(HttpRequest.newBuilder(URI.create(at + "/empty.txt")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals(0, r.body().length);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void headSendsTheHeadOfGetWithoutBody(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            Response got = client.request(get("/data.bin"));
            Response head = client.request("HEAD /data.bin HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals(got.head(), head.head());
            // had HEAD sent a body, these bytes would be read as the next response's head
            Response after = client.request(get("/hello.txt"));
            assertArrayEquals(HttpTestSupport.HELLO, after.body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource({"io.proactor.samples.http.HttpTestSupport#engines", "io.proactor.samples.http.HttpTestSupport#models"})
    void keepAliveAndPipelinedRequestsAreAnsweredInOrder(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            for (int i = 0; i < 3; i++) { // one connection, one request after another
                assertArrayEquals(HttpTestSupport.HELLO, client.request(get("/hello.txt")).body());
            }
            // five requests in one write, answered in order: a file, a 404, a HEAD, a large file, a range
            client.send(get("/hello.txt") + get("/missing") + "HEAD /index.html HTTP/1.1\r\nHost: t\r\n\r\n"
                    + get("/data.bin") + "GET /data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=10-19\r\n\r\n");
            assertArrayEquals(HttpTestSupport.HELLO, client.read().body());
            assertEquals(404, client.read().status());
            Response head = client.read(true);
            assertEquals(String.valueOf(HttpTestSupport.INDEX.length), head.header("content-length"));
            assertArrayEquals(data, client.read().body());
            Response range = client.read();
            assertEquals(206, range.status());
            assertArrayEquals(Arrays.copyOfRange(data, 10, 20), range.body());
            client.assertStillOpen(200);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void connectionCloseAndHttp10EndTheConnectionAfterTheResponse(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model)) {
            try (RawClient client = new RawClient(server)) {
                Response r = client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                assertEquals("close", r.header("connection"));
                assertArrayEquals(HttpTestSupport.HELLO, r.body());
                client.assertClosedByServer();
            }
            try (RawClient client = new RawClient(server)) {
                Response r = client.request("GET /hello.txt HTTP/1.0\r\n\r\n");
                assertEquals("HTTP/1.1 200 OK", r.head().substring(0, 15));
                assertEquals("close", r.header("connection"));
                client.assertClosedByServer();
            }
            try (RawClient client = new RawClient(server)) {
                Response r = client.request("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertEquals("keep-alive", r.header("connection"));
                assertArrayEquals(HttpTestSupport.HELLO, client.request("GET /hello.txt HTTP/1.0\r\n\r\n").body());
                client.assertClosedByServer();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void singleByteRangesAnd416(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            String size = String.valueOf(DATA_SIZE);
            Response r = client.request(range("bytes=100-199"));
            assertEquals(206, r.status());
            assertEquals("bytes 100-199/" + size, r.header("content-range"));
            assertEquals("100", r.header("content-length"));
            assertArrayEquals(Arrays.copyOfRange(data, 100, 200), r.body());

            r = client.request(range("bytes=299990-"));
            assertEquals("bytes 299990-299999/" + size, r.header("content-range"));
            assertArrayEquals(Arrays.copyOfRange(data, 299_990, DATA_SIZE), r.body());

            r = client.request(range("bytes=-7"));
            assertArrayEquals(Arrays.copyOfRange(data, DATA_SIZE - 7, DATA_SIZE), r.body());

            r = client.request(range("bytes=299000-999999999"));
            assertEquals("bytes 299000-299999/" + size, r.header("content-range"), "the last position is clipped");

            r = client.request(range("bytes=300000-"));
            assertEquals(416, r.status());
            assertEquals("bytes */" + size, r.header("content-range"));

            r = client.request(range("bytes=0-1,5-6"));
            assertEquals(200, r.status(), "several ranges: the whole file");
            assertArrayEquals(data, r.body());

            r = client.request(range("bytes=9-3"));
            assertEquals(200, r.status(), "an invalid range is ignored");

            r = client.request("GET /data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-9\r\nIf-Range: \"stale\"\r\n\r\n");
            assertEquals(200, r.status(), "If-Range that does not match: the whole file");
            r = client.request("GET /data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-9\r\nIf-Range: " + etag("data.bin") + "\r\n\r\n");
            assertEquals(206, r.status());

            r = client.request("HEAD /data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-9\r\n\r\n");
            assertEquals(200, r.status(), "Range applies to GET only");
        }
    }

    private static String range(String value) {
        return "GET /data.bin HTTP/1.1\r\nHost: t\r\nRange: " + value + "\r\n\r\n";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void conditionalRequestsGet304(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            String etag = etag("hello.txt");
            Response r = client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"x\", " + etag + "\r\n\r\n");
            assertEquals("HTTP/1.1 304 Not Modified\r\nServer: proactor\r\nDate: *\r\nETag: " + etag
                    + "\r\nLast-Modified: " + MODIFIED + "\r\n\r\n", r.head());
            assertEquals(304, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: W/" + etag + "\r\n\r\n").status());
            assertEquals(304, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: *\r\n\r\n").status());
            assertEquals(200, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"other\"\r\n\r\n").status());
            // If-None-Match decides when present, even with a matching If-Modified-Since
            assertEquals(200, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"other\"\r\n"
                    + "If-Modified-Since: " + MODIFIED + "\r\n\r\n").status());
            assertEquals(304, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: " + MODIFIED + "\r\n\r\n").status());
            assertEquals(304, client.request("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: Sunday, 01-Mar-26 10:20:31 GMT\r\n\r\n").status());
            assertEquals(304, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: Sun Mar  1 10:20:30 2026\r\n\r\n").status());
            Response older = client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: Sun, 01 Mar 2026 10:20:29 GMT\r\n\r\n");
            assertEquals(200, older.status());
            assertArrayEquals(HttpTestSupport.HELLO, older.body());
            assertEquals(200, client.request("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: yesterday\r\n\r\n").status(),
                    "an invalid date is ignored");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void directoriesAreServedFromIndexOrRefused(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model); RawClient client = new RawClient(server)) {
            assertArrayEquals(HttpTestSupport.INDEX, client.request(get("/")).body());
            assertEquals("sub index\n", client.request(get("/sub/")).text());
            Response redirect = client.request(get("/sub?x=1"));
            assertEquals(301, redirect.status());
            assertEquals("/sub/?x=1", redirect.header("location"));
            assertEquals(403, client.request(get("/noindex/")).status(), "no listing");
            assertEquals(404, client.request(get("/nothing-here")).status());
            Response notAllowed = client.request("DELETE /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(405, notAllowed.status());
            assertEquals("GET, HEAD", notAllowed.header("allow"));
            assertNull(notAllowed.header("connection"), "a refused method keeps the connection");
            assertArrayEquals(HttpTestSupport.HELLO, client.request(get("/hello.txt")).body());
            assertEquals("sub index\n", client.request("GET http://t/sub/?q HTTP/1.1\r\nHost: t\r\n\r\n").text(),
                    "absolute form");
            assertArrayEquals(HttpTestSupport.INDEX, client.request("GET http://t?q HTTP/1.1\r\nHost: t\r\n\r\n").body(),
                    "absolute form without a path: the root");
        }
    }

    /**
     * A file above the threshold goes through DIRECT_IO (O_DIRECT reads, two aligned buffers in flight): whole,
     * and in an unaligned range. Reactor engines send it zero-copy instead; the content must be the same.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void largeFileThroughDirectIoArrivesIntact(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model, 64 * 1024)) {
            int size = 12 * 1024 * 1024 + 123;
            byte[] big = HttpTestSupport.random(size, 7);
            Files.write(root.resolve("big.bin"), big);
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                URI uri = URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/big.bin");
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertEquals(size, r.body().length);
                assertArrayEquals(big, r.body());
                r = http.send(HttpRequest.newBuilder(uri).header("Range", "bytes=1000001-9000099").build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(206, r.statusCode());
                assertArrayEquals(Arrays.copyOfRange(big, 1_000_001, 9_000_100), r.body());
            }
            try (RawClient client = new RawClient(server)) { // and the small file still zero-copy on the same server
                assertArrayEquals(data, client.request(get("/data.bin")).body());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void manyClientsAtOnce(String engine, ThreadingModel model) throws Exception {
        try (HttpFileServer server = start(engine, model);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/data.bin");
            var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>>();
            for (int i = 0; i < 40; i++) {
                futures.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (var f : futures) {
                assertArrayEquals(data, f.get(30, TimeUnit.SECONDS).body());
            }
        }
    }
}
