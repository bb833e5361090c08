package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engines;
import io.proactor.load.HttpGet;
import io.proactor.load.HttpLoad;
import io.proactor.load.LoadGenerator;
import io.proactor.load.LoadResult;
import io.proactor.load.LoadSettings;
import io.proactor.load.LoadWindow;
import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpFileServer;
import io.proactor.samples.http.HttpServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP side of the load generator against the real file server: counts what is right, catches what is not. */
class HttpLoadTest {

    @TempDir
    static Path root;
    static byte[] content;
    static LoadGenerator load;

    @BeforeAll
    static void setUp() throws Exception {
        content = new byte[3000];
        new SplittableRandom(3).nextBytes(content);
        Files.write(root.resolve("file.bin"), content);
        load = new LoadGenerator();
    }

    @AfterAll
    static void tearDown() {
        load.close();
    }

    private static LoadResult run(HttpFileServer server, HttpGet get) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.localAddress().getPort());
        return load.run(new LoadSettings(address, 3, 2, Duration.ofMillis(100), Duration.ofMillis(400)),
                new HttpLoad(get), LoadWindow.UNWATCHED, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "reactor"})
    void countsVerifiedResponsesAndCatchesWrongOnes(String engine) throws Exception {
        try (HttpFileServer server = HttpFileServer.start(HttpServerConfig.of(root), Engines.require(engine),
                ThreadingModel.SINGLE, 1, new InetSocketAddress("127.0.0.1", 0))) {
            LoadResult good = run(server, new HttpGet("/file.bin", content));
            assertEquals(0, good.errors(), good.firstError());
            assertTrue(good.requests() > 10, "responses verified: " + good.requests());
            assertTrue(good.latencyMicros(50) > 0);

            byte[] changed = content.clone();
            changed[2000] ^= 1;
            LoadResult corrupt = run(server, new HttpGet("/file.bin", changed));
            assertTrue(corrupt.errors() > 0 && corrupt.firstError().contains("body of /file.bin differs from the file at byte 2000"),
                    corrupt.firstError());

            LoadResult shorter = run(server, new HttpGet("/file.bin", Arrays.copyOf(content, 10)));
            assertTrue(shorter.firstError().contains("Content-Length 3000, the file has 10 bytes"),
                    shorter.firstError());

            LoadResult missing = run(server, new HttpGet("/nothing.bin", content));
            assertTrue(missing.firstError().contains("HTTP/1.1 404"), missing.firstError());
        }
    }
}
