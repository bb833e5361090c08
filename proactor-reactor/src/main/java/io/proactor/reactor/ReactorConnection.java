package io.proactor.reactor;

import io.proactor.SharedFile;
import io.proactor.core.LoopConnection;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A protocol handler's {@link Connection} on a {@link ReactorLoop}: the {@link LoopConnection} state machine
 * with readiness-based transport operations. The loop waits for readiness, reads into its own direct buffer
 * and lends it to {@link ProtocolHandler#onRead}. What a handler writes in a callback is queued and sent when
 * the callback returns, in one gathering write (a response's head and a small file's body copied behind it:
 * one system call, one segment where they fit); other output is written on the spot when nothing is queued.
 * What the socket did not take waits in direct chunks until the socket becomes writable again.
 *
 * <p><b>Interest.</b> {@code OP_READ} is registered while reading is allowed (not paused by the high-water
 * mark, not held by a worker, input not ended, no close requested); {@code OP_WRITE} only while output is
 * queued, since a socket with room is always writable and would wake the loop on every select.
 *
 * <p><b>Threading.</b> All state is confined to the loop thread. With a worker ({@code callbacks} non-null,
 * the WORKER_POOL model) each read is copied into a per-connection buffer, the worker is handed it, and the
 * loop does not read this connection again until the callback returned.
 */
final class ReactorConnection extends LoopConnection implements ReactorHandle {

    private static final int MAX_GATHER = 64;
    /** The largest {@link FileSendMode#COPY} read into chunks; at most {@code MAX_GATHER} chunks. */
    static final int MAX_COPY = 4 * ReactorLoop.CHUNK_SIZE;

    private final SocketChannel channel;
    private final ReactorLoop reactor;
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final Runnable workerRead = this::workerRead;
    private final Runnable progressed = this::sendProgressed;
    private SelectionKey key;
    private int interest;
    private ByteBuffer workerBuffer;
    private boolean started;

    ReactorConnection(SocketChannel channel, ReactorLoop loop, ProtocolHandler handler, Executor callbacks,
                      ConnectionOptions options, Runnable onClosed) throws IOException {
        super(loop, handler, callbacks, options, channel.getLocalAddress(), channel.getRemoteAddress(), onClosed);
        this.channel = channel;
        this.reactor = loop;
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
            key = reactor.register(channel, 0, this);
        }
        open(opened, () -> {
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
        ByteBuffer buffer = reactor.readBuffer();
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        if (n < 0) {
            inputEnded();
            return;
        }
        if (n == 0) {
            return;
        }
        buffer.flip();
        if (callbacks == null) {
            boolean outer = enterCallback();
            try {
                handler.onRead(this, buffer);
            } catch (Throwable t) {
                callbackFailed(t);
            } finally {
                exitCallback(outer); // what onRead wrote leaves now, in one write
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
        readOnWorker(workerBuffer);
        toLoop(workerReadDone);
    }

    private boolean readAllowed() {
        return started && !closed && !closeRequested && !inputEnded && !readPaused && !callbackHoldsRead;
    }

    @Override
    protected void readStateChanged() {
        updateInterest();
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

    /**
     * The Reactor fast path outside handler callbacks: nothing is queued, so the bytes may go straight from the
     * caller's buffer. Inside a callback they are queued, and sent when it returns.
     */
    @Override
    protected boolean writeDirectly(ByteBuffer data) {
        if (inCallback()) {
            // sent when the callback returns, with what else it queues: a response's head and a small file's
            // body copied behind it leave in one write
            flushSoon();
            return false;
        }
        try {
            channel.write(data);
        } catch (IOException e) {
            data.position(data.limit());
            closeNow(e);
            return true;
        }
        return !data.hasRemaining();
    }

    @Override
    protected void outputQueued() {
        if (!inCallback()) {
            updateInterest(); // the rest goes out when the socket is writable again
        } // else it is flushed when the callback returns
    }

    @Override
    protected ByteBuffer appendableTail() {
        if (output.peekLast() instanceof ByteBuffer last && last.limit() < last.capacity()) {
            return last;
        }
        ByteBuffer fresh = reactor.acquireChunk().limit(0);
        output.addLast(fresh);
        return fresh;
    }

    @Override
    public void sendFile(Path path, long position, long count) {
        sendFile(path, position, count, FileSendMode.ZERO_COPY);
    }

    /**
     * {@link FileSendMode#COPY} of at most {@link #MAX_COPY} bytes reads them into output chunks, sent with the
     * chunks queued before them; anything else goes with {@code sendfile} (the reactor has no asynchronous file
     * reads, so {@code DIRECT_IO} is zero-copy too).
     */
    @Override
    public void sendFile(Path path, long position, long count, FileSendMode mode) {
        checkFileRange(path, position, count);
        Objects.requireNonNull(mode, "'mode' is null");
        if (count > 0) {
            queueFile(transfer(path, null, position, count, mode));
        }
    }

    /** As {@link #sendFile(Path, long, long, FileSendMode)}, from the shared file's descriptor. */
    @Override
    public void sendFile(SharedFile file, long position, long count, FileSendMode mode) {
        if (retainForSend(file, position, count, mode)) {
            queueFile(transfer(file.path(), file, position, count, mode));
        }
    }

    /** A transfer of {@code shared} or {@code path}: the last one that ended if it is free, else a new one. */
    private FileTransfer transfer(Path path, SharedFile shared, long position, long count, FileSendMode mode) {
        boolean copies = mode == FileSendMode.COPY && count <= MAX_COPY;
        if (takeSpareFileSend() instanceof FileTransfer spare) {
            return spare.reuse(path, shared, position, count, copies);
        }
        return new FileTransfer(path, shared, position, count, copies);
    }

    /** Sends queued output until done or the socket is full; then registers write interest or not. */
    @Override
    protected void flush() {
        if (closed) {
            return;
        }
        try {
            Object head;
            while ((head = output.peekFirst()) != null) {
                if (head instanceof FileTransfer send && !send.copies()) {
                    if (!send.transfer(channel, progressed)) {
                        break;
                    }
                    output.pollFirst();
                    keepSpareFileSend(send);
                } else if (!writeChunks()) {
                    break;
                }
            }
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        resumeReadingIfDrained();
        updateInterest();
        if (output.isEmpty()) {
            outputDrained();
        }
    }

    /**
     * One gathering write of the chunks at the head of the queue, and of the bytes of the copying sends among
     * them, read into chunks first: a response's head and a small file's body leave in one {@code writev} (one
     * system call, and one segment where they fit). {@code true} when all were sent.
     */
    private boolean writeChunks() throws IOException {
        int n = 0;
        long written = 0;
        boolean all = false;
        try {
            Object next;
            while ((next = output.peekFirst()) != null) {
                if (next instanceof ByteBuffer b && n < MAX_GATHER) {
                    gather[n++] = b; // taken off the queue (iterating it would allocate), put back below if unsent
                    output.pollFirst();
                } else if (next instanceof FileTransfer send && send.copies() && n + chunksFor(send) <= MAX_GATHER) {
                    output.pollFirst();
                    n = copyIntoChunks(send, n);
                } else {
                    break;
                }
            }
            written = channel.write(gather, 0, n);
            all = !gather[n - 1].hasRemaining();
        } finally {
            for (int i = n - 1; i >= 0; i--) {
                if (gather[i].hasRemaining()) {
                    output.addFirst(gather[i]);
                } else {
                    reactor.releaseChunk(gather[i]);
                }
                gather[i] = null;
            }
        }
        queuedBytes -= written;
        if (written > 0) {
            sendProgressed();
        }
        return all;
    }

    private static int chunksFor(FileTransfer send) {
        return (int) ((send.count() + ReactorLoop.CHUNK_SIZE - 1) / ReactorLoop.CHUNK_SIZE);
    }

    /**
     * Reads the copying send's range into new chunks at {@code gather[n ..]} and returns the index past them; the
     * send is kept for reuse. On failure its chunks are given back and the send dropped.
     */
    private int copyIntoChunks(FileTransfer send, int n) throws IOException {
        int end = n + chunksFor(send);
        for (int i = n; i < end; i++) {
            gather[i] = reactor.acquireChunk();
        }
        try {
            send.copyInto(gather, n, end);
        } catch (IOException e) {
            for (int i = n; i < end; i++) {
                reactor.releaseChunk(gather[i]);
                gather[i] = null;
            }
            throw e;
        }
        queuedBytes += send.count();
        keepSpareFileSend(send);
        return end;
    }

    @Override
    protected void release(Object queued) {
        if (queued instanceof ByteBuffer b) {
            reactor.releaseChunk(b);
        } else {
            ((FileTransfer) queued).release();
        }
    }

    // ---- closing ----

    @Override
    protected void shutdownTransportOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeNow(e);
        }
    }

    @Override
    protected void closeTransport() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // the descriptor is released even when close reports an error
        }
    }
}
