package io.proactor.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.core.ListenBacklog;
import io.proactor.samples.http.HttpFileServer;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ServeCommandTest {

    static {
        io.proactor.Engines.available();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void flagsConfigureTheServer() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "content");
        try (HttpFileServer server = ServeCommand.start(new String[] {dir.toString(), "--port", "0", "--engine", "reactor",
                "--model", "main-sub", "--threads", "2", "--directio-threshold", "64K", "--header-timeout", "500ms",
                "--idle-timeout", "2s", "--max-connections", "7", "--backlog", "64", "--access-log"}, out);
             HttpClient http = HttpClient.newHttpClient()) {
            assertEquals("reactor", server.protocolServer().engine().name());
            assertEquals(64 * 1024, server.config().directIoThreshold());
            assertEquals(Duration.ofMillis(500), server.config().headerTimeout());
            assertEquals(Duration.ofSeconds(2), server.config().idleTimeout());
            assertEquals(7, server.config().maxConnections());
            assertTrue(server.config().accessLog());
            assertEquals(64, server.config().backlog());
            assertEquals(List.of(64), TestSupport.listenBacklogs(server.localAddress().getPort()));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/a.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("content", r.body());
        }
    }

    @Test
    void withoutTheFlagTheServerListensWithTheKernelsSomaxconn() throws Exception {
        try (HttpFileServer server = ServeCommand.start(new String[] {dir.toString(), "--port", "0"}, out)) {
            assertEquals(0, server.config().backlog(), "not given: the default");
            assertEquals(Duration.ofSeconds(60), server.config().sendTimeout(), "not given: nginx's default");
            assertEquals(List.of(ListenBacklog.defaultBacklog()),
                    TestSupport.listenBacklogs(server.localAddress().getPort()));
        }
    }

    @Test
    void sendTimeoutSetsTheServersSendTimeoutAndZeroTurnsItOff() throws Exception {
        try (HttpFileServer server = ServeCommand.start(new String[] {dir.toString(), "--port", "0",
                "--send-timeout", "5"}, out)) {
            assertEquals(Duration.ofSeconds(5), server.config().sendTimeout());
        }
        try (HttpFileServer server = ServeCommand.start(new String[] {dir.toString(), "--port", "0",
                "--send-timeout", "0"}, out)) {
            assertEquals(Duration.ZERO, server.config().sendTimeout());
        }
    }

    @Test
    void helpPrintsTheUsage() throws Exception {
        assertNull(ServeCommand.start(new String[] {"--help"}, out));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("--directio-threshold"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("--backlog"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("--send-timeout"));
        assertTrue(Main.USAGE.contains("serve"));
    }

    @Test
    void statusPrintsTheServersMetricsEverySoManySeconds() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "content");
        try (HttpFileServer server = ServeCommand.start(new String[] {dir.toString(), "--port", "0", "--status", "1"},
                out, err);
             HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 3; i++) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort()
                        + "/a.txt")).build(), HttpResponse.BodyHandlers.ofString());
            }
            TestSupport.eventually(() -> errBytes.toString(StandardCharsets.UTF_8).contains("status "),
                    "a status line within a second or so");
            String line = errBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("status "))
                    .findFirst().orElseThrow();
            for (String figure : List.of("connections", "ops ", "completed", "in flight", "wake-ups/s",
                    "events each", "tasks ", "queued", "lag mean", "buffer exhaustions", "CQ overflows", "stalls 0", "send timeouts 0")) {
                assertTrue(line.contains(figure), figure + " in: " + line);
            }
            assertTrue(!line.contains("ops n/a"), "the default engine here counts operations: " + line);
        }
    }

    @Test
    void badArgumentsPrintWhatIsWrongAndTheUsage() {
        String d = dir.toString();
        String[][] cases = {
            {}, {dir.resolve("missing").toString()}, {d, "--directio-threshold", "lots"}, {d, "--idle-timeout", "10"},
            {d, "--header-timeout", "0s"}, {d, "--max-connections", "0"}, {d, "--engine", "nope"}, {d, d}, {d, "--access-log", "yes"},
            {d, "--backlog", "0"}, {d, "--backlog", "4k"}, {d, "--status", "0"}, {d, "--status", "5s"},
            {d, "--send-timeout", "-1"}, {d, "--send-timeout", "10s"}, {d, "--send-timeout", "86401"}
        };
        String[] expected = {
            "give the directory to serve", "is not a directory", "--directio-threshold must be a size",
            "--idle-timeout must be a positive duration", "--header-timeout must be a positive duration",
            "--max-connections must be between 1", "unknown engine 'nope'", "unexpected argument", "unexpected argument 'yes'",
            "--backlog must be between 1 and 1000000, was 0", "--backlog must be a whole number, was '4k'",
            "--status must be between 1 and 3600, was 0", "--status must be a whole number, was '5s'",
            "--send-timeout must be between 0 and 86400, was -1", "--send-timeout must be a whole number, was '10s'",
            "--send-timeout must be between 0 and 86400, was 86401"
        };
        for (int i = 0; i < cases.length; i++) {
            errBytes.reset();
            assertEquals(2, ServeCommand.run(cases[i], out, err), String.join(" ", cases[i]));
            String message = errBytes.toString(StandardCharsets.UTF_8);
            assertTrue(message.contains(expected[i]), message);
            assertTrue(message.contains("usage: proactor serve DIR"), message);
        }
    }
}
