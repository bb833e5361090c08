package io.proactor.spi;

import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;

/**
 * The asynchronous channel API of a completion-based engine: opens {@link ProactorGroup}s, whose proactors run
 * on the engine's {@link AsynchronousOperationProcessor} and {@link CompletionEventQueue}. Implemented only by
 * engines whose {@link io.proactor.EngineFeatures#completionBased()} is {@code true}, beside
 * {@link EngineProvider}; what {@code ProactorGroup.open} calls.
 *
 * <p><b>Threading.</b> Any thread may call.
 */
public interface AsynchronousChannelProvider {

    /**
     * Opens a proactor group.
     *
     * @throws io.proactor.EngineUnavailableException if the engine cannot run here
     */
    ProactorGroup openProactorGroup(ProactorGroupConfig config);
}
