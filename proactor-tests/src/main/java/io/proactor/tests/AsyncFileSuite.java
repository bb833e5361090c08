package io.proactor.tests;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.ProactorGroup;
import io.proactor.ProactorOpenOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Files on one completion-based engine: positional reads and writes, end of file, fsync, direct I/O, and
 * the file-to-socket transfer. Files live under {@code target/} (a real disk file system: direct I/O is
 * refused by tmpfs).
 */
@Timeout(value = 120)
public abstract class AsyncFileSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    protected ProactorGroup group;
    protected Path dir;

    protected abstract Engine engine();

    @BeforeEach
    void open() throws IOException {
        group = ProactorGroup.open(engine(), 1);
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target"), "files-");
    }

    @AfterEach
    void close() throws IOException {
        group.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void writesAndReadsAtPositionsAndSyncs() throws Throwable {
        Path path = dir.resolve("data.bin");
        try (AsyncFile file = await(group.next().openFile(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ))) {
            byte[] a = randomBytes(5000, 1);
            byte[] b = randomBytes(3000, 2);
            assertEquals(3000, await(file.write(ByteBuffer.wrap(b), 10_000)));
            assertEquals(5000, await(file.write(ByteBuffer.wrap(a), 0)));
            await(file.force(true));
            await(file.force(false));
            assertEquals(13_000, file.size());

            ByteBuffer readB = ByteBuffer.allocate(3000);
            assertEquals(3000, await(file.read(readB, 10_000)));
            assertBytesEqual(b, readB.flip());
            ByteBuffer readA = ByteBuffer.allocateDirect(5000);
            assertEquals(5000, await(file.read(readA, 0)));
            assertBytesEqual(a, readA.flip());
            ByteBuffer hole = ByteBuffer.allocate(100);
            assertEquals(100, await(file.read(hole, 6000)));
            assertBytesEqual(new byte[100], hole.flip());
        }
        assertEquals(13_000, Files.size(path));
    }

    @Test
    void readsShortAtEndOfFileAndMinusOnePastIt() throws Throwable {
        Path path = dir.resolve("short.bin");
        Files.write(path, randomBytes(1000, 3));
        try (AsyncFile file = await(group.next().openFile(path))) {
            ByteBuffer tail = ByteBuffer.allocate(500);
            assertEquals(200, await(file.read(tail, 800)), "short read at the end");
            assertEquals(-1, await(file.read(ByteBuffer.allocate(10), 1000)), "at the end");
            assertEquals(-1, await(file.read(ByteBuffer.allocate(10), 5000)), "past the end");
        }
    }

    @Test
    void openingAMissingFileFails() throws Throwable {
        Throwable failure = awaitFailure(group.next().openFile(dir.resolve("missing")));
        assertInstanceOf(NoSuchFileException.class, failure);
    }

    /**
     * Opens one after another, from another thread and from the proactor's own, files whose paths are short,
     * long (beyond 512 bytes) and not ASCII, in an order where a short path follows a long one: each read must
     * give that file's own bytes (an engine that reuses memory for the path must end each one where it ends).
     */
    @Test
    void opensEachFileByItsOwnPathWhateverItsLengthAndCharacters() throws Throwable {
        Path deep = dir;
        for (int i = 0; i < 4; i++) {
            deep = Files.createDirectories(deep.resolve(String.valueOf((char) ('a' + i)).repeat(150)));
        }
        // a name beyond ASCII only where the JDK itself writes file names in UTF-8 (not under the C locale)
        String other = "UTF-8".equals(System.getProperty("sun.jnu.encoding")) ? "\u00e9t\u00e9-\u6587\u4ef6.bin" : "u.bin";
        Path[] paths = {
            dir.resolve("s.bin"), deep.resolve("long.bin"), dir.resolve("s.bin"), dir.resolve(other),
            dir.resolve("t.bin"), deep.resolve("long.bin")
        };
        for (int i = 0; i < paths.length; i++) {
            Files.write(paths[i], paths[i].toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        io.proactor.Proactor proactor = group.next();
        for (int round = 0; round < 2; round++) {
            for (Path path : paths) {
                CompletableFuture<AsyncFile> opened = new CompletableFuture<>();
                if (round == 0) {
                    opened = proactor.openFile(path);
                } else {
                    CompletableFuture<AsyncFile> f = opened;
                    proactor.execute(() -> proactor.openFile(path).whenComplete((file, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(file);
                        }
                    }));
                }
                byte[] expected = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                try (AsyncFile file = await(opened)) {
                    ByteBuffer content = ByteBuffer.allocate(expected.length + 1);
                    assertEquals(expected.length, await(file.read(content, 0)), path.toString());
                    assertBytesEqual(expected, content.flip());
                }
            }
        }
    }

    @Test
    void operationsOnAClosedFileFail() throws Throwable {
        Path path = dir.resolve("closed.bin");
        Files.write(path, new byte[10]);
        AsyncFile file = await(group.next().openFile(path));
        file.close();
        assertInstanceOf(ClosedChannelException.class, awaitFailure(file.read(ByteBuffer.allocate(1), 0)));
    }

    @Test
    void directIoReadsAlignedBuffersAndReportsMisalignment() throws Throwable {
        Path path = dir.resolve("direct.bin");
        byte[] content = randomBytes(64 * 1024, 4);
        Files.write(path, content);
        try (AsyncFile file = await(group.next().openFile(path, StandardOpenOption.READ, ProactorOpenOption.DIRECT))) {
            ByteBuffer aligned = ByteBuffer.allocateDirect(2 * 8192).alignedSlice(4096).limit(8192);
            assertEquals(8192, await(file.read(aligned, 4096)));
            byte[] expected = new byte[8192];
            System.arraycopy(content, 4096, expected, 0, 8192);
            assertBytesEqual(expected, aligned.flip());

            ByteBuffer misaligned = ByteBuffer.allocateDirect(3 * 4096).position(1).limit(4097).slice();
            Throwable failure = awaitFailure(file.read(misaligned, 0));
            assertInstanceOf(IOException.class, failure);
            assertTrue(failure.getMessage() != null && !failure.getMessage().isBlank(),
                    "the error says what is wrong: " + failure);
            ByteBuffer badPosition = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096);
            assertInstanceOf(IOException.class, awaitFailure(file.read(badPosition, 100)));
        }
    }

    @Test
    void transfersAFileLargerThanTheSocketBuffers() throws Throwable {
        Path path = dir.resolve("big.bin");
        byte[] content = randomBytes(8 * 1024 * 1024 + 123, 5);
        Files.write(path, content);
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket peer = new Socket()) {
                peer.connect(listener.localAddress());
                try (AsyncSocket server = await(accepted);
                     AsyncFile file = await(group.next().openFile(path))) {
                    CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readN(peer, content.length));
                    assertEquals((long) content.length, await(server.transferFrom(file, 0, content.length)));
                    assertBytesEqual(content, ByteBuffer.wrap(await(received)));

                    // asking for more than the file holds sends what there is
                    CompletableFuture<byte[]> tail = CompletableFuture.supplyAsync(() -> readN(peer, 123));
                    assertEquals(123L, await(server.transferFrom(file, 8 * 1024 * 1024, 1_000_000)));
                    byte[] expected = new byte[123];
                    System.arraycopy(content, 8 * 1024 * 1024, expected, 0, 123);
                    assertBytesEqual(expected, ByteBuffer.wrap(await(tail)));
                }
            }
        }
    }

    @Test
    void transfersHeadersThenAFileAsOneOperation() throws Throwable {
        Path path = dir.resolve("with-headers.bin");
        byte[] content = randomBytes(100_000, 6);
        Files.write(path, content);
        byte[] large = randomBytes(3 * 1024 * 1024, 7); // more than the socket buffers: sent in several goes
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket peer = new Socket()) {
                peer.connect(listener.localAddress());
                try (AsyncSocket server = await(accepted);
                     AsyncFile file = await(group.next().openFile(path))) {
                    // direct headers take the engine's joined path where it has one, heap ones the general path
                    for (boolean direct : new boolean[] {true, false}) {
                        ByteBuffer head = buffer("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII), direct);
                        ByteBuffer big = buffer(large, direct);
                        ByteBuffer[] headers = {buffer(new byte[] {9}, direct), head, buffer(new byte[0], direct), big};
                        int headerBytes = head.remaining() + big.remaining();
                        CompletableFuture<byte[]> received =
                                CompletableFuture.supplyAsync(() -> readN(peer, headerBytes + 1000));
                        HandlerFuture<Long> sent = new HandlerFuture<>();
                        server.transferFrom(headers, 1, 3, file, 5000, 1000, null, sent);
                        assertEquals(1000L, await(sent), "the result counts the file's bytes");
                        byte[] expected = concat("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII), large,
                                Arrays.copyOfRange(content, 5000, 6000));
                        assertBytesEqual(expected, ByteBuffer.wrap(await(received)));
                        assertEquals(0, head.remaining() + big.remaining(), "the headers' positions advanced");
                        assertEquals(1, headers[0].remaining(), "buffers outside the range are left alone");

                        // no file bytes asked for: the headers alone; more than the file holds: what there is
                        CompletableFuture<byte[]> tail = CompletableFuture.supplyAsync(() -> readN(peer, 2 + 10));
                        assertEquals(0L, await(server.transferFrom(
                                new ByteBuffer[] {buffer(new byte[] {1, 2}, direct)}, file, 0, 0)));
                        assertEquals(10L, await(server.transferFrom(
                                new ByteBuffer[] {buffer(new byte[0], direct)}, file, content.length - 10, 500)));
                        assertBytesEqual(concat(new byte[] {1, 2}, Arrays.copyOfRange(content, content.length - 10,
                                content.length)), ByteBuffer.wrap(await(tail)));
                    }

                    HandlerFuture<Long> unused = new HandlerFuture<>();
                    assertThrows(NullPointerException.class,
                            () -> server.transferFrom(null, 0, 0, file, 0, 1, null, unused));
                    assertThrows(NullPointerException.class,
                            () -> server.transferFrom(new ByteBuffer[1], 0, 1, file, 0, 1, null, unused));
                    assertThrows(IndexOutOfBoundsException.class,
                            () -> server.transferFrom(new ByteBuffer[1], 1, 1, file, 0, 1, null, unused));
                    assertThrows(IllegalArgumentException.class,
                            () -> server.transferFrom(new ByteBuffer[0], 0, 0, file, -1, 1, null, unused));
                }
            }
        }
    }

    private static ByteBuffer buffer(byte[] bytes, boolean direct) {
        return (direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length)).put(bytes).flip();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    private static byte[] readN(Socket peer, int n) {
        try {
            InputStream in = peer.getInputStream();
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** A handler whose outcome is a future, for the handler forms that have no future form. */
    private static final class HandlerFuture<V> extends CompletableFuture<V> implements CompletionHandler<V, Object> {
        @Override
        public void completed(V result, Object attachment) {
            complete(result);
        }

        @Override
        public void failed(Throwable exc, Object attachment) {
            completeExceptionally(exc);
        }
    }
}
