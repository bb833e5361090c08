package io.proactor.tests;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.Engine;
import io.proactor.SharedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Connection#sendFile} on one server engine, in every threading model and both file-send modes: the
 * bytes of the range asked for, in order with the writes around them, and the connection aborted when the file
 * is missing or shorter than asked. The client runs on the same engine. Subclass it per engine and supply
 * {@link #engine()}.
 */
@Timeout(value = 180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SendFileSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The server engine under test. */
    protected abstract Engine engine();

    protected ProtocolServer server(ThreadingModel model, java.util.function.Supplier<? extends ProtocolHandler> handlers)
            throws IOException {
        return ProtocolServer.builder().engine(engine()).model(model).threads(2).handler(handlers)
                .bind(TestSupport.loopback(0));
    }

    protected ProtocolClient client(Engine clientEngine) {
        return ProtocolClient.builder().engine(clientEngine).build();
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void sendFileDeliversTheFileExactly(ThreadingModel model) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "send-", ".bin");
        try {
            byte[] content = randomBytes(3 * 1024 * 1024 + 17, 11);
            Files.write(file, content);
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.write(ByteBuffer.wrap("HEAD".getBytes(StandardCharsets.US_ASCII)));
                    connection.sendFile(file, 0, content.length);
                    connection.write(ByteBuffer.wrap("TAIL".getBytes(StandardCharsets.US_ASCII)));
                }
            };
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> all = collector.received(content.length + 8);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                ByteBuffer got = ByteBuffer.wrap(await(all));
                assertBytesEqual("HEAD".getBytes(StandardCharsets.US_ASCII), got.slice(0, 4));
                assertBytesEqual(content, got.slice(4, content.length));
                assertBytesEqual("TAIL".getBytes(StandardCharsets.US_ASCII), got.slice(4 + content.length, 4));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A call a handler makes: a write of bytes, or a send of a range of the test's file. */
    private sealed interface Queued permits Write, FileRange {
    }

    private record Write(byte[] bytes) implements Queued {
    }

    private record FileRange(int from, int length) implements Queued {
    }

    /** What a handler queues in one callback, named for the test's display name, and the file it sends from. */
    private record QueuedOutput(String name, byte[] file, List<Queued> calls) {

        /** What the client must receive: each write's bytes and each range of the file, in order. */
        byte[] expected() {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (Queued call : calls) {
                switch (call) {
                    case Write w -> expected.writeBytes(w.bytes());
                    case FileRange r -> expected.write(file, r.from(), r.length());
                }
            }
            return expected.toByteArray();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> modelsSendModesAndOutputs() {
        byte[] large = randomBytes(2 * 1024 * 1024 + 333, 12);
        // neither end of the range is block-aligned
        QueuedOutput unalignedRange = new QueuedOutput("an unaligned range", large,
                List.of(new FileRange(1000, large.length - 1000 - 5), new Write(ascii("END"))));
        // what an HTTP server does with small files: each response a head, a file and a tail (the engines join a
        // head and its file into one send); the file is more than the copy's batch of buffers
        byte[] small = randomBytes(70_000, 15);
        List<Queued> responses = new ArrayList<>();
        int[][] ranges = {{0, 1000}, {5, 1}, {100, 69_900}, {69_999, 1}};
        for (int i = 0; i < ranges.length; i++) {
            responses.add(new Write(ascii("head" + i)));
            responses.add(new FileRange(ranges[i][0], ranges[i][1]));
            responses.add(new Write(ascii("tail" + i)));
        }
        QueuedOutput smallFiles = new QueuedOutput("small files between writes", small, responses);
        // almost a full gathering write ahead of the file (63 chunks of 16 KiB): the engines that send the chunks
        // ahead of a file with it must make room for the file's own buffers too
        byte[] behind = randomBytes(70_000, 16);
        QueuedOutput fileBehind = new QueuedOutput("a file behind much queued output", behind,
                List.of(new Write(randomBytes(63 * 16 * 1024 - 1, 17)), new FileRange(0, behind.length)));
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel m : ThreadingModel.values()) {
            for (Connection.FileSendMode mode : Connection.FileSendMode.values()) {
                for (QueuedOutput output : List.of(unalignedRange, smallFiles, fileBehind)) {
                    list.add(Arguments.of(m, mode, output));
                }
            }
        }
        return list.stream();
    }

    /**
     * Writes and file ranges queued in one callback arrive in order, each range exact, in every threading model
     * and file-send mode. Each output is asked for three times on one connection: a later request reuses the
     * connection's buffers.
     */
    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("modelsSendModesAndOutputs")
    void queuedWritesAndFileRangesArriveInOrder(ThreadingModel model, Connection.FileSendMode mode,
                                                QueuedOutput output) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "queued-", ".bin");
        try {
            Files.write(file, output.file());
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    for (Queued call : output.calls()) {
                        switch (call) {
                            case Write w -> connection.write(ByteBuffer.wrap(w.bytes()));
                            case FileRange r -> connection.sendFile(file, r.from(), r.length(), mode);
                        }
                    }
                }
            };
            byte[] expected = output.expected();
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                for (int round = 0; round < 3; round++) {
                    CompletableFuture<byte[]> all = collector.received(expected.length * (round + 1));
                    c.write(ByteBuffer.wrap(new byte[] {'?'}));
                    byte[] got = await(all);
                    assertBytesEqual(expected, ByteBuffer.wrap(got, expected.length * round, expected.length).slice());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The point of DIRECT_IO: serving a file does not pull it into the page cache. The file is written with
     * O_DIRECT (so it starts uncached), served, then measured with {@link PageCache} ({@code mincore}); the
     * zero-copy run is the control that shows the measurement sees cached pages.
     */
    @ParameterizedTest
    @EnumSource(Connection.FileSendMode.class)
    void onlyDirectIoLeavesThePageCacheAlone(Connection.FileSendMode mode) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "cache-", ".bin");
        int size = 4 * 1024 * 1024;
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                ByteBuffer block = ByteBuffer.allocateDirect(size + 4096).alignedSlice(4096).limit(size);
                block.put(0, randomBytes(size, 14));
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
            assertTrue(residentBytes(file) < size / 10, "written with O_DIRECT, the file starts uncached");
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.sendFile(file, 0, size, mode);
                }
            };
            try (ProtocolServer server = server(ThreadingModel.SINGLE, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> all = collector.received(size);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                assertBytesEqual(randomBytes(size, 14), ByteBuffer.wrap(await(all)));
            }
            long resident = residentBytes(file);
            if (mode == Connection.FileSendMode.DIRECT_IO && engine().features().completionBased()) {
                assertTrue(resident < size / 10, "direct I/O left " + resident + " bytes of the file cached");
            } else if (mode != Connection.FileSendMode.DIRECT_IO) {
                assertTrue(resident > size * 9L / 10, "sendfile, splice and read go through the cache: " + resident);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long residentBytes(Path file) throws Exception {
        return PageCache.residentBytes(file);
    }

    @ParameterizedTest
    @EnumSource(Connection.FileSendMode.class)
    void sendFileOfAFileShorterThanAskedAbortsAfterWhatItHas(Connection.FileSendMode mode) throws Throwable {
        sendMoreThanTheFileHolds(mode, 300_000, 310_000, true);
    }

    /**
     * The same for a small range (which the engines may copy rather than splice, and io_uring reads in a read
     * linked to the send, which the short read cancels): the connection is aborted.
     */
    @ParameterizedTest
    @EnumSource(Connection.FileSendMode.class)
    void sendFileOfASmallFileShorterThanAskedAbortsTheConnection(Connection.FileSendMode mode) throws Throwable {
        sendMoreThanTheFileHolds(mode, 1000, 2000, false);
    }

    /**
     * Asks to send {@code asked} bytes of a file of {@code size}: the connection must be aborted with an
     * {@link java.io.EOFException}; with {@code allBytesArrive}, after the client got every byte the file has.
     */
    private void sendMoreThanTheFileHolds(Connection.FileSendMode mode, int size, int asked, boolean allBytesArrive)
            throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "short-", ".bin");
        try {
            byte[] content = randomBytes(size, 13);
            Files.write(file, content);
            CompletableFuture<Throwable> cause = new CompletableFuture<>();
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.sendFile(file, 0, asked, mode);
                }

                @Override
                public void onClose(Connection connection, Throwable c) {
                    cause.complete(c);
                }
            };
            try (ProtocolServer server = server(ThreadingModel.SINGLE, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> all = allBytesArrive ? collector.received(content.length) : null;
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                if (allBytesArrive) {
                    assertBytesEqual(content, ByteBuffer.wrap(await(all)));
                }
                assertInstanceOf(java.io.EOFException.class, await(cause));
                await(collector.closed);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void sendFileOfAMissingFileAbortsTheConnection() throws Throwable {
        Path missing = Path.of("target", "no-such-file-" + System.nanoTime());
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        ProtocolHandler sender = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                data.position(data.limit());
                connection.sendFile(missing, 0, 10);
            }

            @Override
            public void onClose(Connection connection, Throwable c) {
                cause.complete(c);
            }
        };
        try (ProtocolServer server = server(ThreadingModel.SINGLE, () -> sender);
             ProtocolClient client = client(engine())) {
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = await(client.connect(server.localAddress(), collector));
            c.write(ByteBuffer.wrap(new byte[] {'?'}));
            assertInstanceOf(java.nio.file.NoSuchFileException.class, await(cause));
            await(collector.closed);
        }
    }

    static Stream<Arguments> modelsAndSendModes() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel m : ThreadingModel.values()) {
            for (Connection.FileSendMode mode : Connection.FileSendMode.values()) {
                list.add(Arguments.of(m, mode));
            }
        }
        return list.stream();
    }

    /**
     * One {@link SharedFile} sent by several connections, several times each, in every model and mode: every
     * response exact, each send's reference dropped when it ended (only the opener's is left), and the descriptor
     * closed with the opener's release.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSendModes")
    void aSharedFileIsSentByManyConnectionsAndClosedAfterTheLastReference(ThreadingModel model,
                                                                          Connection.FileSendMode mode)
            throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "shared-", ".bin");
        try {
            byte[] content = randomBytes(300_001, 21);
            Files.write(file, content);
            SharedFile shared = SharedFile.open(file);
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.write(ByteBuffer.wrap(ascii("HEAD")));
                    connection.sendFile(shared, 1, content.length - 1, mode);
                }
            };
            int connections = 4;
            int rounds = 3;
            int response = 4 + content.length - 1;
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                List<Handlers.Collector> collectors = new ArrayList<>();
                List<Connection> clients = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    Handlers.Collector collector = new Handlers.Collector();
                    collectors.add(collector);
                    clients.add(await(client.connect(server.localAddress(), collector)));
                }
                for (int round = 1; round <= rounds; round++) {
                    List<CompletableFuture<byte[]>> all = new ArrayList<>();
                    for (int i = 0; i < connections; i++) {
                        all.add(collectors.get(i).received(response * round));
                        clients.get(i).write(ByteBuffer.wrap(new byte[] {'?'}));
                    }
                    for (CompletableFuture<byte[]> got : all) {
                        ByteBuffer last = ByteBuffer.wrap(await(got), response * (round - 1), response).slice();
                        assertBytesEqual(ascii("HEAD"), last.slice(0, 4));
                        assertBytesEqual(java.util.Arrays.copyOfRange(content, 1, content.length),
                                last.slice(4, content.length - 1));
                    }
                }
                awaitReferences(shared, 1); // every send let go of its own
            }
            shared.release();
            assertFalse(shared.isOpen());
            assertThrows(IllegalStateException.class, shared::release, "released more often than retained");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * What a cache evicting a file does: the opener releases its reference while a send of the file is stalled
     * on a client that does not read. The send goes on to the last byte, and the descriptor closes when it ends.
     */
    @ParameterizedTest
    @EnumSource(Connection.FileSendMode.class)
    void releasingTheOpenersReferenceDuringASendDoesNotCutItShort(Connection.FileSendMode mode) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "evicted-", ".bin");
        try {
            byte[] content = randomBytes(8 * 1024 * 1024 + 5, 22);
            Files.write(file, content);
            SharedFile shared = SharedFile.open(file);
            CompletableFuture<Void> queued = new CompletableFuture<>();
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.sendFile(shared, 0, content.length, mode);
                    shared.release(); // evicted: only the send's reference is left
                    queued.complete(null);
                }
            };
            try (ProtocolServer server = server(ThreadingModel.SINGLE, () -> sender);
                 java.net.Socket socket = new java.net.Socket()) {
                socket.setReceiveBufferSize(64 * 1024);
                socket.connect(server.localAddress(), 5000);
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write('?');
                await(queued);
                Thread.sleep(300); // the send fills the socket's buffers and waits for the client
                assertTrue(shared.isOpen(), "the file was closed under a send in flight");
                byte[] got = socket.getInputStream().readNBytes(content.length);
                assertBytesEqual(content, ByteBuffer.wrap(got));
                awaitReferences(shared, 0);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A send of a shared file that never starts (queued behind output that the connection discards when it is
     * aborted, or queued after the connection closed) gives its reference back.
     */
    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aSharedFileSendThatNeverStartsGivesItsReferenceBack(ThreadingModel model) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "dropped-", ".bin");
        try {
            Files.write(file, randomBytes(100_000, 23));
            SharedFile shared = SharedFile.open(file);
            CompletableFuture<Void> done = new CompletableFuture<>();
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.write(ByteBuffer.allocate(16 * 1024 * 1024)); // more than the socket takes
                    connection.sendFile(shared, 0, 100_000, Connection.FileSendMode.ZERO_COPY);
                    connection.sendFile(shared, 0, 100_000, Connection.FileSendMode.COPY);
                    connection.abort(new IOException("test: aborted with two sends queued"));
                    connection.sendFile(shared, 0, 100_000, Connection.FileSendMode.ZERO_COPY); // after the close
                    done.complete(null);
                }
            };
            try (ProtocolServer server = server(model, () -> sender);
                 java.net.Socket socket = new java.net.Socket()) {
                socket.connect(server.localAddress(), 5000);
                socket.getOutputStream().write('?');
                await(done);
                awaitReferences(shared, 1);
            }
            shared.release();
            assertFalse(shared.isOpen());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Queuing a send of a file whose last reference is gone fails at once, saying so; nothing is queued. */
    @Test
    void aClosedSharedFileIsRefused() throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "closed-", ".bin");
        try {
            Files.write(file, randomBytes(1000, 24));
            SharedFile shared = SharedFile.open(file);
            shared.release();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    try {
                        connection.sendFile(shared, 0, 1000, Connection.FileSendMode.ZERO_COPY);
                        thrown.complete(null);
                    } catch (RuntimeException e) {
                        thrown.complete(e);
                    }
                    connection.write(ByteBuffer.wrap(ascii("still open")));
                }
            };
            try (ProtocolServer server = server(ThreadingModel.SINGLE, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> reply = collector.received(10);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                Throwable e = await(thrown);
                assertInstanceOf(IllegalStateException.class, e);
                assertTrue(e.getMessage().contains("is closed"), e.getMessage());
                assertBytesEqual(ascii("still open"), ByteBuffer.wrap(await(reply)));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Waits until {@code file} holds exactly {@code n} references (a send drops its own just after it ended). */
    private static void awaitReferences(SharedFile file, int n) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (file.references() != n && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertEquals(n, file.references(), "references held to " + file);
    }
}
