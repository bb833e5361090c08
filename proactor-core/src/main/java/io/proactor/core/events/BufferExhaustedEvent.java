package io.proactor.core.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A receive found the proactor's provided buffers used up ({@code -ENOBUFS}) and waits for one. */
@Name("io.proactor.BufferExhausted")
@Label("Receive Buffers Exhausted")
@Category("Proactor")
@Description("An io_uring receive found no provided buffer left (-ENOBUFS) and waits for one to come back")
public final class BufferExhaustedEvent extends jdk.jfr.Event {

    @Label("Proactor")
    public String proactor;

    @Label("Buffers Lent")
    @Description("Buffers lent to handlers at that moment")
    public int lent;

    /** Commits the event if a recording enables it. */
    public static void emit(String proactor, int lent) {
        BufferExhaustedEvent event = new BufferExhaustedEvent();
        if (event.shouldCommit()) {
            event.proactor = proactor;
            event.lent = lent;
            event.commit();
        }
    }
}
