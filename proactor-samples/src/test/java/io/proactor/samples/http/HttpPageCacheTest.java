package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.nio.file.ExtendedOpenOption;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.PageCache;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The file server's reason for two send modes, measured with {@link PageCache} ({@code mincore}, as
 * {@code fincore} does): a file at or above the direct-I/O threshold is served without filling the page cache,
 * one below it (the control, showing the measurement sees cached pages) is served from the page cache and stays
 * there. The file is written with
 * O_DIRECT so it starts uncached. Completion engines only: the Reactor engines send every file zero-copy.
 * The file lives under {@code target/} because O_DIRECT needs a real file system ({@code /tmp} may be tmpfs).
 */
@Timeout(120)
class HttpPageCacheTest {

    private static final int SIZE = 16 * 1024 * 1024;

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private Path root;
    private Path file;

    @BeforeEach
    void uncachedFile() throws Exception {
        Files.createDirectories(Path.of("target"));
        root = Files.createTempDirectory(Path.of("target"), "www-");
        file = root.resolve("large.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT)) {
            ByteBuffer block = ByteBuffer.allocateDirect(SIZE + 4096).alignedSlice(4096).limit(SIZE);
            block.put(0, HttpTestSupport.random(SIZE, 11));
            while (block.hasRemaining()) {
                ch.write(block);
            }
        }
    }

    @AfterEach
    void remove() throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(root);
    }

    @ParameterizedTest(name = "{0}, threshold {1}")
    @CsvSource({"io_uring, 1048576, false", "io_uring, 33554432, true", "nio2, 1048576, false", "nio2, 33554432, true"})
    void onlyFilesBelowTheThresholdFillThePageCache(String engine, long threshold, boolean cached) throws Exception {
        long before = residentBytes(file);
        assertTrue(before < SIZE / 10, "written with O_DIRECT, the file starts uncached: " + before);
        HttpServerConfig config = HttpServerConfig.of(root).withDirectIoThreshold(threshold);
        try (HttpFileServer server = HttpTestSupport.start(engine, ThreadingModel.SINGLE, config);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI uri = URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/large.bin");
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertArrayEquals(sha.digest(HttpTestSupport.random(SIZE, 11)), sha.digest(r.body()));
        }
        long after = residentBytes(file);
        System.out.printf("page cache: %s, threshold %d, %d-byte file: resident %d bytes before, %d after%n",
                engine, threshold, SIZE, before, after);
        if (cached) {
            assertTrue(after > SIZE * 9L / 10, "zero-copy reads through the page cache, resident " + after);
        } else {
            assertTrue(after < SIZE / 10, "O_DIRECT leaves the page cache alone, resident " + after);
        }
    }

    static long residentBytes(Path file) throws Exception {
        return PageCache.residentBytes(file);
    }
}
