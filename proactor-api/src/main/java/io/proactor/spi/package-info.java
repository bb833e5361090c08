/**
 * What an engine implements; applications never call it. An engine module registers an
 * {@link io.proactor.spi.EngineProvider} with {@link java.util.ServiceLoader}: its description (the
 * {@link io.proactor.Engine} users get) and its {@link io.proactor.spi.ProtocolRuntime}. A completion-based
 * engine also implements {@link io.proactor.spi.AsynchronousChannelProvider}, and runs its proactors on an
 * {@link io.proactor.spi.AsynchronousOperationProcessor} and a {@link io.proactor.spi.CompletionEventQueue}
 * (the pattern's two engine-side parts). A readiness engine implements no channel provider, so nothing here
 * has a method an engine must refuse.
 *
 * <p>This package depends on {@code io.proactor} and {@code io.proactor.protocol}, never the other way: the
 * API reaches providers through {@link io.proactor.EngineLookup} and
 * {@link io.proactor.protocol.ProtocolLookup}, which the shared core implements.
 *
 * <h2>Threading</h2>
 * Providers are stateless singletons, called from any thread. A {@code CompletionEventQueue} is driven by its
 * proactor's thread only (except {@code wakeup}); an {@code AsynchronousOperationProcessor} is closed on it.
 *
 * <h2>Buffer ownership</h2>
 * An engine owns every buffer of an operation from its start until the completion is dispatched, and must not
 * touch it after calling the handler; it frees an operation's state before calling its handler.
 */
package io.proactor.spi;
