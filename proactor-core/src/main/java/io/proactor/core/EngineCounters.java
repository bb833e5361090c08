package io.proactor.core;

import io.proactor.ProactorMetrics;

/**
 * The figures of {@link ProactorMetrics} only an engine can count, each read from any thread (racily, like the
 * loop's own counters). An engine that cannot count one returns {@link ProactorMetrics#NOT_AVAILABLE}.
 */
public interface EngineCounters {

    /** Counts nothing: every figure -1. */
    EngineCounters NONE = new EngineCounters() { };

    /** {@code io_uring_enter} calls made for the loop. */
    default long ringEnters() {
        return ProactorMetrics.NOT_AVAILABLE;
    }

    /** Wait-and-dispatch steps that found the completion ring overflowed. */
    default long completionQueueOverflows() {
        return ProactorMetrics.NOT_AVAILABLE;
    }

    /** Receives that found the provided buffers used up. */
    default long bufferExhaustions() {
        return ProactorMetrics.NOT_AVAILABLE;
    }
}
