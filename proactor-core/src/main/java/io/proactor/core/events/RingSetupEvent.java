package io.proactor.core.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** An io_uring proactor set up its ring (at group start) or its receive buffers (at its first receive). */
@Name("io.proactor.RingSetup")
@Label("Ring Setup")
@Category("Proactor")
@Description("An io_uring proactor created its ring, or set up its receive buffers")
public final class RingSetupEvent extends jdk.jfr.Event {

    @Label("Proactor")
    public String proactor;

    @Label("What")
    @Description("'ring' or 'receive buffers'")
    public String what;

    @Label("Detail")
    @Description("Ring sizes, or the receive-buffer mechanism in use")
    public String detail;

    /** Commits the event if a recording enables it. */
    public static void emit(String proactor, String what, String detail) {
        RingSetupEvent event = new RingSetupEvent();
        if (event.shouldCommit()) {
            event.proactor = proactor;
            event.what = what;
            event.detail = detail;
            event.commit();
        }
    }
}
