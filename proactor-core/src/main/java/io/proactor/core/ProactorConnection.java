package io.proactor.core;

import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A protocol handler's {@link Connection} on a completion-based engine: the {@link LoopConnection} state
 * machine with asynchronous transport operations. One receive is kept in flight (the engine lends the
 * buffer); its completion calls {@link ProtocolHandler#onRead}. Output is copied into pooled direct chunks
 * (small writes coalesce into the last chunk) and sent with gathering writes, one in flight; files go out
 * through a {@link ProactorFileSend} strategy.
 *
 * <p><b>Threading.</b> All state is confined to the socket's proactor thread. Callbacks run there, or on the
 * connection's worker ({@code callbacks} non-null, the WORKER_POOL model); in that case the lent buffer travels
 * to the worker and the next receive is started only after the callback returned.
 */
final class ProactorConnection extends LoopConnection implements CompletionHandler<LeasedBuffer, Void> {

    private static final int MAX_GATHER = 64;

    final AsyncSocket socket;
    final BufferPool chunks;
    /** Made at the first write (see {@link #gather()}), so that a connection that never writes pins none. */
    private ByteBuffer[] gather;
    private LeasedBuffer[] taken; // flush's scratch, made with gather
    /** The chunks at the head of the queue that the write in flight sends ({@code gather[0..chunksInFlight)}). */
    int chunksInFlight;
    private final CompletionHandler<Long, Void> writeDone = new WriteDone();
    private boolean reading;

    /** {@code loop} is {@code socket}'s proactor, as its opener knows it; {@code chunks} are pooled on it. */
    ProactorConnection(AsyncSocket socket, ProactorLoop loop, ProtocolHandler handler, Executor callbacks,
                       BufferPool chunks, ConnectionOptions options, Runnable onClosed) throws IOException {
        super(loop, handler, callbacks, options, socket.localAddress(), socket.remoteAddress(), onClosed);
        this.socket = socket;
        this.chunks = chunks;
    }

    /**
     * Delivers {@code onOpen}, then starts reading; {@code opened} (may be null) completes after {@code onOpen}
     * returned, or fails with what it threw (the connection is then aborted). Any thread.
     */
    void start(CompletableFuture<Connection> opened) {
        loop.runOnLoop(() -> open(opened, this::receiveNext));
    }

    // ---- reading ----

    private void receiveNext() {
        if (reading || callbackHoldsRead || closed || closeRequested || inputEnded || readPaused) {
            return;
        }
        reading = true;
        socket.receive(null, this);
    }

    @Override
    protected void readStateChanged() {
        receiveNext();
    }

    @Override
    public void completed(LeasedBuffer lease, Void unused) {
        reading = false;
        if (lease == null) {
            inputEnded();
            return;
        }
        if (closed || closeRequested) {
            lease.release();
            return;
        }
        if (callbacks == null) {
            boolean outer = enterCallback();
            try {
                handler.onRead(this, lease.buffer());
            } catch (Throwable t) {
                callbackFailed(t);
            } finally {
                lease.release();
                exitCallback(outer);
            }
            receiveNext();
        } else {
            callbackHoldsRead = true;
            callbacks.execute(() -> {
                readOnWorker(lease.buffer());
                lease.release();
                toLoop(workerReadDone);
            });
        }
    }

    @Override
    public void failed(Throwable exc, Void unused) {
        reading = false;
        closeNow(exc);
    }

    // ---- writing ----

    @Override
    protected void outputQueued() {
        flushSoon();
    }

    @Override
    protected ByteBuffer appendableTail() {
        Object last = output.peekLast();
        if (last instanceof LeasedBuffer lb && output.size() > chunksInFlight
                && lb.buffer().limit() < lb.buffer().capacity()) {
            return lb.buffer(); // the last chunk has room and is not being written
        }
        LeasedBuffer fresh = chunks.acquire();
        fresh.buffer().limit(0);
        output.addLast(fresh);
        return fresh.buffer();
    }

    @Override
    public void sendFile(Path path, long position, long count) {
        sendFile(path, position, count, FileSendMode.ZERO_COPY);
    }

    @Override
    public void sendFile(Path path, long position, long count, FileSendMode mode) {
        Objects.requireNonNull(mode, "'mode' is null");
        checkFileRange(path, position, count);
        if (count > 0) {
            queueFile(fileSend(mode, path, null, position, count));
        }
    }

    @Override
    public void sendFile(SharedFile file, long position, long count, FileSendMode mode) {
        if (retainForSend(file, position, count, mode)) {
            queueFile(fileSend(mode, file.path(), file, position, count));
        }
    }

    /**
     * A send of {@code file} (if not null) or {@code path} in {@code mode}: the send that ended last on this
     * connection if it is of that kind (see {@link #recycle}), else a new one.
     */
    private ProactorFileSend fileSend(FileSendMode mode, Path path, SharedFile file, long position, long count) {
        Object spare = takeSpareFileSend();
        return switch (mode) {
            case ZERO_COPY -> spare instanceof ZeroCopyFileSend send ? send.reuse(path, file, position, count)
                    : new ZeroCopyFileSend(this, path, file, position, count);
            case COPY -> spare instanceof CopyingFileSend send ? send.reuse(path, file, position, count)
                    : new CopyingFileSend(this, path, file, position, count);
            case DIRECT_IO -> new DirectIoFileSend(this, path, file, position, count);
        };
    }

    /**
     * The last step of a file send that ended: a send with one operation in flight at a time has none left then
     * (it ended in that operation's completion, or before starting one), so it is kept to be used again. A
     * direct-I/O send reads several blocks at once, and one may still complete after it failed: never reused.
     */
    void recycle(ProactorFileSend send) {
        if (send instanceof CopyingFileSend || send instanceof ZeroCopyFileSend) {
            keepSpareFileSend(send);
        }
    }

    @Override
    protected void flush() {
        if (writing || closed) {
            return;
        }
        Object head = output.peekFirst();
        if (head == null) {
            outputDrained();
            return;
        }
        writing = true;
        if (head instanceof ProactorFileSend send) {
            send.start();
            return;
        }
        ByteBuffer[] gather = gather();
        // The chunks at the head are taken off the queue to be counted and put back (iterating the queue would
        // allocate an iterator per write): the chunks in flight stay queued until their write completes.
        int n = 0;
        while (n < MAX_GATHER && output.peekFirst() instanceof LeasedBuffer lb) {
            taken[n] = lb;
            gather[n++] = lb.buffer();
            output.pollFirst();
        }
        Object following = output.peekFirst();
        for (int i = n - 1; i >= 0; i--) {
            output.addFirst(taken[i]);
            taken[i] = null;
        }
        chunksInFlight = n;
        if (following instanceof ProactorFileSend send && send.sendsChunksAhead()) {
            send.start(); // the chunks go with the file (e.g. a response head and its body)
            return;
        }
        socket.write(gather, 0, n, 0, TimeUnit.NANOSECONDS, null, writeDone);
    }

    /**
     * The gathering write's buffers: up to {@code MAX_GATHER} chunks, then the buffers of a small file sent with
     * them ({@link CopyingFileSend}); loop only.
     */
    ByteBuffer[] gather() {
        if (gather == null) {
            gather = new ByteBuffer[MAX_GATHER + CopyingFileSend.BATCH];
            taken = new LeasedBuffer[MAX_GATHER];
        }
        return gather;
    }

    /** The {@link #chunksInFlight} chunks sent {@code bytes}: drops the chunks that were sent whole. */
    void chunksSent(long bytes) {
        forgetChunksInFlight();
        queuedBytes -= bytes;
        Object head;
        while ((head = output.peekFirst()) instanceof LeasedBuffer lb && !lb.buffer().hasRemaining()) {
            output.pollFirst();
            lb.release();
        }
    }

    private void forgetChunksInFlight() {
        if (chunksInFlight > 0) {
            Arrays.fill(gather, 0, chunksInFlight, null);
            chunksInFlight = 0;
        }
    }

    private final class WriteDone implements ByteCountHandler {
        @Override
        public void completed(long written) {
            writing = false;
            sendProgressed();
            chunksSent(written);
            if (closed) {
                releaseOutput();
                return;
            }
            resumeReadingIfDrained();
            flush();
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            writing = false;
            forgetChunksInFlight();
            closeNow(exc);
            releaseOutput();
        }
    }

    /** A file send ended (the first end wins, see {@link ProactorFileSend#finish}): the queue moves on. */
    void fileSendFinished(ProactorFileSend send, Throwable error) {
        writing = false;
        forgetChunksInFlight(); // chunks sent ahead of a file that failed
        output.remove(send);
        if (closed) {
            releaseOutput(); // closeNow left the queue to us while the transfer was in flight
        } else if (error != null) {
            closeNow(error);
        } else {
            resumeReadingIfDrained();
            flush();
        }
    }

    @Override
    protected void release(Object queued) {
        if (queued instanceof LeasedBuffer lb) {
            lb.release();
        } else if (queued instanceof ProactorFileSend send) {
            send.abandon();
        }
    }

    // ---- closing ----

    @Override
    protected void shutdownTransportOutput() {
        socket.shutdownOutput(null, new CompletionHandler<Void, Object>() {
            @Override
            public void completed(Void v, Object a) {
            }

            @Override
            public void failed(Throwable exc, Object a) {
                closeNow(exc);
            }
        });
    }

    @Override
    protected void closeTransport() {
        socket.close();
    }
}
