package io.proactor.protocol;

import java.time.Duration;
import java.util.List;

/**
 * A server thread found busy past its {@link StallWatch} threshold.
 *
 * @param threadName the loop or worker thread that did not run its heartbeat
 * @param busyFor    how long it had been kept from its queued work when it was reported
 * @param stack      where that thread was at that moment (the blocking callback is on it)
 */
public record StallReport(String threadName, Duration busyFor, List<StackTraceElement> stack) {

    public StallReport {
        stack = List.copyOf(stack);
    }
}
