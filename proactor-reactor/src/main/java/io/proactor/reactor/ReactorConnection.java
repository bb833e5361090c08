package io.proactor.reactor;

import io.proactor.core.Handlers;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A protocol handler's {@link Connection} on a {@link ReactorLoop}: the loop waits for readiness, reads into
 * its own direct buffer and lends it to {@link ProtocolHandler#onRead}; output is written on the spot when
 * nothing is queued, and only what the socket did not take is copied into direct chunks and sent when the
 * socket becomes writable again.
 *
 * <p><b>Interest.</b> {@code OP_READ} is registered while reading is allowed (not paused by the high-water
 * mark, not held by a worker, input not ended, no close requested); {@code OP_WRITE} only while output is
 * queued, since a socket with room is always writable and would wake the loop on every select.
 *
 * <p><b>Threading.</b> All state is confined to the loop thread; calls from other threads are handed to it
 * (a {@code write} from another thread is copied first). Callbacks run on the loop, or on the connection's
 * worker ({@code callbacks} non-null, the WORKER_POOL model): then each read is copied into a per-connection
 * buffer, the worker is handed it, and the loop does not read this connection again until the callback
 * returned.
 */
final class ReactorConnection implements Connection, ReactorHandle {

    private static final int MAX_GATHER = 64;

    private final SocketChannel channel;
    private final ReactorLoop loop;
    private final ProtocolHandler handler;
    private final Executor callbacks;
    private final ConnectionOptions options;
    private final Runnable onClosed;
    private final Executor executor;
    private final SocketAddress local;
    private final SocketAddress remote;
    /** Output in order: ByteBuffer chunks (read mode, owned by this connection) or FileSend. */
    private final ArrayDeque<Object> output = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final Runnable workerRead = this::workerRead;
    private final Runnable workerReadDone = this::workerReadDone;
    private SelectionKey key;
    private int interest;
    private ByteBuffer workerBuffer;
    private volatile long queuedBytes;
    private volatile boolean open = true;
    private volatile Object attachment;
    private boolean started;
    private boolean callbackHoldsRead;
    private boolean readPaused;
    private boolean inputEnded;
    private boolean closeRequested;
    private boolean shutdownRequested;
    private boolean outputShut;
    private boolean closed;

    ReactorConnection(SocketChannel channel, ReactorLoop loop, ProtocolHandler handler, Executor callbacks,
                      ConnectionOptions options, Runnable onClosed) throws IOException {
        this.channel = channel;
        this.loop = loop;
        this.handler = Objects.requireNonNull(handler, "the handler factory returned null");
        this.callbacks = callbacks;
        this.options = options;
        this.onClosed = onClosed;
        this.executor = callbacks != null ? callbacks : loop;
        this.local = channel.getLocalAddress();
        this.remote = channel.getRemoteAddress();
    }

    /**
     * Takes over {@code registered} (a key of this loop for {@link #channel}, e.g. the one a connect used) or
     * registers the channel, delivers {@code onOpen}, then starts reading; {@code opened} completes after
     * {@code onOpen} returned (or fails with what it threw). Loop thread only.
     *
     * @throws IOException when the loop is shutting down; the caller closes the channel
     */
    void start(SelectionKey registered, CompletableFuture<Connection> opened) throws IOException {
        if (registered != null) {
            key = registered;
            key.attach(this);
            key.interestOps(0);
        } else {
            key = loop.register(channel, 0, this);
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
        }, () -> {
            started = true;
            updateInterest();
        });
    }

    // ---- readiness ----

    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && !closed) {
            read();
        }
    }

    @Override
    public void loopClosing() {
        closeNow(null);
    }

    private void read() {
        if (!readAllowed()) {
            return; // interest changed after the selection that reported this readiness
        }
        ByteBuffer buffer = loop.readBuffer();
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        if (n < 0) {
            inputEnded = true;
            updateInterest();
            callback(() -> handler.onInputClosed(this), null);
            return;
        }
        if (n == 0) {
            return;
        }
        buffer.flip();
        if (callbacks == null) {
            try {
                handler.onRead(this, buffer);
            } catch (Throwable t) {
                callbackFailed(t);
            }
            return;
        }
        // The loop's buffer is reused for the next ready connection: the worker gets this connection's copy.
        if (workerBuffer == null) {
            workerBuffer = ByteBuffer.allocate(options.readBufferSize());
        }
        workerBuffer.clear();
        workerBuffer.put(buffer).flip();
        callbackHoldsRead = true;
        updateInterest();
        callbacks.execute(workerRead);
    }

    /** On the worker: the read handed over by {@link #read()}. */
    private void workerRead() {
        try {
            if (open) {
                handler.onRead(this, workerBuffer);
            }
        } catch (Throwable t) {
            abort(t);
            Handlers.report(t, "protocol handler");
        }
        loop.runOnLoopIfRunning(workerReadDone);
    }

    private void workerReadDone() {
        callbackHoldsRead = false;
        updateInterest();
    }

    private boolean readAllowed() {
        return started && !closed && !closeRequested && !inputEnded && !readPaused && !callbackHoldsRead;
    }

    /** Registers exactly the interest the state calls for; the system call happens only on a change. */
    private void updateInterest() {
        if (closed) {
            return;
        }
        int wanted = (readAllowed() ? SelectionKey.OP_READ : 0) | (output.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (wanted != interest) {
            interest = wanted;
            key.interestOps(wanted);
        }
    }

    /** The interest ops registered right now (for tests). Any thread. */
    int interestOps() {
        SelectionKey k = key;
        return k == null || !k.isValid() ? 0 : k.interestOps();
    }

    // ---- writing ----

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "'data' is null");
        if (loop.inLoop()) {
            enqueue(data);
        } else {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            loop.runOnLoopIfRunning(() -> enqueue(copy));
        }
    }

    private void enqueue(ByteBuffer data) {
        if (closed || closeRequested) {
            data.position(data.limit());
            return;
        }
        if (output.isEmpty()) {
            // The Reactor fast path: nothing is queued, so the bytes may go straight from the caller's buffer.
            try {
                channel.write(data);
            } catch (IOException e) {
                data.position(data.limit());
                closeNow(e);
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
        }
        int n = data.remaining();
        while (data.hasRemaining()) {
            ByteBuffer tail = appendableTail();
            int at = tail.limit();
            int take = Math.min(data.remaining(), tail.capacity() - at);
            tail.limit(at + take);
            tail.put(at, data, data.position(), take);
            data.position(data.position() + take);
        }
        queuedBytes += n;
        if (queuedBytes > options.highWaterMark()) {
            readPaused = true;
        }
        updateInterest();
    }

    /** The last queued chunk if it has room, otherwise a new empty chunk appended to the queue. */
    private ByteBuffer appendableTail() {
        if (output.peekLast() instanceof ByteBuffer last && last.limit() < last.capacity()) {
            return last;
        }
        ByteBuffer fresh = loop.acquireChunk().limit(0);
        output.addLast(fresh);
        return fresh;
    }

    @Override
    public void sendFile(Path path, long position, long count) {
        Objects.requireNonNull(path, "'path' is null");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were " + position + ", " + count);
        }
        loop.runOnLoopIfRunning(() -> {
            if (!closed && !closeRequested && count > 0) {
                output.addLast(new FileSend(path, position, count));
                flush();
            }
        });
    }

    /** Sends queued output until done or the socket is full; then registers write interest or not. */
    private void flush() {
        if (closed) {
            return;
        }
        try {
            Object head;
            while ((head = output.peekFirst()) != null) {
                if (head instanceof FileSend send) {
                    if (!send.transfer()) {
                        break;
                    }
                    output.pollFirst();
                } else if (!writeChunks()) {
                    break;
                }
            }
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        if (readPaused && queuedBytes <= options.lowWaterMark()) {
            readPaused = false;
        }
        updateInterest();
        if (output.isEmpty()) {
            outputDrained();
        }
    }

    /** One gathering write of the chunks at the head of the queue; {@code true} when all were sent. */
    private boolean writeChunks() throws IOException {
        int n = 0;
        for (Object o : output) {
            if (!(o instanceof ByteBuffer b) || n == MAX_GATHER) {
                break;
            }
            gather[n++] = b;
        }
        long written;
        boolean all;
        try {
            written = channel.write(gather, 0, n);
            all = !gather[n - 1].hasRemaining();
        } finally {
            Arrays.fill(gather, 0, n, null);
        }
        queuedBytes -= written;
        Object head;
        while ((head = output.peekFirst()) instanceof ByteBuffer b && !b.hasRemaining()) {
            output.pollFirst();
            loop.releaseChunk(b);
        }
        return all;
    }

    /** A queued file: opened when it reaches the head of the queue, sent with {@code sendfile}, closed. */
    private final class FileSend {
        final Path path;
        final long position;
        final long count;
        FileChannel file;
        long sent;

        FileSend(Path path, long position, long count) {
            this.path = path;
            this.position = position;
            this.count = count;
        }

        /** Sends what the socket takes; {@code true} once all {@code count} bytes went out. */
        boolean transfer() throws IOException {
            if (file == null) {
                file = FileChannel.open(path, StandardOpenOption.READ);
            }
            while (sent < count) {
                // On Linux FileChannel.transferTo to a socket is sendfile(2): the bytes never enter user space.
                long n = file.transferTo(position + sent, count - sent, channel);
                if (n > 0) {
                    sent += n;
                } else if (position + sent >= file.size()) {
                    throw new EOFException(path + " ended after " + sent + " of " + count + " bytes");
                } else {
                    return false; // the socket's send buffer is full
                }
            }
            release();
            return true;
        }

        void release() {
            if (file != null) {
                try {
                    file.close();
                } catch (IOException e) {
                    // read-only file: nothing was lost
                }
                file = null;
            }
        }
    }

    private void outputDrained() {
        if (closeRequested) {
            closeNow(null);
        } else if (shutdownRequested && !outputShut) {
            outputShut = true;
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                closeNow(e);
            }
        }
    }

    private void releaseOutput() {
        Object o;
        while ((o = output.pollFirst()) != null) {
            if (o instanceof ByteBuffer b) {
                loop.releaseChunk(b);
            } else {
                ((FileSend) o).release();
            }
        }
        queuedBytes = 0;
    }

    // ---- closing ----

    @Override
    public void shutdownOutput() {
        loop.runOnLoopIfRunning(() -> {
            if (closed) {
                return;
            }
            shutdownRequested = true;
            if (output.isEmpty()) {
                outputDrained();
            }
        });
    }

    @Override
    public void close() {
        loop.runOnLoopIfRunning(() -> {
            if (closed) {
                return;
            }
            closeRequested = true;
            updateInterest();
            if (output.isEmpty()) {
                closeNow(null);
            }
        });
    }

    @Override
    public void abort(Throwable cause) {
        loop.runOnLoopIfRunning(() -> closeNow(cause));
    }

    private void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // the descriptor is released even when close reports an error
        }
        releaseOutput();
        onClosed.run();
        callback(() -> handler.onClose(this, cause), null);
    }

    private void callbackFailed(Throwable t) {
        Handlers.report(t, "protocol handler");
        closeNow(t);
    }

    /** Runs a handler callback on the callback thread, then {@code after} on the loop. */
    private void callback(Runnable call, Runnable after) {
        if (callbacks == null) {
            try {
                call.run();
            } catch (Throwable t) {
                callbackFailed(t);
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
                loop.runOnLoopIfRunning(after);
            }
        });
    }

    // ---- accessors ----

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(Object value) {
        this.attachment = value;
    }

    @Override
    public String toString() {
        return "Connection[" + local + " <-> " + remote + "]";
    }
}
