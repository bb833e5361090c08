package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.spi.Engine;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults on the wire, for real: each test creates a network namespace of its own ({@code ip netns}), runs
 * {@link NetworkFaultScenarios} for the engine in a child JVM inside it, and deletes the namespace. The child
 * injects the fault into that namespace only — TCP resets mid-transfer ({@code iptables REJECT --reject-with
 * tcp-reset}), black-holed packets for connect and read timeouts ({@code iptables DROP}), a rate-limited link
 * ({@code tc tbf}) — and checks the defined outcome and that nothing leaked. Needs root, {@code ip},
 * {@code iptables} and {@code tc}; the tests are skipped, saying why, only where namespaces cannot be created.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NetworkFaultSuite {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    /** The engine under test. */
    protected abstract Engine engine();

    @BeforeAll
    void namespacesCanBeCreated() throws Exception {
        String probe = "proactor-probe-" + ProcessHandle.current().pid();
        Result add = run(List.of("ip", "netns", "add", probe), 10);
        Assumptions.assumeTrue(add.exit == 0, "network namespaces cannot be created here (needs root and "
                + "CAP_SYS_ADMIN): " + add.output);
        run(List.of("ip", "netns", "delete", probe), 10);
        for (String tool : List.of("iptables", "tc")) {
            assertEquals(0, run(List.of("sh", "-c", "command -v " + tool), 10).exit,
                    tool + " is missing: install it (apt-get install -y iptables iproute2)");
        }
    }

    @Test
    void resetsMidTransferEndBothSidesOnceWithAnIoError() throws Exception {
        scenario("reset-mid-transfer");
    }

    @Test
    void aBlackHoledConnectTimesOut() throws Exception {
        scenario("black-holed-connect");
    }

    @Test
    void aSlowLinkDeliversEveryByteAtItsRate() throws Exception {
        scenario("slow-link");
    }

    /**
     * Adds the scenarios of the raw channel API (per-operation timeouts), for engines that offer it: the
     * Reactor engines run protocol handlers only.
     */
    public abstract static class WithChannelApi extends NetworkFaultSuite {
        @Test
        void aBlackHoledReadTimesOutAndFailsThePendingWriteOnce() throws Exception {
            scenario("black-holed-read");
        }
    }

    void scenario(String name) throws Exception {
        String ns = "proactor-" + ProcessHandle.current().pid() + "-" + NAMESPACES.incrementAndGet();
        Result add = run(List.of("ip", "netns", "add", ns), 10);
        assertEquals(0, add.exit, "ip netns add: " + add.output);
        try {
            assertEquals(0, run(List.of("ip", "-n", ns, "link", "set", "lo", "up"), 10).exit);
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Djdk.nio.maxCachedBufferSize=0"));
            if (Runtime.version().feature() >= 23) {
                command.add("--sun-misc-unsafe-memory-access=allow"); // Netty and jctools use sun.misc.Unsafe
            }
            command.addAll(List.of("-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    NetworkFaultScenarios.class.getName(), engine().name(), name));
            Result child = run(command, 90);
            System.out.println("[" + engine().name() + " " + name + "] " + child.output.strip());
            assertEquals(0, child.exit, name + " on " + engine().name() + ": " + child.output);
            assertTrue(child.output.contains("ok "), child.output);
        } finally {
            run(List.of("ip", "netns", "delete", ns), 10);
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command; its output goes to a file so that a chatty child cannot block on a full pipe. */
    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        File log = File.createTempFile("proactor-fault-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            boolean ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            return new Result(ended ? p.exitValue() : -1, ended ? output : "timed out after " + timeoutSeconds
                    + " s: " + String.join(" ", command) + "\n" + output);
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }
}
