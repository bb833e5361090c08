package io.proactor.core;

import io.proactor.OperationKind;
import io.proactor.ProactorMetrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How many operations of one {@link OperationKind} a proactor was handed and completed. Each
 * {@link OperationSlot} of a channel points at its proactor's counter of the slot's kind.
 *
 * <p><b>Threading.</b> Written by the proactor's thread only (plain increments published with opaque stores:
 * no atomic instruction, no fence), read from any thread by {@link #snapshot()}.
 */
public final class OperationCounter {

    private static final VarHandle SUBMITTED;
    private static final VarHandle COMPLETED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUBMITTED = lookup.findVarHandle(OperationCounter.class, "submitted", long.class);
            COMPLETED = lookup.findVarHandle(OperationCounter.class, "completed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long submitted;
    private long completed;

    /** An operation reached its proactor; loop only. */
    void submitted() {
        SUBMITTED.setOpaque(this, submitted + 1);
    }

    /** An operation's handler is about to be called; loop only. */
    void completed() {
        COMPLETED.setOpaque(this, completed + 1);
    }

    /** The counts now; any thread. Reads completions first, so that in-flight is never negative. */
    ProactorMetrics.OperationCounts snapshot() {
        long done = (long) COMPLETED.getOpaque(this);
        return new ProactorMetrics.OperationCounts((long) SUBMITTED.getOpaque(this), done);
    }
}
