package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.ProactorOpenOption;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol handler's {@link Connection} on a completion-based engine. One receive is kept in flight (the
 * engine lends the buffer); its completion calls {@link ProtocolHandler#onRead}. Output is copied into pooled
 * direct chunks (small writes coalesce into the last chunk) and sent with gathering writes, one in flight.
 *
 * <p><b>Threading.</b> All state is confined to the socket's proactor thread. Callbacks run there, or on the
 * connection's worker ({@code callbacks} non-null, the WORKER_POOL model); in that case the lent buffer travels
 * to the worker and the next receive is started only after the callback returned.
 */
final class ProactorConnection implements Connection, CompletionHandler<LeasedBuffer, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProactorConnection.class);
    private static final int MAX_GATHER = 64;

    private final AsyncSocket socket;
    private final ProactorLoop loop;
    private final ProtocolHandler handler;
    private final Executor callbacks;
    private final BufferPool chunks;
    private final ConnectionOptions options;
    private final Runnable onClosed;
    private final Executor executor;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final ArrayDeque<Object> output = new ArrayDeque<>(); // LeasedBuffer (flipped) or FileSend
    // up to MAX_GATHER chunks, then the buffers of a small file sent with them (CopySend)
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER + CopySend.BATCH];
    private final CompletionHandler<Long, Void> writeDone = new WriteDone();
    private int chunksInFlight;
    private volatile long queuedBytes;
    private volatile boolean open = true;
    private volatile Object attachment;
    private boolean reading;
    private boolean callbackHoldsRead;
    private boolean readPaused;
    private boolean inputEnded;
    private boolean writing;
    private boolean inCallback;   // a handler callback runs on the loop: flushes wait for its end
    private boolean flushPending; // something was queued during that callback
    private boolean closeRequested;
    private boolean shutdownRequested;
    private boolean outputShut;
    private boolean closed;

    ProactorConnection(AsyncSocket socket, ProtocolHandler handler, Executor callbacks, BufferPool chunks,
                       ConnectionOptions options, Runnable onClosed) throws IOException {
        this.socket = socket;
        this.loop = (ProactorLoop) socket.proactor();
        this.handler = Objects.requireNonNull(handler, "the handler factory returned null");
        this.callbacks = callbacks;
        this.chunks = chunks;
        this.options = options;
        this.onClosed = onClosed;
        this.executor = callbacks != null ? callbacks : loop;
        this.local = socket.localAddress();
        this.remote = socket.remoteAddress();
    }

    /**
     * Delivers {@code onOpen}, then starts reading; {@code opened} (may be null) completes after {@code onOpen}
     * returned, or fails with what it threw (the connection is then aborted). Any thread.
     */
    void start(CompletableFuture<Connection> opened) {
        loop.runOnLoop(() -> callback(() -> {
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
        }, this::receiveNext));
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
    public void completed(LeasedBuffer lease, Void unused) {
        reading = false;
        if (lease == null) {
            inputEnded = true;
            if (!closed) {
                callback(() -> handler.onInputClosed(this), null);
            }
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
                try {
                    if (open) {
                        handler.onRead(this, lease.buffer());
                    }
                } catch (Throwable t) {
                    abort(t);
                    Handlers.report(t, "protocol handler");
                } finally {
                    lease.release();
                }
                toLoop(() -> {
                    callbackHoldsRead = false;
                    receiveNext();
                });
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
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "'data' is null");
        if (loop.inProactorThread()) {
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
        int n = data.remaining();
        while (data.hasRemaining()) {
            ByteBuffer tail = appendableTail();
            int start = tail.limit();
            int take = Math.min(data.remaining(), tail.capacity() - start);
            tail.limit(start + take).put(start, data, data.position(), take);
            data.position(data.position() + take);
        }
        queuedBytes += n;
        if (queuedBytes > options.highWaterMark()) {
            readPaused = true;
        }
        flushSoon();
    }

    /** The last chunk if it is not being written and has room, otherwise a new empty chunk at the tail. */
    private ByteBuffer appendableTail() {
        Object last = output.peekLast();
        if (last instanceof LeasedBuffer lb && output.size() > chunksInFlight
                && lb.buffer().limit() < lb.buffer().capacity()) {
            return lb.buffer();
        }
        LeasedBuffer fresh = chunks.acquire();
        fresh.buffer().limit(0);
        output.addLast(fresh);
        return fresh.buffer();
    }

    @Override
    public void sendFile(Path path, long position, long count) {
        Objects.requireNonNull(path, "'path' is null");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were " + position + ", " + count);
        }
        queueFile(new ZeroCopySend(path, position, count));
    }

    @Override
    public void sendFile(Path path, long position, long count, FileSendMode mode) {
        Objects.requireNonNull(mode, "'mode' is null");
        if (mode == FileSendMode.ZERO_COPY) {
            sendFile(path, position, count);
            return;
        }
        Objects.requireNonNull(path, "'path' is null");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were " + position + ", " + count);
        }
        queueFile(mode == FileSendMode.COPY ? new CopySend(path, position, count)
                : new DirectSend(path, position, count));
    }

    private void queueFile(FileSend send) {
        toLoop(() -> {
            if (!closed && !closeRequested && send.count > 0) {
                output.addLast(send);
                flushSoon();
            }
        });
    }

    private void flush() {
        if (writing || closed) {
            return;
        }
        Object head = output.peekFirst();
        if (head == null) {
            outputDrained();
            return;
        }
        writing = true;
        if (head instanceof FileSend send) {
            send.start();
            return;
        }
        int n = 0;
        Object following = null;
        for (Object o : output) {
            if (!(o instanceof LeasedBuffer lb)) {
                following = o;
                break;
            }
            if (n == MAX_GATHER) {
                break;
            }
            gather[n++] = lb.buffer();
        }
        chunksInFlight = n;
        if (following instanceof FileSend send && send.sendsChunksAhead()) {
            send.start(); // the chunks go with the file (e.g. a response head and its body)
            return;
        }
        socket.write(gather, 0, n, 0, TimeUnit.NANOSECONDS, null, writeDone);
    }

    /** The {@link #chunksInFlight} chunks sent {@code bytes}: drops the chunks that were sent whole. */
    private void chunksSent(long bytes) {
        Arrays.fill(gather, 0, chunksInFlight, null);
        chunksInFlight = 0;
        queuedBytes -= bytes;
        Object head;
        while ((head = output.peekFirst()) instanceof LeasedBuffer lb && !lb.buffer().hasRemaining()) {
            output.pollFirst();
            lb.release();
        }
    }

    private void resumeReadingIfDrained() {
        if (readPaused && queuedBytes <= options.lowWaterMark()) {
            readPaused = false;
            receiveNext();
        }
    }

    private final class WriteDone implements CompletionHandler<Long, Void> {
        @Override
        public void completed(Long written, Void unused) {
            writing = false;
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
            Arrays.fill(gather, 0, chunksInFlight, null);
            chunksInFlight = 0;
            closeNow(exc);
            releaseOutput();
        }
    }

    /** A queued file: opened when it (or the chunks sent ahead of it) reaches the head of the queue; sent; closed. */
    private abstract class FileSend {
        final Path path;
        final long position;
        final long count;
        private AsyncFile file;
        private boolean done;

        FileSend(Path path, long position, long count) {
            this.path = path;
            this.position = position;
            this.count = count;
        }

        /** How the file is opened: for reading through the page cache, unless a subclass says otherwise. */
        Set<? extends OpenOption> openOptions() {
            return Set.of(StandardOpenOption.READ);
        }

        /** Whether it sends the {@link #chunksInFlight} chunks queued just before it together with the file. */
        boolean sendsChunksAhead() {
            return true;
        }

        /** Sends the opened file; ends with {@link #finish}. */
        abstract void send(AsyncFile opened);

        final void start() {
            loop.openFile(path, openOptions(), null, new CompletionHandler<AsyncFile, Object>() {
                @Override
                public void completed(AsyncFile opened, Object a) {
                    file = opened;
                    if (closed) {
                        finish(null);
                    } else {
                        send(opened);
                    }
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    finish(exc);
                }
            });
        }

        final EOFException endedEarly(long sent) {
            return new EOFException(path + " ended after " + sent + " of " + count + " bytes");
        }

        /** Closes the file and moves on; the first call wins (late completions of a failed send are ignored). */
        final void finish(Throwable error) {
            if (done) {
                return;
            }
            done = true;
            if (file != null) {
                file.close();
            }
            writing = false;
            Arrays.fill(gather, 0, chunksInFlight, null); // chunks sent ahead of a file that failed
            chunksInFlight = 0;
            output.remove(this);
            if (closed) {
                releaseOutput(); // closeNow left the queue to us while the transfer was in flight
            } else if (error != null) {
                closeNow(error);
            } else {
                resumeReadingIfDrained();
                flush();
            }
        }
    }

    /**
     * Page cache to socket through the engine's zero-copy transfer. The chunks queued just before the file go
     * with it as the transfer's headers, so that the engine can send a response head and a small file together.
     */
    private final class ZeroCopySend extends FileSend implements CompletionHandler<Long, Void> {
        private long headerBytes;

        ZeroCopySend(Path path, long position, long count) {
            super(path, position, count);
        }

        @Override
        void send(AsyncFile opened) {
            if (chunksInFlight == 0) {
                socket.transferFrom(opened, position, count, null, this);
                return;
            }
            headerBytes = 0;
            for (int i = 0; i < chunksInFlight; i++) {
                headerBytes += gather[i].remaining();
            }
            socket.transferFrom(gather, 0, chunksInFlight, opened, position, count, null, this);
        }

        @Override
        public void completed(Long sent, Void unused) {
            if (chunksInFlight > 0) {
                chunksSent(headerBytes);
            }
            finish(sent < count ? endedEarly(sent) : null);
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            finish(exc);
        }
    }

    /**
     * Small files through the page cache into chunks, sent with the chunks queued just before them in one
     * gathering write, {@link #BATCH} chunks at a time. For a small file one copy costs less than the zero-copy
     * path's hand-offs: io_uring runs each {@code SPLICE} on a kernel worker thread, two per file.
     */
    private final class CopySend extends FileSend implements CompletionHandler<Integer, Void> {
        static final int BATCH = 4;
        private final LeasedBuffer[] body = new LeasedBuffer[BATCH];
        private final CompletionHandler<Long, Void> written = new CompletionHandler<>() {
            @Override
            public void completed(Long n, Void unused) {
                writeBatch();
            }

            @Override
            public void failed(Throwable exc, Void unused) {
                end(exc);
            }
        };
        private AsyncFile opened;
        private long read;
        private int filled;        // body[0..filled) hold bytes read
        private boolean ended;     // the file ended before count: what was read is sent, then the send fails
        private int headerChunks;  // gather[0..headerChunks): the chunks sent ahead, then the body's buffers
        private long headerBytes;

        CopySend(Path path, long position, long count) {
            super(path, position, count);
        }

        @Override
        void send(AsyncFile opened) {
            this.opened = opened;
            headerChunks = chunksInFlight;
            for (int i = 0; i < headerChunks; i++) {
                headerBytes += gather[i].remaining();
            }
            readNext();
        }

        private void readNext() {
            ByteBuffer b = filled == 0 ? null : body[filled - 1].buffer();
            if (read == count || ended || (filled == BATCH && !b.hasRemaining())) {
                startBatch();
                return;
            }
            if (b == null || !b.hasRemaining()) {
                LeasedBuffer chunk = chunks.acquire();
                body[filled++] = chunk;
                b = chunk.buffer().clear();
            }
            b.limit((int) Math.min(b.capacity(), b.position() + count - read));
            opened.read(b, position + read, null, this);
        }

        @Override
        public void completed(Integer n, Void unused) {
            if (closed) {
                end(null);
            } else if (n < 0) {
                ended = true;
                startBatch();
            } else {
                read += n;
                readNext();
            }
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            end(exc);
        }

        private void startBatch() {
            int n = headerChunks;
            for (int i = 0; i < filled; i++) {
                gather[n++] = body[i].buffer().flip();
            }
            writeBatch();
        }

        /** Writes what is left of {@code gather[0 .. headerChunks+filled)}; when all is sent, reads on. */
        private void writeBatch() {
            int end = headerChunks + filled;
            int first = 0;
            while (first < end && !gather[first].hasRemaining()) {
                first++;
            }
            if (first < end) {
                socket.write(gather, first, end - first, 0, TimeUnit.NANOSECONDS, null, written);
                return;
            }
            releaseBody();
            if (headerChunks > 0) {
                chunksSent(headerBytes);
                headerChunks = 0;
            }
            if (ended) {
                end(endedEarly(read));
            } else if (read == count) {
                end(null);
            } else {
                readNext();
            }
        }

        private void releaseBody() {
            for (int i = 0; i < filled; i++) {
                body[i].release();
                body[i] = null;
                gather[headerChunks + i] = null;
            }
            filled = 0;
        }

        private void end(Throwable error) {
            releaseBody();
            finish(error);
        }
    }

    /**
     * O_DIRECT reads into two aligned buffers: while one block is being sent the next is being read. Blocks
     * are read whole and aligned (what O_DIRECT requires); only the bytes in [position, position+count) are
     * sent from them.
     */
    private final class DirectSend extends FileSend {
        static final int ALIGNMENT = 4096;
        static final int BLOCK = 256 * 1024;
        private final ByteBuffer[] buffers = new ByteBuffer[2];
        private final long[] blockStart = new long[2];
        private final int[] readBytes = {-1, -1}; // -1: not read yet
        private final long end;
        private AsyncFile opened;
        private long nextBlock;
        private int sendIndex;
        private boolean sending;
        private long sent;
        private final CompletionHandler<Integer, Integer> blockRead = new CompletionHandler<>() {
            @Override
            public void completed(Integer n, Integer index) {
                readBytes[index] = Math.max(n, 0);
                sendNext();
            }

            @Override
            public void failed(Throwable exc, Integer index) {
                finish(exc);
            }
        };
        private final CompletionHandler<Integer, ByteBuffer> blockWritten = new CompletionHandler<>() {
            @Override
            public void completed(Integer n, ByteBuffer buffer) {
                sent += n;
                if (buffer.hasRemaining()) {
                    socket.write(buffer, buffer, this);
                    return;
                }
                sending = false;
                blockDone();
            }

            @Override
            public void failed(Throwable exc, ByteBuffer buffer) {
                finish(exc);
            }
        };

        DirectSend(Path path, long position, long count) {
            super(path, position, count);
            this.end = position + count;
            this.nextBlock = position - position % ALIGNMENT;
        }

        @Override
        Set<? extends OpenOption> openOptions() {
            return Set.of(StandardOpenOption.READ, ProactorOpenOption.DIRECT);
        }

        @Override
        boolean sendsChunksAhead() {
            return false; // large files: a separate head write costs nothing worth saving
        }

        @Override
        void send(AsyncFile opened) {
            this.opened = opened;
            ByteBuffer memory = ByteBuffer.allocateDirect(2 * BLOCK + ALIGNMENT).alignedSlice(ALIGNMENT);
            buffers[0] = memory.slice(0, BLOCK);
            buffers[1] = memory.slice(BLOCK, BLOCK);
            readBlock(opened, 0);
            readBlock(opened, 1);
        }

        private void readBlock(AsyncFile opened, int index) {
            if (nextBlock >= end) {
                return;
            }
            blockStart[index] = nextBlock;
            nextBlock += BLOCK;
            readBytes[index] = -1;
            opened.read(buffers[index].clear(), blockStart[index], index, blockRead);
        }

        private void sendNext() {
            if (closed) {
                // the connection ended while a block was being read: nothing will fail this send, so end it
                // here (closing the file fails the other read, if any, and a pending write fails on its own)
                finish(null);
                return;
            }
            int i = sendIndex;
            if (sending || readBytes[i] < 0) {
                return;
            }
            long from = Math.max(blockStart[i], position);
            long to = Math.min(blockStart[i] + readBytes[i], end);
            if (to <= from) {
                finish(endedEarly(sent));
                return;
            }
            ByteBuffer b = buffers[i];
            b.limit((int) (to - blockStart[i])).position((int) (from - blockStart[i]));
            sending = true;
            socket.write(b, b, blockWritten);
        }

        private void blockDone() {
            int i = sendIndex;
            long reached = Math.min(blockStart[i] + readBytes[i], end);
            if (reached >= end) {
                finish(null);
                return;
            }
            if (readBytes[i] < BLOCK) {
                finish(endedEarly(sent)); // a short block before the end: the file is shorter than asked
                return;
            }
            sendIndex = 1 - i;
            readBlock(opened, i);
            sendNext();
        }
    }

    private void outputDrained() {
        if (closeRequested) {
            closeNow(null);
        } else if (shutdownRequested && !outputShut) {
            outputShut = true;
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
    }

    private void releaseOutput() {
        Object o;
        while ((o = output.pollFirst()) != null) {
            if (o instanceof LeasedBuffer lb) {
                lb.release();
            }
        }
        queuedBytes = 0;
    }

    // ---- closing ----

    @Override
    public void shutdownOutput() {
        toLoop(() -> {
            shutdownRequested = true;
            if (!writing && output.isEmpty()) {
                outputDrained();
            }
        });
    }

    @Override
    public void close() {
        toLoop(() -> {
            if (closed) {
                return;
            }
            closeRequested = true;
            if (!writing && output.isEmpty()) {
                closeNow(null);
            }
        });
    }

    @Override
    public void abort(Throwable cause) {
        toLoop(() -> closeNow(cause));
    }

    private void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        socket.close();
        if (!writing) {
            releaseOutput(); // otherwise the write completion releases: the engine owns the chunks until then
        }
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

    /** Marks a handler callback running on the loop; returns whether one already was (a nested callback). */
    private boolean enterCallback() {
        boolean outer = inCallback;
        inCallback = true;
        return outer;
    }

    /** Ends a callback; the outermost one sends what the handler queued in it. */
    private void exitCallback(boolean outer) {
        inCallback = outer;
        if (!outer && flushPending) {
            flushPending = false;
            flush();
        }
    }

    /**
     * Starts sending, or, inside a handler callback on the loop, once the callback returns: what a handler
     * queues in one callback (a response head, then its file; several pipelined responses) then leaves in one
     * send instead of one per call.
     */
    private void flushSoon() {
        if (inCallback) {
            flushPending = true;
        } else {
            flush();
        }
    }

    private void toLoop(Runnable task) {
        try {
            loop.runOnLoop(task);
        } catch (RejectedExecutionException terminated) {
            LOG.debug("connection {}: proactor has terminated, dropping a task", remote);
        }
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
