package io.proactor.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the kernel accounts for a process, read from {@code /proc} (Linux): CPU time and context switches
 * summed over its threads, resident memory, open descriptors. Threads that end between two readings take
 * their counts with them; the echo servers' threads live as long as the server.
 */
final class ProcStats {

    /** {@code /proc/PID/stat} counts CPU time in clock ticks of this many per second (USER_HZ on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    /**
     * One reading.
     *
     * @param cpuNanos        on-CPU time of all threads: {@code schedstat} (nanoseconds), or utime+stime from
     *                        {@code /proc/PID/stat} (10 ms ticks) where the kernel keeps no schedstat
     * @param contextSwitches voluntary + involuntary switches of all threads ({@code /proc/PID/task/*}/status)
     */
    record Snapshot(long cpuNanos, long contextSwitches) {
    }

    /**
     * One thread of a process as the kernel sees it.
     *
     * @param name     its {@code comm}: the Java thread name cut to 15 bytes
     * @param state    R running, S sleeping (waiting for an event: an idle loop), D uninterruptible (waiting for
     *                 the disk: a loop stalled in a file read), ...
     * @param cpuNanos on-CPU time ({@code schedstat}; utime+stime where the kernel keeps no schedstat)
     */
    record Task(long tid, String name, char state, long cpuNanos) {
    }

    private ProcStats() {
    }

    /** {@code null} when this machine has the {@code /proc} files the demo reads, else what is missing. */
    static String unsupportedReason() {
        Path self = Path.of("/proc/self");
        if (!Files.isReadable(self.resolve("status")) || !Files.isDirectory(self.resolve("task"))) {
            return "the demo reads server CPU time, context switches and memory from /proc, which this system "
                    + "does not have (Linux only)";
        }
        return null;
    }

    /** How CPU time is read here, for the report. */
    static String cpuSource(long pid) {
        return hasSchedstat(pid) ? "/proc/PID/task/*/schedstat (ns on CPU)" : "/proc/PID/stat utime+stime (10 ms ticks)";
    }

    static Snapshot read(long pid) throws IOException {
        long switches = 0;
        long schedNanos = 0;
        for (Path task : taskDirs(pid)) {
            try {
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                String sched = Files.readString(task.resolve("schedstat")).trim();
                schedNanos += Long.parseLong(sched.substring(0, sched.indexOf(' ')));
            } catch (IOException | RuntimeException e) {
                // the thread ended while we read it, or this kernel keeps no schedstat (handled below)
            }
        }
        long cpu = hasSchedstat(pid) ? schedNanos : statCpuNanos(pid);
        return new Snapshot(cpu, switches);
    }

    /** The threads of {@code pid} (those that end while it reads are left out). */
    static List<Task> tasks(long pid) throws IOException {
        List<Task> all = new ArrayList<>();
        for (Path task : taskDirs(pid)) {
            try {
                Task t = parseTask(Long.parseLong(task.getFileName().toString()),
                        Files.readString(task.resolve("stat")));
                long cpu = t.cpuNanos();
                try {
                    String sched = Files.readString(task.resolve("schedstat")).trim();
                    cpu = Long.parseLong(sched.substring(0, sched.indexOf(' ')));
                } catch (IOException | RuntimeException e) {
                    // no schedstat in this kernel: the 10 ms ticks of stat stand
                }
                all.add(new Task(t.tid(), t.name(), t.state(), cpu));
            } catch (IOException | RuntimeException e) {
                // the thread ended while we read it
            }
        }
        return all;
    }

    /** A thread from its {@code /proc/PID/task/TID/stat} line, CPU time from utime+stime. */
    static Task parseTask(long tid, String stat) {
        // The name (field 2) is in parentheses and may hold spaces and parentheses: the last ')' ends it.
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).trim().split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        return new Task(tid, name, f[0].charAt(0), ticks * (1_000_000_000L / TICKS_PER_SECOND));
    }

    /**
     * Kernel threads that can still be started on this machine by this user: the lowest of
     * {@code kernel.pid_max}, {@code kernel.threads-max} and this process's limit on processes, less the
     * threads running now ({@code /proc/loadavg}); {@link Long#MAX_VALUE} when it cannot tell.
     */
    static long freeThreads() {
        try {
            // Line by line: Files.readString gets only the first byte of a /proc/sys file (it sizes its read by
            // the file's size, which /proc reports as 0, and the sysctl handler answers a short read).
            long max = Math.min(Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim()),
                    Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/threads-max")).get(0).trim()));
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max processes")) {
                    String soft = line.substring("Max processes".length()).trim().split("\\s+")[0];
                    if (!soft.equals("unlimited")) {
                        max = Math.min(max, Long.parseLong(soft));
                    }
                }
            }
            String[] load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            long running = Long.parseLong(load[3].substring(load[3].indexOf('/') + 1));
            return max - running;
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The soft and hard limits on open files of process {@code pid} ({@code /proc/PID/limits}). */
    static String openFileLimits(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return f[0] + " (hard " + f[1] + ")";
            }
        }
        return "unknown";
    }

    /** Resident set size in bytes ({@code VmRSS} of {@code /proc/PID/status}). */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
            }
        }
        throw new IOException("no VmRSS line in /proc/" + pid + "/status");
    }

    /** Open descriptors of the process. */
    static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /** The soft limit on open files of this process ({@code Max open files} in {@code /proc/self/limits}). */
    static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' line in /proc/self/limits");
    }

    /**
     * Microseconds during which some runnable task of the system waited for a CPU ({@code total} of the
     * {@code some} line of {@code /proc/pressure/cpu}), or -1 where the kernel has no pressure accounting.
     */
    static long cpuPressureMicros() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some ")) {
                    for (String field : line.split(" ")) {
                        if (field.startsWith("total=")) {
                            return Long.parseLong(field.substring("total=".length()));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no PSI in this kernel (CONFIG_PSI off, or psi=0): the report says so
        }
        return -1;
    }

    private static List<Path> taskDirs(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return s.toList();
        }
    }

    private static boolean hasSchedstat(long pid) {
        return Files.isReadable(Path.of("/proc", Long.toString(pid), "schedstat"));
    }

    private static long statCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
