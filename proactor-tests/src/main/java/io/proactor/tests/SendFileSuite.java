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

    static Stream<Arguments> modelsAndSendModes() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel m : ThreadingModel.values()) {
            for (Connection.FileSendMode mode : Connection.FileSendMode.values()) {
                list.add(Arguments.of(m, mode));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSendModes")
    void sendFileSendsExactlyTheRangeAskedInEitherMode(ThreadingModel model, Connection.FileSendMode mode)
            throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "range-", ".bin");
        try {
            byte[] content = randomBytes(2 * 1024 * 1024 + 333, 12);
            Files.write(file, content);
            long from = 1000; // neither end of the range is block-aligned
            int length = content.length - 1000 - 5;
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.sendFile(file, from, length, mode);
                    connection.write(ByteBuffer.wrap("END".getBytes(StandardCharsets.US_ASCII)));
                }
            };
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> all = collector.received(length + 3);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                ByteBuffer got = ByteBuffer.wrap(await(all));
                assertBytesEqual(java.util.Arrays.copyOfRange(content, 1000, 1000 + length), got.slice(0, length));
                assertBytesEqual("END".getBytes(StandardCharsets.US_ASCII), got.slice(length, 3));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * What an HTTP server does with small files: several responses queued in one callback, each a head, a file
     * and a tail. In every mode each file goes out between its own head and tail (the engines join a head and
     * its file into one send), and the files' ranges are exact.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSendModes")
    void smallFilesBetweenWritesKeepTheirOrder(ThreadingModel model, Connection.FileSendMode mode) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "small-", ".bin");
        try {
            byte[] content = randomBytes(70_000, 15); // more than the copy's batch of buffers
            Files.write(file, content);
            int[][] ranges = {{0, 1000}, {5, 1}, {100, 69_900}, {69_999, 1}};
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < ranges.length; i++) {
                expected.writeBytes(("head" + i).getBytes(StandardCharsets.US_ASCII));
                expected.write(content, ranges[i][0], ranges[i][1]);
                expected.writeBytes(("tail" + i).getBytes(StandardCharsets.US_ASCII));
            }
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    for (int i = 0; i < ranges.length; i++) {
                        connection.write(ByteBuffer.wrap(("head" + i).getBytes(StandardCharsets.US_ASCII)));
                        connection.sendFile(file, ranges[i][0], ranges[i][1], mode);
                        connection.write(ByteBuffer.wrap(("tail" + i).getBytes(StandardCharsets.US_ASCII)));
                    }
                }
            };
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                for (int round = 0; round < 3; round++) { // a second request reuses the connection's buffers
                    CompletableFuture<byte[]> all = collector.received(expected.size() * (round + 1));
                    c.write(ByteBuffer.wrap(new byte[] {'?'}));
                    byte[] got = await(all);
                    assertBytesEqual(expected.toByteArray(),
                            ByteBuffer.wrap(got, expected.size() * round, expected.size()).slice());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A file queued behind almost a full gathering write of output (63 buffers of 16 KiB): the engines that send
     * the chunks ahead of a file with it must make room for the file's own buffers too.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndSendModes")
    void aFileBehindMuchQueuedOutputArrivesWhole(ThreadingModel model, Connection.FileSendMode mode) throws Throwable {
        Files.createDirectories(Path.of("target"));
        Path file = Files.createTempFile(Path.of("target"), "behind-", ".bin");
        try {
            byte[] content = randomBytes(70_000, 16);
            Files.write(file, content);
            byte[] ahead = randomBytes(63 * 16 * 1024 - 1, 17);
            ProtocolHandler sender = new ProtocolHandler() {
                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                    connection.write(ByteBuffer.wrap(ahead));
                    connection.sendFile(file, 0, content.length, mode);
                }
            };
            try (ProtocolServer server = server(model, () -> sender);
                 ProtocolClient client = client(engine())) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                CompletableFuture<byte[]> all = collector.received(ahead.length + content.length);
                c.write(ByteBuffer.wrap(new byte[] {'?'}));
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                expected.writeBytes(ahead);
                expected.writeBytes(content);
                assertBytesEqual(expected.toByteArray(), ByteBuffer.wrap(await(all)));
            }
        } finally {
            Files.deleteIfExists(file);
        }
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
