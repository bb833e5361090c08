package io.proactor.core.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * An io_uring proactor found its completion ring overflowed ({@code IORING_SQ_CQ_OVERFLOW}): completions wait in
 * the kernel's overflow list. Emitted when the flag appears, not again while it stays set.
 */
@Name("io.proactor.CompletionQueueOverflow")
@Label("Completion Queue Overflow")
@Category("Proactor")
@Description("The io_uring completion ring overflowed: completions wait in the kernel's overflow list")
public final class CompletionQueueOverflowEvent extends jdk.jfr.Event {

    @Label("Proactor")
    public String proactor;

    /** Commits the event if a recording enables it. */
    public static void emit(String proactor) {
        CompletionQueueOverflowEvent event = new CompletionQueueOverflowEvent();
        if (event.shouldCommit()) {
            event.proactor = proactor;
            event.commit();
        }
    }
}
