package io.proactor.demo;

import io.proactor.load.LoadWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the demo reads around one load's measurement window: the server's CPU time and context switches
 * ({@code /proc}), its system calls ({@code perf}, when it can count them), its resident memory at the end,
 * the load generator's own CPU use (for the client-bound mark), the latency of each stretch of the window
 * (latency over time) and, when given a {@link BlockedSampler}, how long the server's loop threads were
 * blocked on the disk.
 */
final class ServerWindow implements LoadWindow {

    /** The p99 latency of the requests answered in one stretch of the window, {@code secondsIn} in. */
    record Point(double secondsIn, double p99Micros) {
    }

    private final long pid;
    private final boolean countSyscalls;
    private final int loadCpus;
    private final BlockedSampler blocked;
    private final List<Point> latencyOverTime = new ArrayList<>();
    ProcStats.Snapshot before;
    ProcStats.Snapshot after;
    long rssAfter = -1;
    SyscallCounter.Counts syscalls;
    LoadCpu loadCpu;
    BlockedSampler.Snapshot blockedBefore;
    BlockedSampler.Snapshot blockedAfter;
    private SyscallCounter perf;
    private List<ProcStats.Task> loadBefore;
    private long openedAt;
    private long closedAt;

    /**
     * @param countSyscalls whether to run perf over the window
     * @param loadCpus      CPUs the load (this process) may run on
     * @param blocked       the server's blocked-time sampler, or {@code null}
     */
    ServerWindow(long pid, boolean countSyscalls, int loadCpus, BlockedSampler blocked) {
        this.pid = pid;
        this.countSyscalls = countSyscalls;
        this.loadCpus = loadCpus;
        this.blocked = blocked;
    }

    @Override
    public void opened() {
        try {
            openedAt = System.nanoTime();
            loadBefore = ProcStats.tasks(ProcessHandle.current().pid());
            before = ProcStats.read(pid);
            if (blocked != null) {
                blocked.resetLongest();
                blockedBefore = blocked.snapshot();
            }
            perf = countSyscalls ? SyscallCounter.start(pid) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void closing() {
        try {
            after = ProcStats.read(pid);
            closedAt = System.nanoTime();
            if (blocked != null) {
                blockedAfter = blocked.snapshot();
            }
            rssAfter = ProcStats.rssBytes(pid);
            loadCpu = LoadCpu.between(loadBefore, ProcStats.tasks(ProcessHandle.current().pid()),
                    closedAt - openedAt, loadCpus);
            syscalls = perf == null ? null : perf.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void interval(double secondsIn, Histogram latencies) {
        if (latencies.getTotalCount() > 0) {
            latencyOverTime.add(new Point(secondsIn, latencies.getValueAtPercentile(99) / 1000.0));
        }
    }

    /** Seconds between the two readings of the server. */
    double seconds() {
        return (closedAt - openedAt) / 1e9;
    }

    /** The server's CPU time over the window, in nanoseconds. */
    long serverCpuNanos() {
        return after.cpuNanos() - before.cpuNanos();
    }

    List<Point> latencyOverTime() {
        return List.copyOf(latencyOverTime);
    }
}
