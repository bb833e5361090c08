package io.proactor.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Measures how long a server's loop threads spend blocked waiting for the disk, by sampling their state in
 * {@code /proc/PID/task/TID/stat} every millisecond or so: a thread in state {@code D} (uninterruptible
 * sleep) is inside a system call waiting for storage, e.g. {@code sendfile} of a file that is not in the page
 * cache; a loop waiting for sockets sleeps in state {@code S}. Each sample in {@code D} counts the time since
 * the previous sample. The kernel's exact figure ({@code delayacct_blkio_ticks}) needs
 * {@code kernel.task_delayacct=1}, a root setting, so the demo samples instead; a stall shorter than the
 * sampling period may be missed or counted whole, which averages out over thousands of samples.
 *
 * <p><b>Threading.</b> One sampling thread of its own; {@link #snapshot} may be called from any thread.
 */
final class BlockedSampler implements AutoCloseable {

    /** The state of each watched thread now, by thread id. */
    interface States {
        Map<Long, Character> read() throws IOException;
    }

    /**
     * Blocked time so far.
     *
     * @param blockedNanos  summed over the watched threads: time found in {@code D}
     * @param longestNanos  the longest unbroken stretch one thread spent in {@code D}
     * @param threads       watched threads seen at the last sample
     * @param samples       samples taken so far (on a busy machine the sampler gets the CPU less often)
     */
    record Snapshot(long blockedNanos, long longestNanos, int threads, long samples) {
    }

    private final States states;
    private final Map<Long, Long> stretchStart = new HashMap<>();
    private long lastSample = -1;
    private long blocked;
    private long longest;
    private int threads;
    private long samples;
    private final Thread sampler;
    private volatile boolean closed;

    /**
     * Watches the threads {@code states} reports (see {@link #ofProcess}), sampling every {@code period};
     * {@code period} zero: no thread of its own, the caller drives {@link #sample} (tests).
     */
    BlockedSampler(States states, Duration period) {
        this.states = states;
        if (period.isZero()) {
            sampler = null;
            return;
        }
        long periodNanos = period.toNanos();
        sampler = new Thread(() -> {
            while (!closed) {
                try {
                    sample(System.nanoTime());
                    TimeUnit.NANOSECONDS.sleep(periodNanos);
                } catch (IOException e) {
                    return; // the server exited: nothing more to watch
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-blocked-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The states of the threads of {@code pid} whose name ({@code comm}) matches {@code names}. */
    static States ofProcess(long pid, Pattern names) {
        return () -> {
            Map<Long, Character> m = new HashMap<>();
            List<ProcStats.Task> tasks = ProcStats.tasks(pid);
            if (tasks.isEmpty()) {
                throw new IOException("process " + pid + " has no threads (it exited)");
            }
            for (ProcStats.Task t : tasks) {
                if (names.matcher(t.name()).matches()) {
                    m.put(t.tid(), t.state());
                }
            }
            return m;
        };
    }

    /** Takes one sample at {@code now} (nanoseconds, {@link System#nanoTime} scale). */
    synchronized void sample(long now) throws IOException {
        Map<Long, Character> current = states.read();
        long since = lastSample < 0 ? 0 : now - lastSample;
        lastSample = now;
        samples++;
        threads = current.size();
        for (Map.Entry<Long, Character> e : current.entrySet()) {
            if (e.getValue() == 'D') {
                blocked += since;
                long start = stretchStart.computeIfAbsent(e.getKey(), tid -> now - since);
                longest = Math.max(longest, now - start);
            } else {
                stretchStart.remove(e.getKey());
            }
        }
        stretchStart.keySet().retainAll(current.keySet());
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(blocked, longest, threads, samples);
    }

    /** Starts the longest-stretch figure afresh (at a window's opening); the blocked total keeps counting. */
    synchronized void resetLongest() {
        longest = 0;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        if (sampler != null) {
            sampler.interrupt();
            sampler.join();
        }
    }
}
