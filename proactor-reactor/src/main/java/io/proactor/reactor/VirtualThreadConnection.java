package io.proactor.reactor;

import io.proactor.SharedFile;
import io.proactor.core.AbstractConnection;
import io.proactor.core.Handlers;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A protocol handler's {@link Connection} served thread-per-connection on virtual threads, with blocking
 * socket calls: a <em>reader</em> virtual thread reads and calls the handler; a <em>writer</em> virtual thread
 * drains the output queue, so a {@code write} made in a callback never blocks the reader on a full socket.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. {@code onOpen}, {@code onRead},
 * {@code onInputClosed} and {@code onClose} run on the reader thread, one at a time, under the connection's
 * callback lock. Tasks given to {@link #executor()} run under the same lock, after the callback that submitted
 * them, on a short-lived virtual thread (the reader may be parked in {@code read(2)} and cannot run them).
 *
 * <p><b>Buffers.</b> The reader reads into its own direct buffer and lends it to {@code onRead} for the call;
 * {@code write} copies. The reader stops reading while queued output exceeds the high-water mark and resumes
 * at the low-water mark.
 */
final class VirtualThreadConnection extends AbstractConnection {

    /** Queue item: send FIN. */
    private static final Object SHUTDOWN = new Object();
    /**
     * The most one {@code write} call is given: a blocking write on a platform thread returns only once the
     * kernel took all of it, and the send timeout sees progress per call.
     */
    private static final int WRITE_PIECE = 64 * 1024;

    private final SocketChannel channel;
    private final VirtualThreadGroup threads;
    private final String name;
    private final ReentrantLock callbackLock = new ReentrantLock();
    /** Guards the output queue and the state below. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> output = new ArrayDeque<>(); // ByteBuffer copies, FileTransfer, SHUTDOWN
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Executor executor = this::submit;
    private long queued;
    private boolean closeRequested;
    private boolean shutdownRequested;
    private boolean closed;
    private Throwable closeCause;
    private ByteBuffer readBuffer;
    private final Runnable deliverRead = this::deliverRead;
    private final Runnable progressed = this::sendProgressed;

    VirtualThreadConnection(SocketChannel channel, ProtocolHandler handler, ConnectionOptions options,
                            VirtualThreadGroup threads, String name, Runnable onClosed) throws IOException {
        super(handler, options, channel.getLocalAddress(), channel.getRemoteAddress(), onClosed);
        this.channel = channel;
        this.threads = threads;
        this.name = name;
    }

    /**
     * The reader thread's body: starts the writer, delivers {@code onOpen} (then completes {@code opened}),
     * reads until the input ends or the connection closes, and delivers {@code onClose} exactly once.
     */
    void runReader(CompletableFuture<Connection> opened) {
        try {
            threads.start(name + "-writer", this::runWriter);
        } catch (RuntimeException rejected) {
            abort(rejected);
        }
        boolean ok = callback(() -> handler.onOpen(this));
        if (opened != null) {
            if (ok) {
                opened.complete(this);
            } else {
                opened.completeExceptionally(closeCauseOr(new IOException("onOpen failed")));
            }
        }
        readBuffer = ByteBuffer.allocateDirect(options.readBufferSize());
        try {
            while (awaitReadable()) {
                readBuffer.clear();
                if (channel.read(readBuffer) < 0) {
                    callback(() -> handler.onInputClosed(this));
                    break;
                }
                readBuffer.flip();
                callback(deliverRead);
            }
        } catch (IOException e) {
            abort(e); // no effect when the connection was closed first, which is what broke the read
        }
        awaitClosed();
        readBuffer = null;
        onClosed.run();
        Throwable cause = closeCauseOr(null);
        callbackLock.lock();
        try {
            handler.onClose(this, cause);
        } catch (Throwable t) {
            Handlers.report(t, "protocol handler");
        } finally {
            callbackLock.unlock();
        }
    }

    private void deliverRead() {
        handler.onRead(this, readBuffer);
    }

    /** Runs a callback under the callback lock; what it throws aborts the connection. {@code false} then. */
    private boolean callback(Runnable call) {
        callbackLock.lock();
        try {
            call.run();
            return true;
        } catch (Throwable t) {
            abort(t);
            Handlers.report(t, "protocol handler");
            return false;
        } finally {
            callbackLock.unlock();
        }
    }

    /** Waits while too much output is queued; {@code false} once reading must stop (closing or closed). */
    private boolean awaitReadable() {
        lock.lock();
        try {
            if (queued > options.highWaterMark()) {
                while (queued > options.lowWaterMark() && !closed && !closeRequested) {
                    changed.awaitUninterruptibly();
                }
            }
            return !closed && !closeRequested;
        } finally {
            lock.unlock();
        }
    }

    private void awaitClosed() {
        lock.lock();
        try {
            while (!closed) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private Throwable closeCauseOr(Throwable fallback) {
        lock.lock();
        try {
            return closed ? closeCause : fallback;
        } finally {
            lock.unlock();
        }
    }

    // ---- writing ----

    private void runWriter() {
        try {
            while (true) {
                Object item;
                lock.lock();
                try {
                    while (!closed && output.isEmpty() && !closeRequested) {
                        changed.awaitUninterruptibly();
                    }
                    if (closed) {
                        return;
                    }
                    item = output.peekFirst();
                    if (item == null) { // closeRequested and everything is sent: the orderly close
                        closeNow(null);
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (item instanceof ByteBuffer data) {
                    int n = writePiece(data);
                    if (n > 0) {
                        sendProgressed();
                    }
                    lock.lock();
                    try {
                        queued -= n;
                        queuedBytes = queued;
                        if (!data.hasRemaining()) {
                            output.pollFirst();
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                } else {
                    if (item == SHUTDOWN) {
                        channel.shutdownOutput();
                    } else {
                        ((FileTransfer) item).transferAll(channel, progressed);
                    }
                    lock.lock();
                    try {
                        output.pollFirst();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            abort(e);
        }
    }

    /** Writes at most {@link #WRITE_PIECE} bytes of {@code data}; on the writer thread. */
    private int writePiece(ByteBuffer data) throws IOException {
        int limit = data.limit();
        if (data.remaining() > WRITE_PIECE) {
            data.limit(data.position() + WRITE_PIECE);
        }
        try {
            return channel.write(data);
        } finally {
            data.limit(limit);
        }
    }

    /** Output is queued, or the writer is sending it (it stays queued until sent). Any thread. */
    @Override
    protected boolean sendPending() {
        lock.lock();
        try {
            return !output.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "'data' is null");
        int n = data.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n).put(data).flip();
        if (n > 0) {
            offer(copy, n);
        }
    }

    @Override
    public void sendFile(Path path, long position, long count) {
        checkFileRange(path, position, count);
        if (count > 0) {
            offer(new FileTransfer(path, null, position, count, false), 0);
        }
    }

    /** {@code mode} does not matter here: a virtual thread always sends with {@code sendfile}. */
    @Override
    public void sendFile(SharedFile file, long position, long count, FileSendMode mode) {
        if (retainForSend(file, position, count, mode)) {
            offer(new FileTransfer(file.path(), file, position, count, false), 0);
        }
    }

    @Override
    public void shutdownOutput() {
        lock.lock();
        try {
            if (!shutdownRequested) {
                shutdownRequested = true;
                offer(SHUTDOWN, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    private void offer(Object item, int bytes) {
        lock.lock();
        try {
            if (closed || closeRequested) {
                if (item instanceof FileTransfer send) {
                    send.release();
                }
                return;
            }
            output.addLast(item);
            queued += bytes;
            queuedBytes = queued;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- closing ----

    @Override
    public void close() {
        lock.lock();
        try {
            closeRequested = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void abort(Throwable cause) {
        lock.lock();
        try {
            closeNow(cause);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket (which unblocks a reader or writer parked on it); with {@link #lock} held. */
    private void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        markClosed();
        closeCause = cause;
        for (Object item : output) {
            if (item instanceof FileTransfer send) {
                send.release(); // the one being sent, if any, fails on its closed socket or file
            }
        }
        output.clear();
        queued = 0;
        queuedBytes = 0;
        changed.signalAll();
        try {
            channel.close();
        } catch (IOException e) {
            // the descriptor is released even when close reports an error
        }
    }

    // ---- executor ----

    private void submit(Runnable task) {
        Objects.requireNonNull(task, "'task' is null");
        tasks.offer(task);
        if (draining.compareAndSet(false, true)) {
            threads.start(name + "-task", this::drainTasks);
        }
    }

    private void drainTasks() {
        do {
            callbackLock.lock();
            try {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    Handlers.run(task);
                }
            } finally {
                callbackLock.unlock();
            }
            draining.set(false);
        } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
    }

    @Override
    public Executor executor() {
        return executor;
    }
}
