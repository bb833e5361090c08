package io.proactor.samples.http;

import io.proactor.Engines;
import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The file server's request path without the network: one {@link HttpConnection} is fed a typical keep-alive
 * {@code GET} of a 1 KiB file (request line and six header fields, as a browser or {@code wrk} sends them) and
 * answers it into a connection that only counts what it is given. One operation parses the request, resolves its
 * path (the {@code stat} calls of the real file system included), formats the dates, {@code ETag} and media type,
 * and builds and writes the response head, access log off.
 *
 * <p>It lives in the samples' package because {@code HttpConnection} is package-private; the engine plays no
 * part (the connection is a stand-in), so there is no engine parameter. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is the bytes allocated per request: what a server under load leaves to the collector.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class HttpParseRespondBenchmark {

    static final byte[] REQUEST = ("GET /f1k HTTP/1.1\r\n"
            + "Host: 127.0.0.1:8080\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-GB,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private Path root;
    private HttpFileServer server;
    private HttpConnection http;
    private CountingConnection connection;
    private final ByteBuffer in = ByteBuffer.allocateDirect(REQUEST.length);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("http-bench");
        Files.write(root.resolve("f1k"), new byte[1024]);
        // a real server only because HttpConnection takes one; its own connections stay unused
        HttpServerConfig config = HttpServerConfig.of(root).withTimeouts(Duration.ofHours(1), Duration.ofHours(1));
        server = HttpFileServer.start(config, Engines.require("nio2"), ThreadingModel.SINGLE, 1,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        connection = new CountingConnection();
        http = new HttpConnection(server);
        http.onOpen(connection);
        in.put(REQUEST).flip();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        http.onClose(connection, null);
        server.close();
        Files.delete(root.resolve("f1k"));
        Files.delete(root);
        if (connection.files == 0 || connection.headBytes / connection.files < 100) {
            throw new IllegalStateException("the server did not answer with a head and a file: "
                    + connection.headBytes + " head bytes, " + connection.files + " files");
        }
    }

    /** Returns the bytes written so far, so that nothing of the response can be left out by the compiler. */
    @Benchmark
    public long parseAndRespond() {
        in.position(0);
        http.onRead(connection, in);
        return connection.headBytes + connection.fileBytes;
    }

    /** Takes the response: counts the head's bytes and the file's; the head buffer is the caller's to reuse. */
    static final class CountingConnection implements Connection {

        private static final SocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

        long headBytes;
        long fileBytes;
        long files;

        @Override
        public void write(ByteBuffer data) {
            headBytes += data.remaining();
            data.position(data.limit());
        }

        @Override
        public void sendFile(SharedFile file, long position, long count, FileSendMode mode) {
            fileBytes += count;
            files++;
        }

        @Override
        public void sendFile(Path path, long position, long count) {
            fileBytes += count;
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
