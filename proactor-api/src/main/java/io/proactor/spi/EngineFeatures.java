package io.proactor.spi;

/**
 * What an engine can do, so that callers and tests decide on capabilities, never on engine names.
 *
 * @param completionBased  the engine is a Proactor (operations complete); {@code false} for a Reactor
 * @param zeroCopyTransfer {@link io.proactor.AsyncSocket#transferFrom} moves file bytes to the socket
 *                         without copying them through user space
 * @param providedBuffers  {@link io.proactor.AsyncSocket#receive} takes its buffer from a kernel-side pool
 *                         only when data arrives (no buffer pinned per pending receive)
 */
public record EngineFeatures(boolean completionBased, boolean zeroCopyTransfer, boolean providedBuffers) {
}
