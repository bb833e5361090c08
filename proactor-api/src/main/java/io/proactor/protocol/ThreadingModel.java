package io.proactor.protocol;

import java.util.Locale;

/**
 * How a server (or client) spreads work over threads; the same choices on Proactor and Reactor engines, so
 * that comparisons are fair. {@code threads} below is {@link ServerSpec#threads()}.
 */
public enum ThreadingModel {
    /** One loop: accept, I/O and handlers on one thread ({@code threads} is ignored). */
    SINGLE,
    /** One I/O loop; handlers run on {@code threads} workers, each connection on one worker; output posted back. */
    WORKER_POOL,
    /** One acceptor loop hands each new connection to one of {@code threads} I/O loops (boss/worker). */
    MAIN_SUB,
    /** {@code threads} independent loops, each with its own {@code SO_REUSEPORT} listener on the same port. */
    REUSEPORT;

    /** Parses {@code single}, {@code worker-pool}, {@code main-sub}, {@code reuseport} (any case, - or _). */
    public static ThreadingModel parse(String text) {
        String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ThreadingModel m : values()) {
            if (m.name().equals(key) || m.name().replace("_", "").equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown threading model '" + text
                + "'; expected one of: single, worker-pool, main-sub, reuseport");
    }

    /** The name users type: lower case with dashes. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
