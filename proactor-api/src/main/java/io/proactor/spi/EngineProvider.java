package io.proactor.spi;

import io.proactor.Engine;

/**
 * What an engine module registers with {@link java.util.ServiceLoader}
 * ({@code provides io.proactor.spi.EngineProvider with ...} in its {@code module-info}, and
 * {@code META-INF/services/io.proactor.spi.EngineProvider} for the class path): the engine's description,
 * which is what users get from {@code Engines}, and the {@link ProtocolRuntime} every engine provides.
 * A completion-based engine ({@link io.proactor.EngineFeatures#completionBased()}) also implements
 * {@link AsynchronousChannelProvider}; a readiness engine does not, so it has no method it must refuse.
 *
 * <p><b>Threading.</b> Implementations are stateless singletons, safe to use from any thread.
 */
public interface EngineProvider extends Engine, ProtocolRuntime {
}
