package io.proactor.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.protocol.ProtocolServer;
import io.proactor.core.ListenBacklog;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class EchoSampleTest {

    static {
        // engines' one-time probes (io_uring makes a real ring, Netty loads its natives) before any leak count
        io.proactor.Engines.available();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {"single", "worker-pool", "main-sub", "reuseport"})
    void clientVerifiesEveryEchoOfTheServerInEachModel(String model) throws Exception {
        try (ProtocolServer server = EchoServer.start(new String[] {"--port", "0", "--model", model}, out)) {
            int status = EchoClient.run(new String[] {"--port", String.valueOf(server.localAddress().getPort()),
                    "--connections", "20", "--messages", "200", "--size", "100"}, out, err);
            assertEquals(0, status, errBytes.toString(StandardCharsets.UTF_8));
            assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("4000 round trips of 100 bytes"), outBytes.toString());
        }
    }

    @ParameterizedTest(name = "server {0} {1}")
    @CsvSource({"nio2, single", "reactor, single", "reactor, worker-pool", "reactor, main-sub", "reactor, reuseport",
        "virtual-threads, single", "virtual-threads, reuseport"})
    void clientVerifiesEveryEchoOnEachEngine(String engine, String model) throws Exception {
        try (ProtocolServer server = EchoServer.start(new String[] {"--port", "0", "--engine", engine, "--model", model}, out)) {
            assertEquals(engine, server.engine().name());
            // the client runs on the same engine, so each engine is checked against itself as well as the server
            int status = EchoClient.run(new String[] {"--port", String.valueOf(server.localAddress().getPort()),
                    "--engine", engine, "--connections", "20", "--messages", "200", "--size", "100"}, out, err);
            assertEquals(0, status, errBytes.toString(StandardCharsets.UTF_8));
            assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("4000 round trips of 100 bytes"), outBytes.toString());
        }
    }

    @Test
    void badFlagsPrintWhatIsWrongAndTheUsage() {
        String[][] cases = {
            {"--port", "abc"}, {"--port", "70000"}, {"--model", "fast"}, {"--engine", "nope"}, {"--colour", "red"},
            {"--threads"}, {"stray"}, {"--backlog", "0"}, {"--backlog", "-5"}, {"--backlog", "1000001"},
            {"--backlog", "lots"}
        };
        String[] expected = {
            "--port must be a whole number", "--port must be between 0 and 65535", "unknown threading model 'fast'",
            "unknown engine 'nope'", "unknown flag --colour", "flag --threads needs a value", "unexpected argument 'stray'",
            "--backlog must be between 1 and 1000000, was 0", "--backlog must be between 1 and 1000000, was -5",
            "--backlog must be between 1 and 1000000, was 1000001", "--backlog must be a whole number, was 'lots'"
        };
        for (int i = 0; i < cases.length; i++) {
            errBytes.reset();
            assertEquals(2, EchoServer.run(cases[i], out, err), String.join(" ", cases[i]));
            String message = errBytes.toString(StandardCharsets.UTF_8);
            assertTrue(message.contains(expected[i]), message);
            assertTrue(message.contains("usage: proactor echo-server"), message);
        }
        errBytes.reset();
        assertEquals(2, EchoClient.run(new String[] {"--model", "reuseport"}, out, err));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("server-side model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "reuseport"})
    void backlogFlagSetsEveryListenersBacklogAndItsDefaultIsSomaxconn(String model) throws Exception {
        int listeners = model.equals("reuseport") ? 2 : 1;
        try (ProtocolServer server = EchoServer.start(new String[] {"--port", "0", "--model", model}, out)) {
            assertEquals(Collections.nCopies(listeners, ListenBacklog.defaultBacklog()),
                    TestSupport.listenBacklogs(server.localAddress().getPort()));
        }
        try (ProtocolServer server = EchoServer.start(new String[] {"--port", "0", "--model", model,
                "--backlog", "77"}, out)) {
            assertEquals(Collections.nCopies(listeners, 77), TestSupport.listenBacklogs(server.localAddress().getPort()));
        }
        assertTrue(EchoServer.USAGE.contains("--backlog"));
    }

    @Test
    void clientReportsARefusedConnection() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        assertEquals(1, EchoClient.run(new String[] {"--port", String.valueOf(port), "--connections", "1"}, out, err));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("Connection refused"), errBytes.toString());
    }
}
