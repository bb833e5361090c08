package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The readings the demo takes from /proc and perf, against this test's own process and perf's real output. */
class DemoMeasurementTest {

    @Test
    void parsesPerfCountsAndElapsedTime() {
        String perf = """

                 Performance counter stats for process id '4242':

                           123456      raw_syscalls:sys_enter
                             7890      syscalls:sys_enter_io_uring_enter

                       2.503217043 seconds time elapsed

                """;
        SyscallCounter.Counts c = SyscallCounter.parse(perf);
        assertEquals(123456, c.syscalls());
        assertEquals(7890, c.ioUringEnter());
        assertEquals(2.503217043, c.seconds(), 1e-9);
    }

    @Test
    void anEventPerfDidNotCountIsMissingNotZero() {
        SyscallCounter.Counts c = SyscallCounter.parse("""
                     <not counted>      raw_syscalls:sys_enter
                             12      syscalls:sys_enter_io_uring_enter
                       0.4 seconds time elapsed
                """);
        assertEquals(-1, c.syscalls());
        assertEquals(12, c.ioUringEnter());
    }

    @Test
    void readsCpuTimeAndContextSwitchesOfAProcessThatWorks() throws Exception {
        assertNull(ProcStats.unsupportedReason());
        long pid = ProcessHandle.current().pid();
        ProcStats.Snapshot before = ProcStats.read(pid);
        long sum = 0;
        long end = System.nanoTime() + 50_000_000;
        while (System.nanoTime() < end) {
            sum += Long.numberOfTrailingZeros(System.nanoTime());
        }
        Thread.sleep(20); // sleeping is a voluntary context switch
        ProcStats.Snapshot after = ProcStats.read(pid);
        // 50 ms of spinning: at least 10 ms of CPU whichever source (schedstat or 10 ms ticks) is used
        assertTrue(after.cpuNanos() - before.cpuNanos() >= 10_000_000L,
                "CPU ns " + (after.cpuNanos() - before.cpuNanos()) + " (" + sum + ")");
        assertTrue(after.contextSwitches() > before.contextSwitches());
        assertTrue(ProcStats.rssBytes(pid) > 1 << 20, "a JVM's RSS is above 1 MiB");
        assertTrue(ProcStats.openFiles(pid) >= 3);
        assertTrue(ProcStats.openFileLimit() >= ProcStats.openFiles(pid));
    }

    @Test
    void cpuPressureIsACounterWhereTheKernelKeepsOne() throws Exception {
        long first = ProcStats.cpuPressureMicros();
        Thread.sleep(10);
        long second = ProcStats.cpuPressureMicros();
        if (first < 0) {
            assertEquals(-1, second, "no pressure accounting, then none either");
        } else {
            assertTrue(second >= first, first + " then " + second);
        }
    }

    @Test
    void freeThreadsIsWhatTheKernelAllowsLessWhatRuns() throws Exception {
        long free = ProcStats.freeThreads();
        long pidMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
        // this JVM runs a few dozen threads, and no kernel allows fewer than a few hundred
        assertTrue(free > 100 && free < pidMax, free + " of " + pidMax);
    }
}
