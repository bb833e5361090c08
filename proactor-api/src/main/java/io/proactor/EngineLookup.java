package io.proactor;

import java.util.List;

/**
 * How {@link Engines} and {@link ProactorGroup#open} reach the engines without naming their provider types
 * (which live in {@code io.proactor.spi}, a package that depends on this one and never the other way).
 * Implemented once, by {@code proactor-core}, which every engine module brings, and found with
 * {@link java.util.ServiceLoader}. Applications do not implement or call it.
 *
 * <p><b>Threading.</b> Stateless; any thread.
 */
public interface EngineLookup {

    /** Every engine registered with {@link java.util.ServiceLoader}, available or not, in no particular order. */
    List<Engine> engines();

    /**
     * Opens a proactor group on {@code engine}.
     *
     * @throws IllegalArgumentException if {@code engine} has no asynchronous channels (a readiness engine)
     * @throws EngineUnavailableException if the engine cannot run here
     */
    ProactorGroup openProactorGroup(Engine engine, ProactorGroupConfig config);
}
