package io.proactor.core;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What every engine's {@link Connection} holds the same way: its handler and options, its addresses, the
 * attachment, and the two values other threads read ({@link #isOpen()}, {@link #queuedBytes()}). How a
 * connection reads, writes and closes is its engine's; {@link LoopConnection} is the one state machine of
 * the loop-based engines.
 *
 * <p><b>Threading.</b> The accessors may be called from any thread; {@link #queuedBytes} is written by one
 * thread at a time (the loop, or the holder of the connection's lock).
 */
public abstract class AbstractConnection implements Connection {

    protected final ProtocolHandler handler;
    protected final ConnectionOptions options;
    /** Run once when the connection has closed (the server or client forgets it). */
    protected final Runnable onClosed;
    private final SocketAddress local;
    private final SocketAddress remote;
    /** Bytes accepted by {@code write} and not yet sent. */
    protected volatile long queuedBytes;
    private volatile boolean open = true;
    private volatile Object attachment;

    protected AbstractConnection(ProtocolHandler handler, ConnectionOptions options, SocketAddress local,
                                 SocketAddress remote, Runnable onClosed) {
        this.handler = Objects.requireNonNull(handler, "the handler factory returned null");
        this.options = options;
        this.local = local;
        this.remote = remote;
        this.onClosed = onClosed;
    }

    /** Checks {@code sendFile}'s arguments, as every engine does before it queues anything. */
    protected static void checkFileRange(Path path, long position, long count) {
        Objects.requireNonNull(path, "'path' is null");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were " + position + ", " + count);
        }
    }

    /** From now on {@link #isOpen()} says {@code false}. */
    protected final void markClosed() {
        open = false;
    }

    @Override
    public final boolean isOpen() {
        return open;
    }

    @Override
    public final long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public final SocketAddress localAddress() {
        return local;
    }

    @Override
    public final SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public final Object attachment() {
        return attachment;
    }

    @Override
    public final void attach(Object value) {
        this.attachment = value;
    }

    @Override
    public String toString() {
        return "Connection[" + local + " <-> " + remote + "]";
    }
}
