package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engines;
import io.proactor.protocol.ThreadingModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** A document tree, server start-up, and raw-socket HTTP for the file server's tests. */
final class HttpTestSupport {

    static final byte[] INDEX = "<!doctype html><title>root</title>\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] HELLO = "hello, file server\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] SECRET = "not to be served\n".getBytes(StandardCharsets.UTF_8);

    private HttpTestSupport() {
    }

    /**
     * Runs the engines' one-time probes (a real io_uring ring, Netty's natives and its static direct buffers);
     * test classes call it from a static initializer so that happens before LeakCheck's first count.
     */
    static void probeEngines() {
        Engines.available();
    }

    /** Every engine, single-threaded. */
    static Stream<Arguments> engines() {
        return Stream.of(Arguments.of("io_uring", ThreadingModel.SINGLE), Arguments.of("nio2", ThreadingModel.SINGLE),
                Arguments.of("reactor", ThreadingModel.SINGLE), Arguments.of("virtual-threads", ThreadingModel.SINGLE));
    }

    /** The other threading models, each on at least two engines. */
    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("io_uring", ThreadingModel.MAIN_SUB), Arguments.of("io_uring", ThreadingModel.REUSEPORT),
                Arguments.of("io_uring", ThreadingModel.WORKER_POOL), Arguments.of("nio2", ThreadingModel.WORKER_POOL),
                Arguments.of("nio2", ThreadingModel.MAIN_SUB), Arguments.of("reactor", ThreadingModel.WORKER_POOL),
                Arguments.of("reactor", ThreadingModel.MAIN_SUB), Arguments.of("reactor", ThreadingModel.REUSEPORT),
                Arguments.of("virtual-threads", ThreadingModel.REUSEPORT));
    }

    /**
     * {@code base/secret.txt} outside the root {@code base/www}, which holds index.html, hello.txt, data.bin
     * (random bytes of {@code dataSize}), empty.txt, sub/ (with its own index and a file), noindex/ (no index),
     * a link to hello.txt inside and one to the secret outside, and a directory link leading outside.
     */
    static Path tree(Path base, int dataSize) throws IOException {
        Path root = Files.createDirectories(base.resolve("www"));
        Files.write(base.resolve("secret.txt"), SECRET);
        Files.write(root.resolve("index.html"), INDEX);
        Files.write(root.resolve("hello.txt"), HELLO);
        Files.write(root.resolve("data.bin"), random(dataSize, 1));
        Files.write(root.resolve("empty.txt"), new byte[0]);
        Files.createDirectories(root.resolve("sub"));
        Files.write(root.resolve("sub/index.html"), "sub index\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(root.resolve("sub/file name.txt"), "spaced\n".getBytes(StandardCharsets.US_ASCII));
        Files.createDirectories(root.resolve("noindex"));
        Files.createSymbolicLink(root.resolve("link-inside.txt"), root.resolve("hello.txt"));
        Files.createSymbolicLink(root.resolve("link-outside.txt"), base.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dir-outside"), base);
        return root;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static HttpFileServer start(String engine, ThreadingModel model, HttpServerConfig config) throws IOException {
        HttpFileServer server = HttpFileServer.start(config, Engines.require(engine), model, 2,
                new InetSocketAddress("127.0.0.1", 0));
        assertEquals(engine, server.protocolServer().engine().name());
        return server;
    }

    /** A parsed response; {@code head} is the status line and fields exactly as sent, with the Date value masked. */
    record Response(String head, int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A client connection that writes raw bytes and reads responses. */
    static final class RawClient implements AutoCloseable {
        final Socket socket;
        final InputStream in;

        RawClient(HttpFileServer server) throws IOException {
            socket = new Socket();
            socket.connect(server.localAddress(), 5000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
        }

        RawClient send(String text) throws IOException {
            return send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        RawClient send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        }

        /** Reads one response; its body by Content-Length unless it answers HEAD or is a 304. */
        Response read(boolean answersHead) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection ended inside a response head: " + head);
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int status = Integer.parseInt(lines[0].substring(9, 12));
            byte[] body = new byte[0];
            if (!answersHead && status != 304) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            }
            String masked = text.replaceFirst("\r\nDate: [^\r]*\r\n", "\r\nDate: *\r\n");
            return new Response(masked, status, headers, body);
        }

        Response read() throws IOException {
            return read(false);
        }

        Response request(String text) throws IOException {
            return send(text).read(text.startsWith("HEAD "));
        }

        /** Asserts the server closes the connection (end of stream) within the socket timeout. */
        void assertClosedByServer() throws IOException {
            try {
                int b = in.read();
                assertEquals(-1, b, "expected the server to close the connection, got another byte");
            } catch (java.net.SocketException reset) {
                assertTrue(reset.getMessage().contains("reset"), reset.toString()); // closed with a reset: closed too
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection within "
                        + socket.getSoTimeout() + " ms", e);
            }
        }

        /** Asserts the connection is still open: nothing, not even end of stream, arrives for {@code millis}. */
        void assertStillOpen(int millis) throws IOException {
            int saved = socket.getSoTimeout();
            socket.setSoTimeout(millis);
            try {
                int b = in.read();
                throw new AssertionError("expected silence on an open connection, read " + b);
            } catch (SocketTimeoutException expected) {
                // open and quiet
            } finally {
                socket.setSoTimeout(saved);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }
}
