package io.proactor.demo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How busy the load generator (this process) was over a measurement window, to tell when the client rather
 * than the server set the pace. The load's I/O runs on one event-loop thread per {@code LoadGenerator}: when that
 * thread was on a CPU nearly the whole window, or the process used nearly all the CPUs it may run on, the
 * figures of that measurement are the client's limit, and the report marks them "client-bound".
 *
 * @param processShare   CPU time of the whole process ÷ window (1.0 = one core busy throughout)
 * @param busiestShare   CPU time of its busiest thread ÷ window
 * @param busiestThread  that thread's name
 * @param cpus           CPUs the load may run on
 */
record LoadCpu(double processShare, double busiestShare, String busiestThread, int cpus) {

    /** A thread (or all the CPUs) on a CPU this share of the window or more is saturated. */
    static final double SATURATED = 0.90;

    /** The load's use of the CPU between two readings of its threads {@code wallNanos} apart. */
    static LoadCpu between(List<ProcStats.Task> before, List<ProcStats.Task> after, long wallNanos, int cpus) {
        Map<Long, Long> start = new HashMap<>();
        before.forEach(t -> start.put(t.tid(), t.cpuNanos()));
        long total = 0;
        long busiest = 0;
        String busiestName = "none";
        for (ProcStats.Task t : after) {
            // a thread born inside the window counts from zero
            long used = t.cpuNanos() - start.getOrDefault(t.tid(), 0L);
            total += used;
            if (used > busiest) {
                busiest = used;
                busiestName = t.name();
            }
        }
        return new LoadCpu(total / (double) wallNanos, busiest / (double) wallNanos, busiestName, cpus);
    }

    /** Whether the client's CPU, not the server, may have limited the measurement. */
    boolean clientBound() {
        return busiestShare >= SATURATED || processShare >= SATURATED * cpus;
    }

    /** For tables: CPU use in % of one core, with the mark when client-bound. */
    String cell() {
        return String.format("%.0f%%%s", processShare * 100, clientBound() ? " client-bound" : "");
    }
}
