package io.proactor.tests;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a file descriptor, a thread or a direct buffer behind. Before each test it counts
 * the process's open descriptors ({@code /proc/self/fd}), live threads and direct buffers (the JDK's
 * {@code direct} buffer pool, after a GC); after the test it waits up to {@link #SETTLE_MILLIS} for each to
 * come back to its earlier value (closing and freeing happen asynchronously), then fails naming what leaked.
 *
 * <p>Tests must close every group, server and client they open. Run with {@code -Djdk.nio.maxCachedBufferSize=0}
 * so the JDK's per-thread temporary buffer cache does not look like a leak.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {

    static final long SETTLE_MILLIS = 10_000;
    /** Threads of the JVM itself, which come and go outside any test's control. */
    private static final List<String> JVM_THREADS = List.of("ForkJoinPool.commonPool", "Attach Listener",
            "process reaper", "JFR", "Common-Cleaner", "Notification Thread", "surefire", "HttpClient", "junit-jupiter-timeout-watcher",
            // the JDK's virtual-thread machinery: pollers and unparkers start once per process and stay
            "MasterPoller", "Read-Poller", "Write-Poller", "VirtualThread-unparker", "VirtualThread-unblocker");
    /**
     * The carrier threads of the JDK's virtual-thread scheduler (a ForkJoinPool the JDK owns): they are started
     * and retired by the scheduler (30 s idle), whatever the test did, so they are not the test's threads.
     */
    private static final String CARRIER_THREAD_CLASS = "jdk.internal.misc.CarrierThread";

    static {
        // The JDK opens a few descriptors once per process on first use of its channels (e.g. the socket
        // pair sun.nio.ch uses to close channels asynchronously, the
        // random devices behind temporary file names): open them before the first count.
        try {
            java.nio.channels.SocketChannel.open().close();
            java.nio.channels.ServerSocketChannel.open().close();
            new java.security.SecureRandom().nextLong(); // NativePRNG keeps /dev/random and /dev/urandom open
            JdkPollers.create(); // the JDK's pollers keep epoll descriptors open for good
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Makes a virtual thread wait for socket input, and sleep, once, so that the JDK creates its pollers and its
     * scheduler's delay thread (threads and epoll descriptors it keeps for the life of the process) before the
     * first count rather than during a test. A class of its own: a virtual thread running a lambda of
     * {@code LeakCheck} would wait for {@code LeakCheck}'s static initializer, which is waiting for it.
     */
    private static final class JdkPollers {
        static void create() throws IOException {
            try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()
                    .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                 java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(listener.getLocalAddress());
                 java.nio.channels.SocketChannel server = listener.accept()) {
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        server.read(java.nio.ByteBuffer.allocate(1));
                        Thread.sleep(1); // a timed park starts the scheduler's delay thread (JDK 25), also for good
                    } catch (IOException | InterruptedException ignored) {
                        // the warm-up only needs to park once each way
                    }
                });
                Thread.sleep(50); // let the reader park in the poller before the byte arrives
                client.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Set<Thread> threadsBefore;
    private TreeMap<Integer, String> fdsBefore;
    private long directCountBefore;

    @Override
    public void beforeEach(ExtensionContext context) {
        directCountBefore = directCountAfterGc(-1);
        threadsBefore = Thread.getAllStackTraces().keySet();
        fdsBefore = openDescriptors();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        verify(context.getDisplayName());
    }

    /** Compares with the counts taken by {@link #beforeEach}; throws an {@link AssertionError} naming leaks. */
    void verify(String testName) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        List<String> problems = new ArrayList<>();

        List<Thread> extra = List.of();
        while (System.currentTimeMillis() < deadline) {
            extra = newThreads();
            if (extra.isEmpty()) {
                break;
            }
            Thread.sleep(20);
        }
        if (!extra.isEmpty()) {
            problems.add("threads left running: "
                    + extra.stream().map(Thread::getName).collect(Collectors.joining(", ")));
        }

        TreeMap<Integer, String> fds = openDescriptors();
        while (fds.size() > fdsBefore.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            fds = openDescriptors();
        }
        if (fds.size() > fdsBefore.size()) {
            TreeMap<Integer, String> added = new TreeMap<>(fds);
            fdsBefore.keySet().forEach(added::remove);
            problems.add("file descriptors left open: " + (fds.size() - fdsBefore.size()) + " " + added);
        }

        long direct = directCountAfterGc(directCountBefore);
        if (direct > directCountBefore) {
            problems.add("direct buffers not freed: " + (direct - directCountBefore)
                    + " (before " + directCountBefore + ", after " + direct + ")");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("resource leak after " + testName + ": "
                    + String.join("; ", problems));
        }
    }

    private List<Thread> newThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !threadsBefore.contains(t) && !isJvmThread(t))
                .toList();
    }

    /** Whether {@code t} is one of the JVM's own threads, which come and go whatever the code under test does. */
    static boolean isJvmThread(Thread t) {
        return JVM_THREADS.stream().anyMatch(p -> t.getName().startsWith(p))
                || t.getClass().getName().equals(CARRIER_THREAD_CLASS);
    }

    /**
     * Direct buffers alive after a GC; when {@code target} is not negative, keeps collecting (up to the settle
     * time) until the count falls to it, since buffers are freed by a cleaner thread after the GC (a target of
     * 0 waits too: a test that started with no direct buffer must end with none).
     */
    private static long directCountAfterGc(long target) {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        long count;
        do {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            count = direct.getCount();
        } while (target >= 0 && count > target && System.currentTimeMillis() < deadline);
        return direct.getCount();
    }

    static TreeMap<Integer, String> openDescriptors() {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("/proc/") && target.endsWith("/fd")) {
                        continue; // the descriptor this listing itself holds open
                    }
                } catch (IOException gone) {
                    continue; // the descriptor used to list the directory, already closed
                }
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd: the leak check needs Linux", e);
        }
        return fds;
    }
}
