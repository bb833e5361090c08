package io.proactor.protocol;

import java.nio.ByteBuffer;

/**
 * A protocol written once, run by every engine: Proactor engines (a receive is kept in flight and its
 * completion calls {@link #onRead}) and Reactor engines (the engine reads on readiness, then calls the same
 * method).
 *
 * <p>One instance per connection (see {@link ServerSpec#handlers()}), unless the handler is stateless.
 *
 * <p><b>Threading.</b> All callbacks of one connection run on one thread, one at a time, in order:
 * {@code onOpen}, any number of {@code onRead}, at most one {@code onInputClosed}, then exactly one
 * {@code onClose}. Which thread depends on the threading model (the I/O loop, or a worker for
 * {@link ThreadingModel#WORKER_POOL}); {@link Connection#executor()} runs tasks on it. Callbacks must not
 * block. An exception thrown by a callback is logged and the connection is aborted with it as the cause.
 */
public interface ProtocolHandler {

    /** The connection is established; writing is allowed from here on. */
    default void onOpen(Connection connection) {
    }

    /**
     * Bytes arrived. {@code data} (position to limit) is lent for the duration of the call only: consume it
     * or copy what you keep. Reads pause while the connection's queued output exceeds its high-water mark.
     */
    void onRead(Connection connection, ByteBuffer data);

    /**
     * The peer shut down its output (end of stream). Writing is still possible. By default the connection
     * is {@linkplain Connection#close() closed} once queued output is sent.
     */
    default void onInputClosed(Connection connection) {
        connection.close();
    }

    /**
     * The connection is closed: {@code cause} is {@code null} after an orderly close, otherwise what broke it
     * (a reset, a timeout, an exception thrown by a callback).
     */
    default void onClose(Connection connection, Throwable cause) {
    }
}
