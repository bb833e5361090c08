package io.proactor.tests;

import static io.proactor.tests.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.protocol.Connection;
import io.proactor.protocol.Connection.FileSendMode;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.SendTimeoutException;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The send timeout ({@link ProtocolServer.Builder#sendTimeout}) on one server engine, in every threading model:
 * a client that stops reading in the middle of a response (of writes large enough to fill the socket buffers,
 * or of a file of several MiB, in each file-send mode) is closed once the timeout passed, no sooner, with a
 * {@link SendTimeoutException}, counted in the server's metrics, and leaves no file descriptor open behind; a
 * slow reader that keeps reading, whose response takes several times the timeout, is served to the end; with
 * the timeout off a stalled client is never closed. The client is a plain blocking JDK socket with a small
 * receive buffer. Subclass it per engine and supply {@link #engine()}.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SendTimeoutSuite {

    /** The timeout of the tests whose client stops reading: short, so that each test takes well under a second. */
    static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final int MIB = 1024 * 1024;
    /** Writes and file sizes above what the kernel buffers (a 4 MiB send buffer at most, here, and the client's). */
    private static final int STALLING_BYTES = 8 * MIB;
    /** The client's receive buffer: set before connecting, it caps the window the server may fill. */
    private static final int CLIENT_RECEIVE_BUFFER = 64 * 1024;

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private final byte[] megabyte = TestSupport.randomBytes(MIB, 31);
    private Path file;
    private byte[] fileBytes;

    /** The server engine under test. */
    protected abstract Engine engine();

    @BeforeAll
    void makeFile() throws IOException {
        Files.createDirectories(Path.of("target"));
        file = Files.createTempFile(Path.of("target"), "send-timeout-", ".bin");
        fileBytes = TestSupport.randomBytes(STALLING_BYTES, 32);
        Files.write(file, fileBytes);
        file = file.toRealPath(); // as /proc/self/fd names it
    }

    @AfterAll
    void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    private ProtocolServer server(ThreadingModel model, Duration sendTimeout, Responder responder) throws IOException {
        return ProtocolServer.builder().engine(engine()).model(model).threads(2).sendTimeout(sendTimeout)
                .handler(() -> responder).bind(TestSupport.loopback(0));
    }

    /** Answers the first byte it reads with {@code response}; remembers its connection and how it closed. */
    private static final class Responder implements ProtocolHandler {
        final Consumer<Connection> response;
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        volatile Connection connection;
        volatile long respondedAtNanos;

        Responder(Consumer<Connection> response) {
            this.response = response;
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            data.position(data.limit());
            if (connection == null) {
                connection = c;
                respondedAtNanos = System.nanoTime();
                response.accept(c);
            }
        }

        @Override
        public void onInputClosed(Connection c) {
            c.close();
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            closed.complete(cause);
        }
    }

    /** A client with a small receive buffer that asks for the response with one byte. */
    private static Socket ask(ProtocolServer server) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
        s.connect(server.localAddress());
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSupport.STEP_SECONDS));
        s.getOutputStream().write('?');
        return s;
    }

    private void writeMegabytes(Connection c, int count) {
        for (int i = 0; i < count; i++) {
            c.write(ByteBuffer.wrap(megabyte));
        }
    }

    /**
     * Waits for the server to close the connection of a client that stopped reading, and checks it was the send
     * timeout, no sooner than the timeout after the response was queued, counted once; then that the client sees
     * the end of the stream before the whole response (the rest was discarded).
     */
    private static void assertTimedOut(ProtocolServer server, Responder responder, Socket client, long responseBytes)
            throws Throwable {
        Throwable cause = await(responder.closed);
        long elapsed = System.nanoTime() - responder.respondedAtNanos;
        assertInstanceOf(SendTimeoutException.class, cause, "onClose's cause");
        assertInstanceOf(InterruptedByTimeoutException.class, cause);
        assertEquals(TIMEOUT, ((SendTimeoutException) cause).timeout());
        assertTrue(elapsed >= TIMEOUT.toNanos(), "closed " + elapsed / 1_000_000 + " ms after the response was "
                + "queued, sooner than the timeout");
        assertFalse(responder.connection.isOpen());
        assertEquals(1, server.metrics().sendTimeouts(), "the timeout is counted: " + server.metrics());
        long received = drain(client);
        assertTrue(received < responseBytes, "the client got " + received + " of " + responseBytes
                + " bytes: the connection should have been closed before the end");
    }

    /** Reads until the end of the stream (or a reset); the bytes read. */
    private static long drain(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (SocketException reset) {
            // the server's close reset the connection: as much an end as a FIN
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aClientThatStopsReadingWritesIsClosedAfterTheTimeoutAndCounted(ThreadingModel model) throws Throwable {
        Responder responder = new Responder(c -> writeMegabytes(c, STALLING_BYTES / MIB));
        try (ProtocolServer server = server(model, TIMEOUT, responder);
             Socket client = ask(server)) {
            assertTimedOut(server, responder, client, STALLING_BYTES);
        }
    }

    static Stream<Arguments> modelsAndSendModes() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel model : ThreadingModel.values()) {
            for (FileSendMode mode : FileSendMode.values()) {
                list.add(Arguments.of(model, mode));
            }
        }
        return list.stream();
    }

    /**
     * A file of several MiB behind a head, with an orderly close asked for after it (an HTTP response with
     * {@code Connection: close}): the close would wait for ever, the timeout ends it, and the file's descriptor is
     * closed with the connection.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSendModes")
    void aClientThatStopsReadingAFileIsClosedAfterTheTimeoutAndTheFileClosed(ThreadingModel model, FileSendMode mode)
            throws Throwable {
        Responder responder = new Responder(c -> {
            c.write(ByteBuffer.wrap(megabyte, 0, 100));
            c.sendFile(file, 0, fileBytes.length, mode);
            c.close();
        });
        try (ProtocolServer server = server(model, TIMEOUT, responder);
             Socket client = ask(server)) {
            assertTimedOut(server, responder, client, 100 + fileBytes.length);
            TestSupport.eventually(() -> !LeakCheck.openDescriptors().containsValue(file.toString()),
                    "the file's descriptor is closed after the timeout");
        }
    }

    static Stream<Arguments> slowReaders() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel model : ThreadingModel.values()) {
            list.add(Arguments.of(model, FileSendMode.ZERO_COPY));
        }
        list.add(Arguments.of(ThreadingModel.SINGLE, FileSendMode.DIRECT_IO));
        list.add(Arguments.of(ThreadingModel.SINGLE, FileSendMode.COPY));
        return list.stream();
    }

    /**
     * A client that reads 64 KiB every 10 ms takes about 2 s for 4 MiB of writes and an 8 MiB file, more than
     * twice the 800 ms timeout, yet its output progresses all along: it is served to the end, byte for byte. (The
     * timeout leaves room for the kernel: a sender whose send buffer is full is woken only once a good part of
     * it has drained.)
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("slowReaders")
    void aSlowReaderThatKeepsReadingIsServedToTheEnd(ThreadingModel model, FileSendMode mode) throws Throwable {
        Duration timeout = Duration.ofMillis(800);
        int writes = 4;
        Responder responder = new Responder(c -> {
            writeMegabytes(c, writes);
            c.sendFile(file, 0, fileBytes.length, mode);
        });
        byte[] expected = new byte[writes * MIB + fileBytes.length];
        for (int i = 0; i < writes; i++) {
            System.arraycopy(megabyte, 0, expected, i * MIB, MIB);
        }
        System.arraycopy(fileBytes, 0, expected, writes * MIB, fileBytes.length);
        try (ProtocolServer server = server(model, timeout, responder);
             Socket client = ask(server)) {
            long start = System.nanoTime();
            byte[] got = new byte[expected.length];
            InputStream in = client.getInputStream();
            int at = 0;
            while (at < got.length) {
                int n = in.read(got, at, Math.min(64 * 1024, got.length - at));
                assertTrue(n > 0, "the stream ended after " + at + " of " + got.length + " bytes: "
                        + responder.closed.getNow(null));
                at += n;
                Thread.sleep(10); // the pace of a slow reader, not a wait for anything
            }
            long took = System.nanoTime() - start;
            assertArrayEquals(expected, got);
            assertTrue(took > 2 * timeout.toNanos(), "the response took " + took / 1_000_000
                    + " ms: too fast to show that progress, not the whole response, is timed");
            assertTrue(responder.connection.isOpen(), "still open: " + responder.closed.getNow(null));
            assertEquals(0, server.metrics().sendTimeouts());
        }
    }

    /** With the timeout off a client that stops reading is kept: after three times the test's timeout it is open. */
    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void withTheTimeoutOffAStalledClientIsNeverClosed(ThreadingModel model) throws Throwable {
        Responder responder = new Responder(c -> writeMegabytes(c, STALLING_BYTES / MIB));
        try (ProtocolServer server = server(model, Duration.ZERO, responder);
             Socket client = ask(server)) {
            TestSupport.eventually(() -> responder.connection != null, "the response is queued");
            // Nothing signals that something did not happen: wait well past when the timeout would have fired.
            Thread.sleep(3 * TIMEOUT.toMillis());
            assertFalse(responder.closed.isDone(), "closed with the timeout off: " + responder.closed.getNow(null));
            assertTrue(responder.connection.isOpen());
            assertEquals(0, server.metrics().sendTimeouts());
            assertEquals(STALLING_BYTES, client.getInputStream().readNBytes(STALLING_BYTES).length,
                    "the whole response arrives once the client reads again");
            client.shutdownOutput();
            assertNull(await(responder.closed), "an orderly close at the client's end of stream");
        }
    }

    @Test
    void aNegativeTooShortOrNullSendTimeoutIsRefusedWithTheReason() {
        ProtocolServer.Builder builder = ProtocolServer.builder().engine(engine()).handler(() -> (c, data) -> { });
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> builder.sendTimeout(Duration.ofMillis(-1)).bind(0));
        assertTrue(negative.getMessage().contains("'sendTimeout' must not be negative"), negative.getMessage());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> builder.sendTimeout(Duration.ofMillis(5)).bind(0));
        assertTrue(tooShort.getMessage().contains("at least 10 ms"), tooShort.getMessage());
        NullPointerException none = assertThrows(NullPointerException.class, () -> builder.sendTimeout(null));
        assertTrue(none.getMessage().contains("Duration.ZERO"), none.getMessage());
    }
}
