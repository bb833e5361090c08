/**
 * Readiness-based engines that run the same {@link io.proactor.protocol.ProtocolHandler}s as the Proactor
 * engines, so the models can be compared on equal terms.
 *
 * <ul>
 *   <li>{@link io.proactor.reactor.ReactorEngine} ({@code reactor}): {@link java.nio.channels.Selector} loops
 *       ({@code ReactorLoop}) in the four threading models; the loop reads on readiness into its own buffer and
 *       calls the handler; what a handler writes in a callback is sent, in one write, when it returns.</li>
 *   <li>{@link io.proactor.reactor.VirtualThreadEngine} ({@code virtual-threads}): thread-per-connection with
 *       blocking calls on virtual threads.</li>
 * </ul>
 *
 * <p>Conventions: every {@code ReactorLoop} field without a lock is confined to its loop thread; cross-thread
 * work enters through {@code ReactorLoop.execute}, which wakes the selector only when the loop sleeps.
 */
package io.proactor.reactor;
