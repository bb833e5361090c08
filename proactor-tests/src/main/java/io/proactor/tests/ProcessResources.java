package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * What this process holds at a quiet point of a soak (no client session running, the server holding no
 * connection): open descriptors, platform threads (the JVM's own threads aside, as {@link LeakCheck} sees them),
 * direct memory in use and heap in use after a GC. Two snapshots of a healthy run are flat within
 * {@link #assertFlatSince}'s tolerances.
 */
public record ProcessResources(int descriptors, int threads, long directBytes, long heapAfterGc) {

    /** Descriptors and threads must come back exactly. */
    static final int DESCRIPTOR_TOLERANCE = 0;
    static final int THREAD_TOLERANCE = 0;
    /**
     * The engines' buffer pools are bounded (output chunks: 256 of 16 KiB per loop) but fill as the peak number
     * of busy connections grows, which a warm-up does not always reach; a leak of even one buffer per session
     * would pass this many times over in a short soak (tens of thousands of sessions).
     */
    static final long DIRECT_MEMORY_TOLERANCE = 8L << 20;
    static final long HEAP_TOLERANCE = 16L << 20;

    /** Waits until {@code openConnections} reads 0 and what they held is released, then takes a snapshot. */
    public static ProcessResources atQuietPoint(IntSupplier openConnections) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
        while (openConnections.getAsInt() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(openConnections.getAsInt() + " server connections never closed");
            }
            Thread.sleep(10);
        }
        // descriptors of the last connections are closed after their last completion, and a receive-buffer pool
        // that grew under load shrinks back after a quiet period (io_uring: about a second)
        Thread.sleep(1200);
        System.gc();
        Thread.sleep(100); // direct buffers are freed by the cleaner after the GC
        System.gc();
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long threads = Thread.getAllStackTraces().keySet().stream()
                // the JVM's own threads aside: e.g. the "process reaper" a test that ran a subprocess left behind
                // ends 60 s after its last use, which may fall inside a soak
                .filter(t -> !t.isVirtual() && !LeakCheck.isJvmThread(t))
                .count();
        Runtime rt = Runtime.getRuntime();
        return new ProcessResources(LeakCheck.openDescriptors().size(), (int) threads, direct.getMemoryUsed(),
                rt.totalMemory() - rt.freeMemory());
    }

    /** Fails naming what grew past its tolerance since {@code before}. */
    public void assertFlatSince(ProcessResources before) {
        assertEquals(before.descriptors, descriptors, DESCRIPTOR_TOLERANCE, "open descriptors");
        assertEquals(before.threads, threads, THREAD_TOLERANCE, "platform threads");
        assertTrue(directBytes <= before.directBytes + DIRECT_MEMORY_TOLERANCE,
                "direct memory grew: " + before.directBytes + " -> " + directBytes);
        assertTrue(heapAfterGc <= before.heapAfterGc + HEAP_TOLERANCE,
                "heap after GC grew: " + before.heapAfterGc + " -> " + heapAfterGc);
    }

    @Override
    public String toString() {
        return descriptors + " fds, " + threads + " threads, " + directBytes / 1024 + " KiB direct, "
                + heapAfterGc / 1024 / 1024 + " MiB heap after GC";
    }
}
