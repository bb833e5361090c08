package io.proactor;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of what one proactor (an event loop) has done since it started, or of a group of them: the sum
 * ({@link #sum}). Taken with {@link Proactor#metrics()}, {@link ProactorGroup#metrics()} or
 * {@link io.proactor.protocol.ProtocolServer#metrics()}.
 *
 * <p><b>Threading.</b> A snapshot may be taken from any thread at any time; taking one costs the loop nothing.
 * The loop writes its counters as plain fields, and the snapshot reads them one by one without a lock: each
 * figure is monotonic (except {@link #taskQueueDepth} and the in-flight counts) and may be a few operations
 * behind, and figures in one snapshot are not taken at one instant. Rates come from the difference of two
 * snapshots.
 *
 * <p><b>Not available.</b> A figure an engine cannot report is {@value #NOT_AVAILABLE} (-1), never an
 * estimate; {@link #operations} is empty where the engine starts no operations (the readiness engines, whose
 * loops read and write on readiness). Which figures each engine reports is in the README's section on
 * metrics.
 *
 * @param name                      the proactor's name, or the group's (for a sum)
 * @param proactors                 how many proactors the figures cover: 1 for one proactor
 * @param operations                per kind of operation, how many were submitted and completed; empty when
 *                                  the engine starts none. Unmodifiable, in {@link OperationKind} order
 * @param loopIterations            turns of the event loop: each runs the queued tasks, the due timers, then
 *                                  one wait-and-dispatch step
 * @param eventsDispatched          events the wait-and-dispatch steps handed out: completions on the
 *                                  completion-based engines (on io_uring every CQE the ring delivered, the
 *                                  engine's own ones too; on nio2 also the completions the JDK's channel
 *                                  group delivered on the proactor thread), ready keys on the reactor. Divided by
 *                                  {@link #loopIterations}: completions per wake-up
 * @param ringEnters                {@code io_uring_enter} system calls; {@value #NOT_AVAILABLE} on every engine
 *                                  today: Netty's {@code IoUringIoHandler} makes them and does not count them
 * @param completionQueueOverflows  io_uring only: times the proactor found the kernel's completion ring
 *                                  overflowed ({@code IORING_SQ_CQ_OVERFLOW} set: completions wait in the
 *                                  kernel's overflow list). It looks before each wait-and-dispatch step and
 *                                  when one step has dispatched a whole ring's worth of completions, so an
 *                                  episode counts once or a few times, never 0 times.
 *                                  {@value #NOT_AVAILABLE} on other engines and where the ring's flags cannot
 *                                  be read
 * @param bufferExhaustions         io_uring only: receives that found the proactor's provided buffers used up
 *                                  ({@code -ENOBUFS}) and had to wait for one; {@value #NOT_AVAILABLE} elsewhere
 * @param tasksExecuted             tasks run by the loop ({@link Proactor#execute} and the engine's own
 *                                  hand-offs), not counting timers
 * @param taskQueueDepth            tasks queued and not yet run, at the moment of the snapshot
 * @param lagSamples                tasks whose loop lag was measured: one in every {@value #LAG_SAMPLE_INTERVAL}
 *                                  tasks handed to the loop
 * @param lagNanosTotal             the sum of the measured lags: the time from a sampled task's hand-off
 *                                  ({@code execute}) to the start of its run, in nanoseconds
 * @param lagNanosMax               the largest measured lag, in nanoseconds (0 before the first sample)
 * @param stalls                    stalls reported by a stall watchdog ({@link io.proactor.protocol.StallWatch}):
 *                                  times the loop kept its queued work waiting longer than the threshold; for a
 *                                  server, also those of its worker threads. {@value #NOT_AVAILABLE} when no
 *                                  watchdog watches the loop (a {@link ProactorGroup} opened directly)
 * @param sendTimeouts              a server's connections closed by its send timeout
 *                                  ({@link io.proactor.protocol.ProtocolServer.Builder#sendTimeout}): output
 *                                  queued and none of it sent for that long. Counted by every engine's server,
 *                                  also with the timeout off (then it stays 0); {@value #NOT_AVAILABLE} for a
 *                                  proactor or group, which serve no protocol connections
 */
public record ProactorMetrics(String name, int proactors, Map<OperationKind, OperationCounts> operations,
                              long loopIterations, long eventsDispatched, long ringEnters,
                              long completionQueueOverflows, long bufferExhaustions, long tasksExecuted,
                              long taskQueueDepth, long lagSamples, long lagNanosTotal, long lagNanosMax,
                              long stalls, long sendTimeouts) {

    /** The value of a figure the engine cannot report. */
    public static final long NOT_AVAILABLE = -1;

    /** One task in this many has its loop lag measured. */
    public static final int LAG_SAMPLE_INTERVAL = 64;

    /**
     * How many operations of one kind were submitted (handed to the proactor) and completed (their handler
     * called, with a result or a failure). An operation refused at its call (an exception thrown to the caller)
     * is neither.
     */
    public record OperationCounts(long submitted, long completed) {
        /** Submitted and not completed yet: outstanding in the kernel or the JDK, or queued for their handler. */
        public long inFlight() {
            return submitted - completed;
        }

        OperationCounts plus(OperationCounts other) {
            return new OperationCounts(submitted + other.submitted, completed + other.completed);
        }
    }

    public ProactorMetrics {
        Objects.requireNonNull(name, "'name' is null");
        operations = Collections.unmodifiableMap(operations.isEmpty()
                ? new EnumMap<>(OperationKind.class) : new EnumMap<>(operations));
    }

    /** A snapshot of a proactor or group (no protocol connections): {@link #sendTimeouts} is not available. */
    public ProactorMetrics(String name, int proactors, Map<OperationKind, OperationCounts> operations,
                           long loopIterations, long eventsDispatched, long ringEnters,
                           long completionQueueOverflows, long bufferExhaustions, long tasksExecuted,
                           long taskQueueDepth, long lagSamples, long lagNanosTotal, long lagNanosMax, long stalls) {
        this(name, proactors, operations, loopIterations, eventsDispatched, ringEnters, completionQueueOverflows,
                bufferExhaustions, tasksExecuted, taskQueueDepth, lagSamples, lagNanosTotal, lagNanosMax, stalls,
                NOT_AVAILABLE);
    }

    /** A snapshot of something that reports nothing (e.g. a server without event loops): every figure -1. */
    public static ProactorMetrics notAvailable(String name) {
        return new ProactorMetrics(name, 0, Map.of(), NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE,
                NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE,
                NOT_AVAILABLE, NOT_AVAILABLE);
    }

    /** Operations submitted, of every kind; -1 when the engine starts none. */
    public long submitted() {
        return operations.isEmpty() ? NOT_AVAILABLE
                : operations.values().stream().mapToLong(OperationCounts::submitted).sum();
    }

    /** Operations completed, of every kind; -1 when the engine starts none. */
    public long completed() {
        return operations.isEmpty() ? NOT_AVAILABLE
                : operations.values().stream().mapToLong(OperationCounts::completed).sum();
    }

    /** Operations in flight, of every kind; -1 when the engine starts none. */
    public long inFlight() {
        return operations.isEmpty() ? NOT_AVAILABLE
                : operations.values().stream().mapToLong(OperationCounts::inFlight).sum();
    }

    /** The mean measured loop lag in nanoseconds, or 0 before the first sample (-1 if not available). */
    public long lagNanosMean() {
        if (lagSamples < 0) {
            return NOT_AVAILABLE;
        }
        return lagSamples == 0 ? 0 : lagNanosTotal / lagSamples;
    }

    /**
     * The sum of {@code parts} under {@code name}: counters add up, the lag maximum is the largest, a figure is
     * -1 only when it is -1 in every part (a part that cannot report it adds nothing).
     */
    public static ProactorMetrics sum(String name, List<ProactorMetrics> parts) {
        Map<OperationKind, OperationCounts> operations = new EnumMap<>(OperationKind.class);
        long[] figures = new long[12];
        java.util.Arrays.fill(figures, NOT_AVAILABLE);
        int proactors = 0;
        for (ProactorMetrics p : parts) {
            proactors += p.proactors;
            p.operations.forEach((kind, counts) -> operations.merge(kind, counts, OperationCounts::plus));
            long[] own = {p.loopIterations, p.eventsDispatched, p.ringEnters, p.completionQueueOverflows,
                p.bufferExhaustions, p.tasksExecuted, p.taskQueueDepth, p.lagSamples, p.lagNanosTotal,
                p.lagNanosMax, p.stalls, p.sendTimeouts};
            for (int i = 0; i < own.length; i++) {
                if (own[i] < 0) {
                    continue;
                }
                boolean isMaximum = i == 9;
                figures[i] = figures[i] < 0 ? own[i] : isMaximum ? Math.max(figures[i], own[i]) : figures[i] + own[i];
            }
        }
        return new ProactorMetrics(name, proactors, operations, figures[0], figures[1], figures[2], figures[3],
                figures[4], figures[5], figures[6], figures[7], figures[8], figures[9], figures[10], figures[11]);
    }

    /** This snapshot with {@code stalls} in place of its own figure. */
    public ProactorMetrics withStalls(long stalls) {
        return new ProactorMetrics(name, proactors, operations, loopIterations, eventsDispatched, ringEnters,
                completionQueueOverflows, bufferExhaustions, tasksExecuted, taskQueueDepth, lagSamples,
                lagNanosTotal, lagNanosMax, stalls, sendTimeouts);
    }

    /** This snapshot with {@code sendTimeouts} in place of its own figure. */
    public ProactorMetrics withSendTimeouts(long sendTimeouts) {
        return new ProactorMetrics(name, proactors, operations, loopIterations, eventsDispatched, ringEnters,
                completionQueueOverflows, bufferExhaustions, tasksExecuted, taskQueueDepth, lagSamples,
                lagNanosTotal, lagNanosMax, stalls, sendTimeouts);
    }
}
