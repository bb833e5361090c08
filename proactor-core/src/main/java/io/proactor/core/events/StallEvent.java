package io.proactor.core.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** The stall watchdog found a loop or worker that kept its queued work waiting longer than its threshold. */
@Name("io.proactor.Stall")
@Label("Loop Stall")
@Category("Proactor")
@Description("An event loop or worker did not run its queued work within the stall watchdog's threshold")
public final class StallEvent extends jdk.jfr.Event {

    @Label("Thread")
    @Description("The stalled loop's or worker's thread")
    public String threadName;

    @Label("Busy For")
    @Timespan(Timespan.NANOSECONDS)
    public long busyFor;

    /** Commits the event if a recording enables it. */
    public static void emit(String threadName, long busyForNanos) {
        StallEvent event = new StallEvent();
        if (event.shouldCommit()) {
            event.threadName = threadName;
            event.busyFor = busyForNanos;
            event.commit();
        }
    }
}
