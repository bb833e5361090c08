package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./proactor}, the launcher at the repository's root, run as a user would, for the tests of the modules
 * it starts (proactor-samples, proactor-demo). A test runs in its module's directory, so the launcher is in the
 * parent. {@code PROACTOR_CLASSPATH} is the test's own class path, so that the launcher builds nothing.
 */
public final class Launcher {

    private static final Path SCRIPT = Path.of("..", "proactor").toAbsolutePath().normalize();
    /** Long enough for the launcher's JDK probes and the command's own JVM on a busy machine. */
    private static final long WAIT_SECONDS = 90;

    /** How a run ended: its exit status and everything it printed. */
    public record Run(int exit, String out, String err) {
    }

    private Launcher() {
    }

    /**
     * Runs {@code ./proactor args} to its end, with stdin empty. The environment is this JVM's without the
     * variables that make a JVM print "Picked up ..." ({@code JAVA_TOOL_OPTIONS} and its kin, which a test's
     * surroundings may set), plus {@code env}: a test that wants them sets them there.
     */
    public static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        pb.environment().put("PROACTOR_CLASSPATH",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        pb.environment().putAll(env);
        // files, not pipes: a run that prints more than a pipe holds cannot block while it is waited for
        File out = Files.createTempFile("launcher-", ".out").toFile();
        File err = Files.createTempFile("launcher-", ".err").toFile();
        try {
            Process p = pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(
                    new File("/dev/null"))).start();
            assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the launcher ended");
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }
}
