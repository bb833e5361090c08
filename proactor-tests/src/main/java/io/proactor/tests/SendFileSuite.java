package io.proactor.tests;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.Engine;
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
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "short-", ".bin");
        try {
            byte[] content = randomBytes(300_000, 13);
            Files.write(file, content);
            CompletableFuture<Throwable> cause = new CompletableFuture<>();
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.sendFile(file, 0, content.length + 10_000, mode);
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
                CompletableFuture<byte[]> all = collector.received(content.length);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                assertBytesEqual(content, ByteBuffer.wrap(await(all)));
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
}
