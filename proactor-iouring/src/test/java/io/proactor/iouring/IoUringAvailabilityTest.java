package io.proactor.iouring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.proactor.tests.SystemTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a user gets when io_uring cannot run, tested for real in child JVMs: a low {@code RLIMIT_MEMLOCK}
 * for an unprivileged user (the shell's {@code ulimit -l}, and {@code setpriv} when run by root; Netty's own
 * probe ring still fits, the engine's real ring does not), Netty's native code switched off, and no native
 * library for this CPU on the class path (as on a platform Netty publishes none for). In each case fail-fast
 * gives an {@code EngineUnavailableException} that says what to change, and fallback ({@code Engines.best()}
 * and {@code Engines.prefer}) picks nio2 with one log line and works.
 */
@Timeout(120)
class IoUringAvailabilityTest {

    private static Path classpathCopy;
    private static String classpath;

    /** The unprivileged user cannot read /root/.m2: copy the class path somewhere world-readable. */
    @BeforeAll
    static void copyClasspath() throws IOException {
        classpathCopy = Files.createTempDirectory("proactor-availability-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        classpath = io.proactor.tests.TestSupport.worldReadableClassPath(classpathCopy, entry -> true);
    }

    @AfterAll
    static void deleteCopy() throws IOException {
        try (Stream<Path> all = Files.walk(classpathCopy)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Result runProbe(List<String> prefix, String... jvmFlags) throws Exception {
        return runProbe(classpath, prefix, jvmFlags);
    }

    private static Result runProbe(String classpath, List<String> prefix, String... jvmFlags) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", classpath, EngineChoiceProbe.class.getName()));
        Process p = new ProcessBuilder(command).directory(classpathCopy.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        Result r = new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertEquals(0, r.exit, r.toString());
        return r;
    }

    private record Result(int exit, String out, String err) {
        String line(String key) {
            return out.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "' in\n" + this));
        }

        long count(String text) {
            return err.lines().filter(l -> l.contains(text)).count();
        }
    }

    @Test
    void withNormalLimitsTheRealRingIsCreatedAndChosen() throws Exception {
        Result r = runProbe(List.of());
        assertEquals("true", r.line("available"));
        assertEquals("io_uring", r.line("best"));
        assertEquals("io_uring", r.line("prefer"));
        assertEquals("ok", r.line("echo"));
    }

    @Test
    void lowMemlockForAnUnprivilegedUserFallsBackOrFailsWithWhatToChange() throws Exception {
        // the shell's own ulimit (64 KiB, soft and hard), so no tool is needed; root also drops to nobody, as
        // CAP_IPC_LOCK would ignore the limit: that takes setpriv (util-linux, on every Debian)
        List<String> prefix = new ArrayList<>(List.of("sh", "-c", "ulimit -l 64 && exec \"$@\"", "sh"));
        if ("root".equals(System.getProperty("user.name"))) {
            if (SystemTools.find("setpriv").isEmpty()) {
                Assumptions.abort(SystemTools.announceSkip(getClass().getSimpleName()
                        + ".lowMemlockForAnUnprivilegedUserFallsBackOrFailsWithWhatToChange",
                        "as root it runs the probe as nobody with setpriv, which is not on the PATH (Debian: "
                                + "util-linux)"));
            }
            prefix.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        Result r = runProbe(prefix);
        assertEquals("false", r.line("available"), r.toString());
        assertTrue(r.line("cause").contains("locked-memory limit"), r.line("cause"));
        assertTrue(r.line("require-error").contains("prlimit --memlock"), r.line("require-error"));
        assertEquals("nio2", r.line("prefer"));
        assertEquals(1, r.count("falling back to 'nio2'"), "one log line says why:\n" + r.err);
        assertEquals("ok", r.line("echo"), "the fallback engine works");
    }

    @Test
    void nettyNativeCodeSwitchedOffMakesTheEngineUnavailableWithACause() throws Exception {
        Result r = runProbe(List.of(), "-Dio.netty.transport.noNative=true");
        assertEquals("false", r.line("available"));
        assertTrue(r.line("cause").contains("io_uring is not available here"), r.line("cause"));
        assertTrue(r.line("require-error").contains("nio2"), r.line("require-error"));
        assertEquals("nio2", r.line("best"));
        assertEquals("nio2", r.line("prefer"));
        assertEquals(1, r.count("falling back to 'nio2'"), r.err);
        assertEquals("ok", r.line("echo"));
    }

    /** A mistyped setting names itself and what works, at the first look at the engine, and nothing crashes. */
    @Test
    void aMistypedRingSettingMakesTheEngineUnavailableSayingWhatToChange() throws Exception {
        Result r = runProbe(List.of(), "-D" + IoUringEngine.RING_SIZE_PROPERTY + "=4k");
        assertEquals("false", r.line("available"));
        assertTrue(r.line("cause").contains("-D" + IoUringEngine.RING_SIZE_PROPERTY + "=4k is not a valid value")
                && r.line("cause").contains("from 1 to 32768"), r.line("cause"));
        assertTrue(r.line("require-error").contains("from 1 to 32768"), r.line("require-error"));
        assertEquals("nio2", r.line("prefer"));
        assertEquals(1, r.count("falling back to 'nio2'"), "one log line says why:\n" + r.err);
        assertEquals("ok", r.line("echo"));
    }

    /** The class path of a consumer on a CPU none of the bundled native jars is for. */
    @Test
    void noNativeLibraryForThisCpuFallsBackToNio2WithOneLine() throws Exception {
        String withoutNatives = Stream.of(classpath.split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().contains("netty-transport-native-io_uring"))
                .collect(Collectors.joining(File.pathSeparator));
        Result r = runProbe(withoutNatives, List.of());
        assertEquals("false", r.line("available"));
        assertTrue(r.line("cause").contains("no io_uring native library for linux-"), r.line("cause"));
        assertTrue(r.line("cause").contains("linux-x86_64 and linux-aarch_64"), r.line("cause"));
        assertTrue(r.line("require-error").contains("use the nio2 engine"), r.line("require-error"));
        assertEquals("nio2", r.line("best"));
        assertEquals("nio2", r.line("prefer"));
        assertEquals(1, r.count("falling back to 'nio2'"), "one log line says why:\n" + r.err);
        assertEquals("ok", r.line("echo"));
    }

    /** What depending on proactor-iouring brings: Netty's io_uring library for both Linux CPUs it publishes. */
    @Test
    void bothLinuxNativeLibrariesComeWithTheModule() {
        ClassLoader loader = IoUringEngine.class.getClassLoader();
        for (String arch : List.of("x86_64", "aarch_64")) {
            String resource = "META-INF/native/libnetty_transport_native_io_uring42_" + arch + ".so";
            assertTrue(loader.getResource(resource) != null, resource + " on the class path");
        }
    }
}
