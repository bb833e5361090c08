package io.proactor;

import java.io.Closeable;

/**
 * An object that starts asynchronous operations: the pattern's <b>Initiator</b>. Sockets, server sockets
 * and files are initiators; each belongs to one {@link Proactor}, on whose thread every completion handler
 * of its operations runs.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. Initiating calls return at once; the
 * work is handed to the owning proactor when called from another thread.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent and never blocks. Every operation still pending fails,
 * exactly once, with {@link java.nio.channels.AsynchronousCloseException}; operations initiated afterwards
 * fail with {@link java.nio.channels.ClosedChannelException}. The descriptor and the buffers an operation
 * holds are released only when the engine can no longer touch them.
 */
public interface Initiator extends Closeable {

    /** The proactor that runs the completion handlers of this object's operations. */
    Proactor proactor();

    /** {@code true} until {@link #close()} is called (or the owning proactor group shuts down). */
    boolean isOpen();

    /** Closes this object, failing its pending operations; never throws, never blocks. */
    @Override
    void close();
}
