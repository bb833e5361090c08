package io.proactor.reactor;

/**
 * What a {@link ReactorLoop} dispatches readiness to: the attachment of every key registered with its selector
 * (a listener, a connecting socket, a connection).
 *
 * <p><b>Threading.</b> Both methods run on the loop thread that owns the key.
 */
interface ReactorHandle {

    /** The channel is ready for {@code readyOps} ({@link java.nio.channels.SelectionKey} bits). */
    void ready(int readyOps);

    /** The loop is ending: release the channel (a connection reports {@code onClose}). */
    void loopClosing();
}
