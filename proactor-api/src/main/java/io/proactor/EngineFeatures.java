package io.proactor;

/**
 * What an engine can do, so that callers and tests decide on capabilities, never on engine names.
 *
 * @param completionBased  the engine is a Proactor (operations complete) and opens {@link ProactorGroup}s;
 *                         {@code false} for a Reactor, which runs protocol handlers only
 * @param zeroCopyTransfer {@link AsyncSocket#transferFrom} moves file bytes to the socket without copying them
 *                         through user space
 * @param providedBuffers  {@link AsyncSocket#receive} takes its buffer from a kernel-side pool only when data
 *                         arrives (no buffer pinned per pending receive)
 */
public record EngineFeatures(boolean completionBased, boolean zeroCopyTransfer, boolean providedBuffers) {
}
