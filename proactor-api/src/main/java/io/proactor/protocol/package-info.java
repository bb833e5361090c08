/**
 * Protocols written once and run on every engine: a {@link io.proactor.protocol.ProtocolHandler} reacts to a
 * {@link io.proactor.protocol.Connection}'s events; {@link io.proactor.protocol.ProtocolServer} and
 * {@link io.proactor.protocol.ProtocolClient} run handlers on an engine in one of the
 * {@link io.proactor.protocol.ThreadingModel}s.
 *
 * <h2>Threading</h2>
 * All callbacks of one connection run on one thread, one at a time, in order ({@code onOpen}, {@code onRead}s,
 * at most one {@code onInputClosed}, exactly one {@code onClose}); which thread depends on the threading model
 * (the I/O loop, or a worker for {@code WORKER_POOL}). Callbacks must not block: a thread that stays busy is
 * reported by the server's {@link io.proactor.protocol.StallWatch}. {@code Connection} methods may be called
 * from any thread; from the callback thread they take effect in call order.
 *
 * <h2>Buffer ownership</h2>
 * The {@code data} of {@code onRead} is lent for the duration of the call only: consume it or copy what you
 * keep. {@link io.proactor.protocol.Connection#write} copies its argument, so the caller keeps its buffer.
 * Queued output above the high-water mark of {@link io.proactor.protocol.ConnectionOptions} pauses reading.
 */
package io.proactor.protocol;
