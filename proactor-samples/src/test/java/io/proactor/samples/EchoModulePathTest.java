package io.proactor.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library modules work as JPMS modules: the echo sample runs with {@code java --module-path}, on the JDK
 * this build tests with. The module path holds the library modules as built (their {@code module-info}), Netty,
 * JCTools and SLF4J (explicit modules), and this module's classes in a jar named {@code io.proactor.samples}
 * (an automatic module: the samples themselves have no {@code module-info}). The engines are found through the
 * modules' {@code provides}/{@code uses} alone: {@code META-INF/services} files are not read for named modules.
 */
@Timeout(180)
class EchoModulePathTest {

    /** Module-path jars and directories, by the artifact or module directory their path contains. */
    private static final Pattern LIBRARY = Pattern.compile(
            "(/proactor-(api|core|nio2|iouring|reactor)/target/|/(netty-(common|buffer|resolver|transport"
                    + "|transport-native-unix-common|transport-classes-io_uring|transport-native-io_uring)"
                    + "|jctools-core|slf4j-api|slf4j-simple)-[0-9])");

    @TempDir
    Path dir;

    @Test
    void echoServerAndClientRunOnTheModulePath() throws Exception {
        List<String> modulePath = modulePath();

        Result engines = run(modulePath, "engines");
        assertEquals(0, engines.exit(), engines.toString());
        for (String name : List.of("io_uring", "nio2", "reactor", "virtual-threads")) {
            assertTrue(engines.out().lines().anyMatch(l -> l.startsWith(name + " ")),
                    "engine " + name + " found through module-info's provides: " + engines);
        }

        for (String engine : List.of("nio2", "reactor")) {
            Process server = start(modulePath, "echo-server", "--port", "0", "--engine", engine);
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                        StandardCharsets.UTF_8));
                String banner = CompletableFuture.supplyAsync(() -> readLine(lines)).get(60, TimeUnit.SECONDS);
                assertNotNull(banner, "the server printed where it listens");
                Matcher m = Pattern.compile("listening on [^:]+:(\\d+) \\(engine (\\S+),").matcher(banner);
                assertTrue(m.find(), banner);
                assertEquals(engine, m.group(2), banner);

                Result client = run(modulePath, "echo-client", "--port", m.group(1), "--engine", engine,
                        "--connections", "4", "--messages", "50", "--size", "100");
                assertEquals(0, client.exit(), client.toString());
                assertTrue(client.out().contains("200 round trips of 100 bytes"), client.toString());
            } finally {
                server.destroy();
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server stopped");
            }
        }
    }

    private List<String> modulePath() throws IOException {
        List<String> path = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            String unix = entry.replace(File.separatorChar, '/');
            if (LIBRARY.matcher(unix).find() && !unix.contains("/test-classes")) {
                path.add(entry);
            }
        }
        for (String module : List.of("proactor-api", "proactor-core", "proactor-nio2", "proactor-iouring",
                "proactor-reactor", "netty-transport-classes-io_uring", "jctools-core", "slf4j-api")) {
            assertTrue(path.stream().anyMatch(p -> p.contains(module)), module + " on the module path: " + path);
        }
        path.add(samplesJar().toString());
        return path;
    }

    /** This module's main classes as an automatic module named {@code io.proactor.samples}. */
    private Path samplesJar() throws IOException {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        Path jar = dir.resolve("proactor-samples.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Automatic-Module-Name"), "io.proactor.samples");
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream jarOut = new JarOutputStream(out, manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.startsWith("META-INF/")) {
                    continue; // no services of its own, and no second manifest
                }
                jarOut.putNextEntry(new JarEntry(name));
                Files.copy(f, jarOut);
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static List<String> command(List<String> modulePath, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--module-path", String.join(File.pathSeparator, modulePath),
                // the explicit modules are required by nobody (the samples are an automatic module), and the
                // io_uring natives by nobody at all: resolve everything on the path
                "--add-modules", "ALL-MODULE-PATH",
                "--enable-native-access=io.netty.common",
                "-m", "io.proactor.samples/io.proactor.samples.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private Process start(List<String> modulePath, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(modulePath, args));
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        return pb.redirectError(dir.resolve("server-" + System.nanoTime() + ".err").toFile()).start();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result run(List<String> modulePath, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(modulePath, args));
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        Path out = dir.resolve("run-" + System.nanoTime() + ".out");
        Path err = dir.resolve("run-" + System.nanoTime() + ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, "the command ended within 2 minutes: " + String.join(" ", args));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String readLine(BufferedReader lines) {
        try {
            return lines.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
