package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proactor.Engine;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Small helpers shared by the suites. */
public final class TestSupport {

    /** How long any single step of a test may take before it counts as hung. */
    public static final long STEP_SECONDS = 30;

    private TestSupport() {
    }

    /** Deterministic pseudo-random bytes, different for each seed. */
    /**
     * Echoes one message through a server and a client of {@code engine}, then closes both: run it before a
     * first resource count, as an engine's libraries may allocate process-wide memory once, on first use
     * (Netty's io_uring transport keeps static direct buffers).
     */
    public static void useEngineOnce(Engine engine) throws Throwable {
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).handler(Handlers.Echo::new)
                .bind(loopback(0));
             ProtocolClient client = ProtocolClient.builder().engine(engine).build()) {
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = await(client.connect(server.localAddress(), collector));
            CompletableFuture<byte[]> echoed = collector.received(1);
            c.write(ByteBuffer.wrap(new byte[] {1}));
            await(echoed);
            c.close();
            await(collector.closed);
        }
    }

    public static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            data[i] = (byte) r.nextInt(256);
        }
        return data;
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Waits for {@code f} at most {@link #STEP_SECONDS}; unwraps the cause of a failure. */
    public static <T> T await(CompletableFuture<T> f) throws Throwable {
        try {
            return f.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("step did not finish within " + STEP_SECONDS + " s", e);
        }
    }

    /** Waits for {@code f} to fail and returns its cause. */
    public static Throwable awaitFailure(CompletableFuture<?> f) throws Exception {
        try {
            Object value = f.get(STEP_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no failure within " + STEP_SECONDS + " s", e);
        }
    }

    /** Waits (polling, at most {@link #STEP_SECONDS}) until {@code condition} holds. */
    public static void eventually(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + STEP_SECONDS + " s: " + what);
            }
            Thread.sleep(5);
        }
    }

    /**
     * Bytes {@code thread} has allocated so far, every one counted, compiled code or not (HotSpot's
     * per-thread counter): for asserting that a steady state allocates (almost) nothing.
     */
    public static long allocatedBytes(Thread thread) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            throw new AssertionError("this JVM does not count the bytes each thread allocates");
        }
        return threads.getThreadAllocatedBytes(thread.threadId());
    }

    /**
     * The backlog of each TCP listener on {@code port}, as the kernel reports it: {@code ss} (iproute2) shows a
     * listener's backlog in its Send-Q column.
     */
    public static List<Integer> listenBacklogs(int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ss", "-H", "-l", "-t", "-n", "sport = :" + port)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.waitFor(), "ss (iproute2) failed: " + out);
        List<Integer> backlogs = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] columns = line.trim().split("\\s+"); // State Recv-Q Send-Q Local Peer
            assertEquals("LISTEN", columns[0], out);
            backlogs.add(Integer.parseInt(columns[2]));
        }
        return backlogs;
    }

    public static void assertBytesEqual(byte[] expected, ByteBuffer actual) {
        byte[] got = new byte[actual.remaining()];
        actual.get(got);
        assertEquals(expected.length, got.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != got[i]) {
                throw new AssertionError("bytes differ at offset " + i + " of " + expected.length);
            }
        }
    }

    /**
     * Copies the entries of this test's class path that {@code keep} accepts into {@code dir}, every file and
     * directory made world-readable, and returns the copies as a class path: for a child JVM run as an
     * unprivileged user, who may not be able to read {@code ~/.m2} or the build's directories.
     */
    public static String worldReadableClassPath(Path dir, Predicate<String> keep)
            throws IOException {
        String original = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : original.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source) || !keep.test(entry)) {
                continue;
            }
            Path target = dir.resolve((i++) + "-" + source.getFileName());
            try (Stream<java.nio.file.Path> all = Files.walk(source)) {
                for (Path p : all.toList()) {
                    Path t = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            entries.add(target.toString());
        }
        try (Stream<java.nio.file.Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
