package io.proactor.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.tests.Launcher;
import io.proactor.tests.Launcher.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./proactor}, the launcher at the repository's root, run as a user would (with {@code PROACTOR_CLASSPATH}
 * set to this build's class path, so it builds nothing): it finds a JDK 21+ and starts the sample whatever
 * {@code JAVA_TOOL_OPTIONS} and its kin make the JVM print before its version line, and the sample's JVM still
 * gets those options.
 */
@Timeout(120)
class LauncherTest {

    @TempDir
    Path dir;

    @Test
    void startsWithNoJavaOptionsInTheEnvironment() throws Exception {
        Run r = Launcher.run(Map.of(), "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
        assertFalse(r.err().contains("Picked up"), r.toString());
    }

    @Test
    void helpListsTheCommandsTheDemoIncluded() throws Exception {
        Run r = Launcher.run(Map.of(), "help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
        for (String command : List.of("echo-server", "echo-client", "serve", "engines", "demo")) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(command + " ")), command + " in\n" + r);
        }
    }

    @Test
    void startsWithJavaToolOptionsSetAndPassesThemToTheSample() throws Exception {
        Run r = Launcher.run(Map.of("JAVA_TOOL_OPTIONS", "-Dproactor.launcherTest=tool",
                "JDK_JAVA_OPTIONS", "-Dproactor.launcherTest=jdk",
                "_JAVA_OPTIONS", "-Dproactor.launcherTest=underscore"), "--help");
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.err().contains("no JDK 21"), r.toString());
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
        // the sample's JVM, and only it (the launcher's version probes run without them), picked them up
        for (String picked : List.of("Picked up JAVA_TOOL_OPTIONS: -Dproactor.launcherTest=tool",
                "Picked up JDK_JAVA_OPTIONS: -Dproactor.launcherTest=jdk",
                "Picked up _JAVA_OPTIONS: -Dproactor.launcherTest=underscore")) {
            assertEquals(1, r.err().lines().filter(l -> l.contains(picked)).count(), picked + " once in\n" + r);
        }
    }

    @Test
    void aBadOptionInJavaToolOptionsIsTheSamplesErrorNotAMissingJdk() throws Exception {
        Run r = Launcher.run(Map.of("JAVA_TOOL_OPTIONS", "-XX:+NoSuchProactorOption"), "--help");
        assertFalse(r.err().contains("no JDK 21"), "the JDK was found: " + r);
        assertTrue(r.err().contains("NoSuchProactorOption"), "the JVM says what is wrong: " + r);
        assertTrue(r.exit() != 0, r.toString());
    }

    /** A JAVA_HOME whose java prints a line of its own before the version line, whatever the environment. */
    private Path fakeJavaHome(String version) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk-" + version).resolve("bin"));
        Path java = bin.resolve("java");
        String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, """
                #!/bin/sh
                case " $* " in
                  *" -version "*)
                    echo "Picked up JAVA_TOOL_OPTIONS: -Dfrom.a.wrapper=1" >&2
                    echo 'openjdk version "%s" 2026-01-20' >&2
                    echo "OpenJDK Runtime Environment (build %s)" >&2
                    exit 0 ;;
                esac
                echo "fake java ran" >&2
                exec "%s" "$@"
                """.formatted(version, version, real));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin.getParent();
    }

    @Test
    void findsTheVersionLineWhereverItIsInTheOutput() throws Exception {
        Run r = Launcher.run(Map.of("JAVA_HOME", fakeJavaHome("25.0.1").toString()), "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("fake java ran"), "JAVA_HOME's JDK 25 was chosen: " + r);
        assertTrue(r.out().startsWith("usage: proactor COMMAND"), r.toString());
    }

    @Test
    void passesOverAJavaHomeOlderThan21() throws Exception {
        Run r = Launcher.run(Map.of("JAVA_HOME", fakeJavaHome("17.0.9").toString()), "--help");
        assertFalse(r.err().contains("fake java ran"), "a JDK 17 is not used: " + r);
        assertTrue(r.exit() == 0 || r.err().contains("no JDK 21 or newer found"), r.toString());
    }
}
