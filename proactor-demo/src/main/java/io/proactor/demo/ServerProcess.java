package io.proactor.demo;

import io.proactor.load.EchoServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An echo server ({@link EchoServerMain}) or a file server ({@link DemoHttpServerMain}) in its own JVM, started
 * with this JVM's class path and, when the demo pins, under {@code taskset}. Its standard input is the control channel: closing it stops the server, so a
 * server never outlives the demo, even when the demo is killed.
 */
final class ServerProcess implements AutoCloseable {

    private static final long START_TIMEOUT_SECONDS = 60;

    /**
     * Servers not yet stopped. An interrupted demo (Ctrl-C) runs the JVM's exit hooks: this one stops them
     * all, nginx included, which has no standard input to notice the end of the demo by.
     */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroy),
                "demo-stop-servers"));
    }

    /** Heap and direct memory in use after a full GC, as the server reports them. */
    record Memory(long heapUsed, long direct) {
    }

    private final Variant variant;
    private final Process process;
    private final BufferedReader stdout;
    private final Writer stdin;
    private final Path stderr;
    private final int port;
    private final long filesAtStart;
    /** A server outside the demo (nginx): no control channel, stopped with SIGTERM. */
    private final boolean external;
    /** Files and directories to delete once it stopped, in this order. */
    private List<Path> scratch = List.of();

    private ServerProcess(Variant variant, Process process, Path stderr, int knownPort) throws IOException {
        this.variant = variant;
        this.process = process;
        LIVE.add(process);
        this.stderr = stderr;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        this.external = knownPort > 0;
        this.port = external ? awaitAccepting(knownPort) : awaitListening();
        this.filesAtStart = ProcStats.openFiles(process.pid());
    }

    /**
     * Starts {@code command} (a server of its own, such as nginx) that will listen on loopback {@code port}, and
     * waits until it accepts connections. It has no control channel: {@link #close} sends it SIGTERM.
     */
    static ServerProcess startExternal(Variant variant, List<String> command, int port, List<Path> scratch)
            throws IOException {
        Path stderr = Files.createTempFile("demo-server-" + variant.name(), ".err");
        stderr.toFile().deleteOnExit();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(stderr);
            throw e;
        }
        try {
            ServerProcess server = new ServerProcess(variant, p, stderr, port);
            server.scratch = List.copyOf(scratch);
            return server;
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            Files.deleteIfExists(stderr);
            throw e;
        }
    }

    private int awaitAccepting(int knownPort) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), knownPort)) {
                return knownPort;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the " + variant.name() + " server started");
                }
            }
        }
        throw new IOException("the " + variant.name() + " server did not accept connections on port " + knownPort
                + errorTail());
    }

    /**
     * Starts the echo server of {@code variant} on a free loopback port and waits until it listens.
     *
     * @param launchPrefix what goes before {@code java}: {@code taskset -c CPUS}, or nothing
     * @throws IOException when it cannot start; the message holds the end of its error output
     */
    static ServerProcess startEcho(Variant variant, int threads, List<String> launchPrefix) throws IOException {
        return start(variant, launchPrefix, EchoServerMain.class, variant.echoKind(), "0",
                variant.model().label(), Integer.toString(variant.threadsFor(threads)));
    }

    /**
     * Starts the file server of {@code variant} serving {@code root}, like {@link #startEcho}; a variant with
     * {@link Variant#bufferedFiles} never uses {@code O_DIRECT}.
     */
    static ServerProcess startHttp(Variant variant, int threads, List<String> launchPrefix, Path root)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(variant.engine(), variant.model().label(),
                Integer.toString(variant.threadsFor(threads)), root.toString()));
        if (variant.bufferedFiles()) {
            args.add(Long.toString(Long.MAX_VALUE));
        }
        return start(variant, launchPrefix, DemoHttpServerMain.class, args.toArray(String[]::new));
    }

    private static ServerProcess start(Variant variant, List<String> launchPrefix, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(launchPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("demo-server-" + variant.name(), ".err");
        stderr.toFile().deleteOnExit(); // also when the demo is interrupted (Ctrl-C runs the JVM's exit hooks)
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(stderr);
            throw e;
        }
        try {
            return new ServerProcess(variant, p, stderr, 0);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            Files.deleteIfExists(stderr);
            throw e;
        }
    }

    private static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(List.of(
                "--enable-native-access=ALL-UNNAMED",
                // 10,000 idle connections on nio2 pin a 16 KiB direct receive buffer each: leave room for them.
                "-Xmx1g", "-XX:MaxDirectMemorySize=1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow"); // jctools and Netty use sun.misc.Unsafe
        }
        return flags;
    }

    private int awaitListening() throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the " + variant.name() + " server did not listen within " + START_TIMEOUT_SECONDS
                    + " s" + errorTail());
        } catch (ExecutionException e) {
            throw new IOException("the " + variant.name() + " server failed to start: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the " + variant.name() + " server started");
        }
        if (first == null || !first.startsWith("listening ")) {
            throw new IOException("the " + variant.name() + " server did not start" + errorTail());
        }
        return Integer.parseInt(first.substring("listening ".length()).trim());
    }

    private String errorTail() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            List<String> lines = Files.readAllLines(stderr).stream()
                    .filter(l -> !l.startsWith("WARNING:")).toList();
            return lines.isEmpty() ? "" : ": " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5),
                    lines.size()));
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    Variant variant() {
        return variant;
    }

    long pid() {
        return process.pid();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Open descriptors once it listened: what it holds with no connection. */
    long filesAtStart() {
        return filesAtStart;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the server to collect garbage and report its heap and direct memory. */
    Memory memory() throws IOException {
        stdin.write("memory\n");
        stdin.flush();
        String reply = stdout.readLine();
        if (reply == null || !reply.startsWith("memory ")) {
            throw new IOException("the " + variant.name() + " server did not report its memory (got '" + reply
                    + "')" + errorTail());
        }
        long heap = -1;
        long direct = -1;
        for (String field : reply.substring("memory ".length()).trim().split(" ")) {
            String[] kv = field.split("=");
            if (kv[0].equals("heapUsed")) {
                heap = Long.parseLong(kv[1]);
            } else if (kv[0].equals("direct")) {
                direct = Long.parseLong(kv[1]);
            }
        }
        return new Memory(heap, direct);
    }

    /** Stops the server (end of its standard input, or SIGTERM; killed if it has not exited 10 s later). */
    @Override
    public void close() {
        try {
            if (external) {
                process.destroy();
            }
            stdin.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
            try {
                Files.deleteIfExists(stderr);
                for (Path p : scratch) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // a temporary file left in /tmp is harmless
            }
        }
    }
}
