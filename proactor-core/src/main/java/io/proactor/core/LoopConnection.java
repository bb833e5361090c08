package io.proactor.core;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection state machine of every loop-based engine, written once: the output queue and its water
 * marks (reading pauses above the high mark and resumes at the low one), the order of an orderly close (after
 * the queue drained), of a shutdown of output and of an abort, and the hand-off of handler callbacks to a
 * worker (the WORKER_POOL model). The engine supplies its transport operations: how it reads (a receive kept
 * in flight, or reading on readiness), how it sends what is queued ({@link #flush}), how it closes.
 *
 * <p><b>Threading.</b> All state is confined to the connection's loop thread; calls from other threads are
 * handed to the loop (a {@code write} from another thread is copied first). Callbacks run on the loop, or on
 * the connection's worker ({@code callbacks} non-null).
 *
 * <p><b>Output.</b> {@link #output} holds, in order, chunks of bytes (in the engine's own chunk type) and
 * queued files; {@link #enqueue} appends bytes to the engine's {@link #appendableTail()}.
 */
public abstract class LoopConnection extends AbstractConnection {

    protected final EventLoop loop;
    /** The worker that runs this connection's callbacks, or {@code null}: they run on the loop. */
    protected final Executor callbacks;
    private final Executor executor;
    /** Queued output in order: the engine's chunks (read mode) and file sends. */
    protected final ArrayDeque<Object> output = new ArrayDeque<>(2); // grows when needed; most hold one or two
    /** Back on the loop after a worker's {@code onRead}: the read may go on. */
    protected final Runnable workerReadDone = this::workerReadDone;
    /** A worker runs {@code onRead} with this connection's input: no further read until it returned. */
    protected boolean callbackHoldsRead;
    /** Reading paused: more than the high-water mark is queued. */
    protected boolean readPaused;
    protected boolean inputEnded;
    /** A send is in flight (completion-based engines): the engine owns the chunks being sent until it completes. */
    protected boolean writing;
    protected boolean closeRequested;
    protected boolean closed;
    private boolean shutdownRequested;
    private boolean outputShut;
    private boolean inCallback;   // a handler callback runs on the loop: flushes wait for its end
    private boolean flushPending; // something was queued during that callback
    /** The server's send timeout, or {@code null} (a client's connection): see {@link #watchSends}. */
    private SendTimeouts sendTimeouts;
    private Object spareFileSend; // see keepSpareFileSend

    protected LoopConnection(EventLoop loop, ProtocolHandler handler, Executor callbacks, ConnectionOptions options,
                             SocketAddress local, SocketAddress remote, Runnable onClosed) {
        super(handler, options, local, remote, onClosed);
        this.loop = loop;
        this.callbacks = callbacks;
        this.executor = callbacks != null ? callbacks : loop;
    }

    // ---- the engine's transport ----

    /** Starts or stops reading as the state now allows (flags above changed). Loop only. */
    protected abstract void readStateChanged();

    /** Sends what is queued, as far as the transport takes it now; calls {@link #outputDrained} when empty. */
    protected abstract void flush();

    /** Output was queued: send it now or soon (or watch for room). */
    protected abstract void outputQueued();

    /**
     * The reactor's fast path: tries to send {@code data} at once, nothing being queued; {@code true} when
     * nothing is left to queue (all sent, or the connection failed and closed). By default nothing is sent.
     */
    protected boolean writeDirectly(ByteBuffer data) {
        return false;
    }

    /** The last queued chunk if it may still be appended to, otherwise a new empty chunk added to the queue. */
    protected abstract ByteBuffer appendableTail();

    /** Frees one item of the queue (a chunk, a file send) when the connection closes. */
    protected abstract void release(Object queued);

    /** Sends FIN after the queued output; on failure the engine calls {@link #closeNow}. */
    protected abstract void shutdownTransportOutput();

    /** Closes the socket (and forgets its registration); never throws. */
    protected abstract void closeTransport();

    // ---- opening ----

    /**
     * Has the server's send timeout watch this connection from its {@code open} to its close; before
     * {@code open}, on the thread that hands the connection to its loop.
     */
    public final void watchSends(SendTimeouts timeouts) {
        this.sendTimeouts = timeouts;
    }

    /**
     * Delivers {@code onOpen}, then runs {@code then} on the loop; {@code opened} (may be null) completes after
     * {@code onOpen} returned, or fails with what it threw (the connection is then aborted). Loop only.
     */
    protected final void open(CompletableFuture<Connection> opened, Runnable then) {
        if (sendTimeouts != null && !closed) {
            sendTimeouts.watch(this, loop);
        }
        callback(() -> {
            try {
                handler.onOpen(this);
            } catch (Throwable t) {
                if (opened != null) {
                    opened.completeExceptionally(t);
                }
                throw t;
            }
            if (opened != null) {
                opened.complete(this);
            }
        }, then);
    }

    /** The input ended (the peer sent FIN): tell the handler. Loop only. */
    protected final void inputEnded() {
        inputEnded = true;
        readStateChanged();
        if (!closed) {
            callback(() -> handler.onInputClosed(this), null);
        }
    }

    private void workerReadDone() {
        callbackHoldsRead = false;
        readStateChanged();
    }

    /** A worker's {@code onRead}: runs it unless the connection closed meanwhile; what it throws aborts. */
    protected final void readOnWorker(ByteBuffer input) {
        try {
            if (isOpen()) {
                handler.onRead(this, input);
            }
        } catch (Throwable t) {
            abort(t);
            Handlers.report(t, "protocol handler");
        }
    }

    // ---- writing ----

    @Override
    public final void write(ByteBuffer data) {
        java.util.Objects.requireNonNull(data, "'data' is null");
        if (loop.inLoop()) {
            enqueue(data);
        } else {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            toLoop(() -> enqueue(copy));
        }
    }

    private void enqueue(ByteBuffer data) {
        if (closed || closeRequested) {
            data.position(data.limit());
            return;
        }
        if (output.isEmpty() && !writing && writeDirectly(data)) {
            return;
        }
        int n = data.remaining();
        while (data.hasRemaining()) {
            ByteBuffer tail = appendableTail();
            int at = tail.limit();
            int take = Math.min(data.remaining(), tail.capacity() - at);
            tail.limit(at + take).put(at, data, data.position(), take);
            data.position(data.position() + take);
        }
        queuedBytes += n;
        if (queuedBytes > options.highWaterMark()) {
            readPaused = true;
        }
        outputQueued();
    }

    /** Queues a file send behind the output already queued, or releases it if output is over; any thread. */
    protected final void queueFile(Object send) {
        if (loop.inLoop()) {
            queueFileOnLoop(send); // no task: a file server queues a file per request
            return;
        }
        try {
            loop.runOnLoop(() -> queueFileOnLoop(send));
        } catch (RejectedExecutionException terminated) {
            release(send); // the loop has ended, and the connection with it
        }
    }

    private void queueFileOnLoop(Object send) {
        if (!closed && !closeRequested) {
            output.addLast(send);
            flushSoon();
        } else {
            release(send);
        }
    }

    /**
     * Keeps a file send that has ended, which nothing refers to any more, for the next file queued on the loop
     * ({@link #takeSpareFileSend}): a file server sends a file per request and need not allocate a send for each.
     * Loop only.
     */
    protected final void keepSpareFileSend(Object send) {
        spareFileSend = send;
    }

    /**
     * The send {@link #keepSpareFileSend} kept, or {@code null}; always {@code null} off the loop, as the spare is
     * the loop's (a file server queues its files from the loop; callers on other threads make their own).
     */
    protected final Object takeSpareFileSend() {
        if (!loop.inLoop()) {
            return null;
        }
        Object spare = spareFileSend;
        spareFileSend = null;
        return spare;
    }

    /** Output is queued, or a send of it is in flight. Loop only. */
    @Override
    protected final boolean sendPending() {
        return writing || !output.isEmpty();
    }

    /** Sent bytes left the queue: reading resumes once no more than the low-water mark is queued. Loop only. */
    protected final void resumeReadingIfDrained() {
        if (readPaused && queuedBytes <= options.lowWaterMark()) {
            readPaused = false;
            readStateChanged();
        }
    }

    /**
     * Starts sending, or, inside a handler callback on the loop, once the callback returns: what a handler
     * queues in one callback (a response head, then its file; several pipelined responses) then leaves in one
     * send instead of one per call.
     */
    protected final void flushSoon() {
        if (inCallback) {
            flushPending = true;
        } else {
            flush();
        }
    }

    /** Everything queued was sent: an orderly close or a shutdown of output waiting for that goes ahead. */
    protected final void outputDrained() {
        if (closeRequested) {
            closeNow(null);
        } else if (shutdownRequested && !outputShut) {
            outputShut = true;
            shutdownTransportOutput();
        }
    }

    /** Frees what is queued; loop only, once no send holds the queue's chunks. */
    protected final void releaseOutput() {
        Object o;
        while ((o = output.pollFirst()) != null) {
            release(o);
        }
        queuedBytes = 0;
    }

    // ---- closing ----

    @Override
    public final void shutdownOutput() {
        toLoop(() -> {
            if (closed) {
                return;
            }
            shutdownRequested = true;
            if (!writing && output.isEmpty()) {
                outputDrained();
            }
        });
    }

    @Override
    public final void close() {
        toLoop(() -> {
            if (closed) {
                return;
            }
            closeRequested = true;
            readStateChanged();
            if (!writing && output.isEmpty()) {
                closeNow(null);
            }
        });
    }

    @Override
    public final void abort(Throwable cause) {
        toLoop(() -> closeNow(cause));
    }

    /**
     * Closes at once: the transport, then the queue (unless a send in flight still owns its chunks: its
     * completion releases them), then the owner is told, then the handler's {@code onClose}. Loop only.
     */
    protected final void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        markClosed();
        if (sendTimeouts != null) {
            sendTimeouts.unwatch(this, loop);
        }
        closeTransport();
        if (!writing) {
            releaseOutput();
        }
        onClosed.run();
        callback(() -> handler.onClose(this, cause), null);
    }

    /** A callback on the loop threw: report it and close. */
    protected final void callbackFailed(Throwable t) {
        Handlers.report(t, "protocol handler");
        closeNow(t);
    }

    // ---- callbacks ----

    /** Runs a handler callback on the callback thread, then {@code after} on the loop. */
    protected final void callback(Runnable call, Runnable after) {
        if (callbacks == null) {
            boolean outer = enterCallback();
            try {
                call.run();
            } catch (Throwable t) {
                callbackFailed(t);
            } finally {
                exitCallback(outer);
            }
            if (after != null) {
                after.run();
            }
            return;
        }
        callbacks.execute(() -> {
            try {
                call.run();
            } catch (Throwable t) {
                abort(t);
                Handlers.report(t, "protocol handler");
            }
            if (after != null) {
                toLoop(after);
            }
        });
    }

    /** Whether a handler callback runs on the loop now: what it queues is sent when it returns. */
    protected final boolean inCallback() {
        return inCallback;
    }

    /** Marks a handler callback running on the loop; returns whether one already was (a nested callback). */
    protected final boolean enterCallback() {
        boolean outer = inCallback;
        inCallback = true;
        return outer;
    }

    /** Ends a callback; the outermost one sends what the handler queued in it. */
    protected final void exitCallback(boolean outer) {
        inCallback = outer;
        if (!outer && flushPending) {
            flushPending = false;
            flush();
        }
    }

    /** Runs {@code task} on the loop (at once when on it); dropped once the loop has ended (it closed us). */
    protected final void toLoop(Runnable task) {
        loop.runOnLoopIfRunning(task);
    }

    @Override
    public final Executor executor() {
        return executor;
    }
}
