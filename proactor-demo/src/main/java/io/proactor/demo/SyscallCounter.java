package io.proactor.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Counts a process's system calls over a window with {@code perf stat -p PID} on the tracepoints
 * {@code raw_syscalls:sys_enter} (every system call) and {@code syscalls:sys_enter_io_uring_enter}: the kernel
 * counts each event as it happens, so the server is not slowed as it would be under {@code strace}. perf needs
 * a moment to attach, so the window it saw is the elapsed time it reports, not the load's window; the caller
 * divides by the requests of that time (throughput × elapsed).
 */
final class SyscallCounter {

    static final String ALL_SYSCALLS = "raw_syscalls:sys_enter";
    static final String IO_URING_ENTER = "syscalls:sys_enter_io_uring_enter";
    private static final List<String> EVENTS = List.of(ALL_SYSCALLS, IO_URING_ENTER);

    /**
     * Counts over one window.
     *
     * @param syscalls     every system call; -1 if perf did not count it
     * @param ioUringEnter {@code io_uring_enter} calls; -1 if perf did not count it
     */
    record Counts(long syscalls, long ioUringEnter, double seconds) {
    }

    private final Process perf;

    private SyscallCounter(Process perf) {
        this.perf = perf;
    }

    /**
     * {@code null} when perf can count the tracepoints here, else why not (shown as "n/a" with this reason).
     */
    static String unavailableReason() {
        try {
            Process p = new ProcessBuilder("perf", "stat", "-e", String.join(",", EVENTS), "--", "true")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "perf stat did not finish within 20 s";
            }
            if (p.exitValue() != 0 || out.contains("not supported") || out.contains("<not counted>")) {
                String first = out.strip().lines().findFirst().orElse("exit status " + p.exitValue());
                return "perf cannot count " + ALL_SYSCALLS + " here (" + first + "); it needs tracefs and root or "
                        + "kernel.perf_event_paranoid=-1";
            }
            return null;
        } catch (IOException e) {
            return "perf is not installed (Debian/Ubuntu: apt-get install linux-perf)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking perf";
        }
    }

    private static List<String> command(String target) {
        return List.of("perf", "stat", "--no-big-num", "-e", String.join(",", EVENTS), "-p", target);
    }

    /** Starts counting the system calls of process {@code pid}. */
    static SyscallCounter start(long pid) throws IOException {
        return new SyscallCounter(new ProcessBuilder(command(Long.toString(pid))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start());
    }

    /** Stops counting (perf prints its counts on SIGINT) and returns them. */
    Counts stop() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
        }
        return parse(out);
    }

    /** Reads perf's default output: one {@code COUNT EVENT} line per event, then {@code S seconds time elapsed}. */
    static Counts parse(String perfOutput) {
        long syscalls = -1;
        long enters = -1;
        double seconds = 0;
        for (String line : perfOutput.lines().map(String::trim).toList()) {
            String[] f = line.split("\\s+");
            if (f.length >= 2 && f[0].matches("\\d+")) {
                if (f[1].equals(ALL_SYSCALLS)) {
                    syscalls = Long.parseLong(f[0]);
                } else if (f[1].equals(IO_URING_ENTER)) {
                    enters = Long.parseLong(f[0]);
                }
            } else if (line.endsWith("seconds time elapsed")) {
                seconds = Double.parseDouble(f[0]);
            }
        }
        return new Counts(syscalls, enters, seconds);
    }
}
