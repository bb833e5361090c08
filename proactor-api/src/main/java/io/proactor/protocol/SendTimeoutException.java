package io.proactor.protocol;

import java.nio.channels.InterruptedByTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * The cause {@link ProtocolHandler#onClose} receives when a server closed a connection because its output made
 * no progress for the {@linkplain ProtocolServer.Builder#sendTimeout send timeout}: output was queued (bytes or
 * a file) and not one byte of it reached the socket in that time, because the peer stopped reading. A
 * {@link InterruptedByTimeoutException}, as the JDK's asynchronous channels report a timed-out operation, with
 * a message saying how long.
 *
 * <p><b>Threading.</b> Immutable.
 */
public final class SendTimeoutException extends InterruptedByTimeoutException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    /** For a connection whose output made no progress for {@code timeout}. */
    public SendTimeoutException(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "'timeout' is null");
    }

    /** The send timeout that elapsed. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String getMessage() {
        return "no queued output reached the socket for " + timeout.toMillis() + " ms (the send timeout): "
                + "the peer stopped reading";
    }
}
