package io.proactor.core.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * The io_uring engine fell back: a ring could not be created (the group does not open), or the receive buffers
 * use {@code PROVIDE_BUFFERS} because no buffer ring could be registered.
 */
@Name("io.proactor.RingFallback")
@Label("Ring Fallback")
@Category("Proactor")
@Description("io_uring could not do what it prefers: no ring, or PROVIDE_BUFFERS instead of a buffer ring")
public final class RingFallbackEvent extends jdk.jfr.Event {

    @Label("Proactor")
    public String proactor;

    @Label("Fallback")
    @Description("What is used instead, or 'no ring'")
    public String fallback;

    @Label("Reason")
    public String reason;

    /** Commits the event if a recording enables it. */
    public static void emit(String proactor, String fallback, String reason) {
        RingFallbackEvent event = new RingFallbackEvent();
        if (event.shouldCommit()) {
            event.proactor = proactor;
            event.fallback = fallback;
            event.reason = reason;
            event.commit();
        }
    }
}
