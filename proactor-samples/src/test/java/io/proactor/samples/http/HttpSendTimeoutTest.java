package io.proactor.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The file server's send timeout end to end, on every engine: a client that asks for a large file and never
 * reads is closed once the timeout passed, counted in the server's metrics, and the server holds nothing more.
 * With the 60 s default such a client would hold its connection (and the file) for a minute.
 */
class HttpSendTimeoutTest {

    static {
        HttpTestSupport.probeEngines();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path base;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.proactor.samples.http.HttpTestSupport#engines")
    void aClientThatStopsReadingALargeFileIsClosedAfterTheSendTimeout(String engine, ThreadingModel model)
            throws Exception {
        Path root = Files.createDirectories(base.resolve("www"));
        int size = 16 * 1024 * 1024; // above the direct-I/O threshold and what the socket buffers hold
        Files.write(root.resolve("large.bin"), HttpTestSupport.random(size, 7));
        HttpServerConfig config = HttpServerConfig.of(root).withSendTimeout(Duration.ofMillis(300));
        try (HttpFileServer server = HttpTestSupport.start(engine, model, config);
             Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024); // before connecting: a small window
            client.connect(server.localAddress(), 5000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write(HttpTestSupport.get("/large.bin").getBytes(StandardCharsets.US_ASCII));
            TestSupport.eventually(() -> server.protocolServer().metrics().sendTimeouts() == 1,
                    "the stalled response is closed by the send timeout");
            TestSupport.eventually(() -> server.connectionCount() == 0, "the server forgot the connection");
            long received = 0;
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received += n;
                }
            } catch (SocketException reset) {
                // closed with unread input: a reset ends the stream as well
            }
            assertTrue(received < size, "the client got " + received + " bytes: the whole file, not cut off");
            assertEquals(1, server.protocolServer().metrics().sendTimeouts());
        }
    }
}
