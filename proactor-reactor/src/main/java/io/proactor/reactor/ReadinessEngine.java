package io.proactor.reactor;

import io.proactor.EngineFeatures;
import io.proactor.spi.EngineProvider;

/**
 * What the engines of this module share: they run on the JDK alone, so they are always available, and none is
 * completion-based (each runs protocol handlers only, with no asynchronous channel API). A subclass supplies its
 * name, its priority and how it starts servers and clients.
 *
 * <p><b>Threading.</b> Immutable; safe to use from any thread.
 */
abstract class ReadinessEngine implements EngineProvider {

    /** Not completion-based; files go out with {@code sendfile(2)}; no kernel-side buffer pool. */
    private static final EngineFeatures FEATURES = new EngineFeatures(false, true, false);

    private final String name;
    private final int priority;

    ReadinessEngine(String name, int priority) {
        this.name = name;
        this.priority = priority;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final boolean isAvailable() {
        return true;
    }

    @Override
    public final Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public final EngineFeatures features() {
        return FEATURES;
    }

    @Override
    public final String toString() {
        return name;
    }
}
