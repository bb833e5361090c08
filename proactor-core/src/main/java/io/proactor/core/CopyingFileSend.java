package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.LeasedBuffer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Small files through the page cache into chunks, sent with the chunks queued just before them in one
 * gathering write, {@link #BATCH} chunks at a time. For a small file one copy costs less than the zero-copy
 * path's hand-offs: io_uring runs each {@code SPLICE} on a kernel worker thread, two per file.
 */
final class CopyingFileSend extends ProactorFileSend implements CompletionHandler<Integer, Void> {

    static final int BATCH = 4;
    private final LeasedBuffer[] body = new LeasedBuffer[BATCH];
    private final Written written = new Written();
    private AsyncFile opened;
    private long read;
    private int filled;        // body[0..filled) hold bytes read
    private boolean ended;     // the file ended before count: what was read is sent, then the send fails
    private int headerChunks;  // gather[0..headerChunks): the chunks sent ahead, then the body's buffers
    private long headerBytes;

    /** A send of {@code shared} (its reference taken by the caller) if not null, else of {@code path}. */
    CopyingFileSend(ProactorConnection connection, Path path, SharedFile shared, long position, long count) {
        super(connection, path, shared, position, count);
    }

    @Override
    void restart() {
        opened = null;
        read = 0;
        filled = 0;
        ended = false;
        headerChunks = 0;
        headerBytes = 0;
    }

    @Override
    void send(AsyncFile opened) {
        this.opened = opened;
        headerChunks = connection.chunksInFlight;
        for (int i = 0; i < headerChunks; i++) {
            headerBytes += connection.gather()[i].remaining();
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
            LeasedBuffer chunk = connection.chunks.acquire();
            body[filled++] = chunk;
            b = chunk.buffer().clear();
        }
        b.limit((int) Math.min(b.capacity(), b.position() + count - read));
        if (read == 0 && b.remaining() == count && readThenWrite(b)) {
            return;
        }
        opened.read(b, position + read, null, this);
    }

    /**
     * The whole file fits in the first buffer: where the engine chains a read and a write (io_uring links them),
     * it is read and sent with the chunks ahead in one submission. Then the send goes on as if the read had
     * completed: what the write leaves is written by {@link #writeBatch}, and a file that ended early fails it.
     */
    private boolean readThenWrite(ByteBuffer b) {
        if (!(connection.socket instanceof AbstractAsyncSocket socket)) {
            return false;
        }
        ByteBuffer[] gather = connection.gather();
        gather[headerChunks] = b;
        if (!socket.readFileThenWrite(opened, position, b, gather, 0, headerChunks + 1, null, written)) {
            gather[headerChunks] = null;
            return false;
        }
        read = count;
        return true;
    }

    @Override
    public void completed(Integer n, Void unused) {
        if (connection.closed) {
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
            connection.gather()[n++] = body[i].buffer().flip();
        }
        writeBatch();
    }

    /** Writes what is left of {@code gather[0 .. headerChunks+filled)}; when all is sent, reads on. */
    private void writeBatch() {
        ByteBuffer[] gather = connection.gather();
        int end = headerChunks + filled;
        int first = 0;
        while (first < end && !gather[first].hasRemaining()) {
            first++;
        }
        if (first < end) {
            connection.socket.write(gather, first, end - first, 0, TimeUnit.NANOSECONDS, null, written);
            return;
        }
        releaseBody();
        if (headerChunks > 0) {
            connection.chunksSent(headerBytes);
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

    /** The gathering write's completion: the byte count needs no box (see {@link ByteCountHandler}). */
    private final class Written implements ByteCountHandler {
        @Override
        public void completed(long n) {
            connection.sendProgressed();
            writeBatch();
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            end(exc);
        }
    }

    private void releaseBody() {
        for (int i = 0; i < filled; i++) {
            body[i].release();
            body[i] = null;
            connection.gather()[headerChunks + i] = null;
        }
        filled = 0;
    }

    private void end(Throwable error) {
        releaseBody();
        finish(error);
    }
}
