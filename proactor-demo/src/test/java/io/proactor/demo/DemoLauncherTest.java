package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./proactor demo}, the launcher at the repository's root, with {@code PROACTOR_CLASSPATH} set to this
 * module's class path (so it builds nothing): the launcher starts the demo of this module, and the samples'
 * commands from the same class path.
 */
@Timeout(120)
class DemoLauncherTest {

    private static final Path LAUNCHER = Path.of("..", "proactor").toAbsolutePath().normalize();

    private record Run(int exit, String out, String err) {
    }

    private static Run launch(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        pb.environment().put("PROACTOR_CLASSPATH",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        File out = Files.createTempFile("launcher-", ".out").toFile();
        File err = Files.createTempFile("launcher-", ".err").toFile();
        try {
            Process p = pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(
                    new File("/dev/null"))).start();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the launcher ended");
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    @Test
    void demoHelpPrintsTheDemosFlags() throws Exception {
        Run r = launch("demo", "--help");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(DemoCommand.USAGE.strip(), r.out().strip(), r.toString());
    }

    @Test
    void aBadDemoFlagIsTheDemosUsageError() throws Exception {
        Run r = launch("demo", "--no-such-flag");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("usage: proactor demo"), r.toString());
    }

    @Test
    void theSamplesRunFromTheSameClassPath() throws Exception {
        Run r = launch("help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
    }
}
