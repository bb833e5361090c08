package io.proactor.core;

import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What every engine's {@link Connection} holds the same way: its handler and options, its addresses, the
 * attachment, and the two values other threads read ({@link #isOpen()}, {@link #queuedBytes()}). How a
 * connection reads, writes and closes is its engine's; {@link LoopConnection} is the one state machine of
 * the loop-based engines.
 *
 * <p><b>Send progress.</b> For the send timeout ({@link SendTimeouts}) every engine counts, with
 * {@link #sendProgressed()}, each time some of its queued output (bytes or a file's) reached the socket, and
 * says with {@link #sendPending()} whether output is waiting; {@link #sendStalled} is the one check of both.
 * Counting costs the sending thread a plain store (an opaque write), no clock read.
 *
 * <p><b>Threading.</b> The accessors may be called from any thread; {@link #queuedBytes} and the send progress
 * are written by one thread at a time (the loop, or the connection's writer); {@link #sendStalled} runs on one
 * watching thread (the loop, or the server's sweeper).
 */
public abstract class AbstractConnection implements Connection {

    private static final VarHandle SEND_PROGRESS;

    static {
        try {
            SEND_PROGRESS = MethodHandles.lookup().findVarHandle(AbstractConnection.class, "sendProgress", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
    /** Times queued output reached the socket; see the class comment. */
    private long sendProgress;
    // The watcher's own view (its thread only): the progress it saw last, and since when output waited without any.
    private long progressSeen;
    private long waitingSinceNanos;
    private boolean waitingSeen;
    /** Where {@link SendTimeouts} keeps this connection in its loop's list; -1 when not watched. Loop only. */
    int watchIndex = -1;

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
        checkRange(position, count);
    }

    private static void checkRange(long position, long count) {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were " + position + ", " + count);
        }
    }

    /**
     * Checks the arguments of {@code sendFile} of a {@link SharedFile} and takes the send's reference to it.
     *
     * @return {@code false} when there is nothing to send ({@code count} is 0): no reference was taken
     * @throws IllegalStateException the file is closed
     */
    protected static boolean retainForSend(SharedFile file, long position, long count, FileSendMode mode) {
        Objects.requireNonNull(file, "'file' is null");
        Objects.requireNonNull(mode, "'mode' is null");
        checkRange(position, count);
        if (count == 0) {
            return false;
        }
        if (!file.retain()) {
            throw new IllegalStateException(file.path() + " is closed (its last reference was released): "
                    + "retain a shared file while sends of it are being queued");
        }
        return true;
    }

    /** Some queued output reached the socket (a write or a piece of a file completed, even partly). */
    protected final void sendProgressed() {
        SEND_PROGRESS.setOpaque(this, sendProgress + 1);
    }

    /**
     * Whether output is queued or being sent; on the thread that {@link #sendStalled} runs on (the loop, for the
     * loop-based engines), or safely from any thread (the thread-per-connection engines).
     */
    protected abstract boolean sendPending();

    /**
     * Whether output has been pending, with no progress, for at least {@code timeoutNanos} as of {@code now}.
     * The watcher calls it periodically: a wait is measured from the first call that saw output pending with
     * the progress count unchanged since: a connection is found stalled no sooner than {@code timeoutNanos}
     * after its last progress, and at most two of the watcher's periods later.
     */
    final boolean sendStalled(long now, long timeoutNanos) {
        if (!sendPending()) {
            waitingSeen = false;
            return false;
        }
        long progress = (long) SEND_PROGRESS.getOpaque(this);
        if (!waitingSeen || progress != progressSeen) {
            waitingSeen = true;
            progressSeen = progress;
            waitingSinceNanos = now;
            return false;
        }
        return now - waitingSinceNanos >= timeoutNanos;
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
