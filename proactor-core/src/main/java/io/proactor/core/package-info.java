/**
 * The implementation every engine shares, exported to the engine modules only: the proactor loop
 * ({@code ProactorLoop}) and group, the protocol runtime on the asynchronous channel API
 * ({@code ProactorProtocolServer}, {@code ProactorProtocolClient}, {@code ProactorConnection}), buffer pools,
 * the stall watchdog, and {@link io.proactor.core.EngineDispatch}, the API's way to the engines.
 *
 * <h2>Threading</h2>
 * Fields of a loop and of the connections it serves are confined to the loop's thread unless declared
 * otherwise; other threads hand work to it with {@code execute}. Engines report each operation's start and
 * end to their loop, so that it closes the engine's processor only when nothing is in flight.
 *
 * <h2>Buffer ownership</h2>
 * A pooled buffer belongs to the loop that leased it until released on that loop; a lent receive buffer
 * ({@code LeasedBuffer}) is released exactly once, from any thread.
 */
package io.proactor.core;
