package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ThreadingModel;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request path allocates nothing per request once warm, measured with the thread's allocation counter
 * ({@code com.sun.management.ThreadMXBean}), which counts every byte this thread allocated, compiled or
 * interpreted: the result does not depend on timing or on what the JIT did (it can only remove allocations).
 */
class HttpAllocationTest {

    private static final int WARM_UP = 20_000;
    private static final int REQUESTS = 20_000;
    /** A request may allocate nothing but, shared among all of a second's, the {@code Date} field once a second. */
    private static final long PURE_BOUND = 1;
    /**
     * A whole answer from the open-file cache measures 0 bytes alone; the bound leaves room for the comparison
     * hooks the fuzz test's agent (Jazzer) installs when it ran earlier in the same JVM (32 bytes measured), and
     * stays below what reading the file's attributes per request allocated (about 150 bytes), let alone opening
     * the file (about 1 KB).
     */
    private static final long ANSWER_BOUND = 100;

    static final String REQUEST = "GET /f1k.html HTTP/1.1\r\n"
            + "Host: 127.0.0.1:8080\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-GB,en;q=0.5\r\n"
            + "If-None-Match: \"0-1\", W/\"1-2\"\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n";

    @TempDir
    static Path root;

    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void counter() {
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes per thread");
    }

    @Test
    void parsingAndBuildingAHeadAllocateNothing() throws Exception {
        HttpRequestParser parser = new HttpRequestParser();
        HttpResponseHead head = new HttpResponseHead();
        ByteBuffer in = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
        long[] sink = new long[1];
        byte[] date = "Sun, 06 Nov 1994 08:49:37 GMT".getBytes(StandardCharsets.US_ASCII);
        Runnable one = () -> {
            in.position(0);
            try {
                if (!parser.next(in)) {
                    throw new AssertionError("request not complete");
                }
            } catch (HttpParseException e) {
                throw new AssertionError(e);
            }
            HttpRequestView r = parser.view();
            sink[0] += (r.keepAlive() ? 1 : 0) + r.field("if-none-match") + r.pathTo(r.pathFrom())
                    + (r.methodIs("GET") ? 1 : 0);
            sink[0] += head.start(200).header("Content-Length", 1024).name("Last-Modified").date(1_764_500_000L)
                    .endField().header("Accept-Ranges", "bytes").end().remaining();
            sink[0] += HttpDates.parse(date, 0, date.length);
        };
        long perRequest = allocatedPerRun(one);
        assertTrue(perRequest < PURE_BOUND, perRequest + " bytes allocated per parse and head");
        assertTrue(sink[0] > 0);
    }

    @Test
    void answeringARequestForACachedFileAllocatesNothing() throws Exception {
        Files.write(root.resolve("f1k.html"), new byte[1024]);
        // the open-file cache answers from memory: no attributes read, so nothing allocated (before the cache:
        // about 150 bytes for the attributes, and about 2,700 before this path was made allocation-free)
        HttpServerConfig config = HttpServerConfig.of(root).withTimeouts(Duration.ofHours(1), Duration.ofHours(1))
                .withFileCacheValidity(Duration.ofHours(1));
        try (HttpFileServer server = HttpFileServer.start(config, io.proactor.Engines.require("reactor"),
                ThreadingModel.SINGLE, 1, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            CountingConnection connection = new CountingConnection();
            HttpConnection http = new HttpConnection(server);
            http.onOpen(connection);
            ByteBuffer in = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
            long perRequest = allocatedPerRun(() -> {
                in.position(0);
                http.onRead(connection, in);
            });
            http.onClose(connection, null);
            assertEquals(WARM_UP + REQUESTS, connection.files, "every request answered with the file");
            assertTrue(connection.headBytes / connection.files > 200, "a full response head each time");
            assertTrue(perRequest < ANSWER_BOUND, perRequest + " bytes allocated per request");
        }
    }

    /** Bytes this thread allocates per run of {@code r}, after {@link #WARM_UP} runs, over {@link #REQUESTS}. */
    private static long allocatedPerRun(Runnable r) {
        for (int i = 0; i < WARM_UP; i++) {
            r.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < REQUESTS; i++) {
            r.run();
        }
        long perRun = (threads.getCurrentThreadAllocatedBytes() - before) / REQUESTS;
        System.out.println("allocated per request: " + perRun + " B");
        return perRun;
    }

    /** Takes the response and counts it; the head buffer stays the caller's. */
    private static final class CountingConnection implements Connection {

        private static final SocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

        long headBytes;
        long files;

        @Override
        public void write(ByteBuffer data) {
            headBytes += data.remaining();
            data.position(data.limit());
        }

        @Override
        public void sendFile(SharedFile file, long position, long count, FileSendMode mode) {
            files++;
        }

        @Override
        public void sendFile(Path path, long position, long count) {
            files++;
        }

        @Override
        public void shutdownOutput() {
            throw new AssertionError("a keep-alive request must not end the connection");
        }

        @Override
        public void close() {
        }

        @Override
        public void abort(Throwable cause) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public SocketAddress localAddress() {
            return PEER;
        }

        @Override
        public SocketAddress remoteAddress() {
            return PEER;
        }

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public Object attachment() {
            return null;
        }

        @Override
        public void attach(Object attachment) {
        }
    }
}
