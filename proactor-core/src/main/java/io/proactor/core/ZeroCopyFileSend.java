package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.SharedFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Page cache to socket through the engine's zero-copy transfer. The chunks queued just before the file go
 * with the first transfer as its headers, so that the engine can send a response head and a small file
 * together.
 *
 * <p>A file larger than {@link #PIECE} goes in transfers of that size, one after the other: each completed
 * piece is send progress the connection sees ({@link AbstractConnection#sendProgressed}), so a large file to
 * a slow reader that keeps reading does not look stalled to the send timeout, whatever the engine does
 * inside one transfer (io_uring splices 64 KiB at a time, nio2 copies through a buffer). One more completion
 * per 256 KiB costs nothing next to moving the 256 KiB.
 */
final class ZeroCopyFileSend extends ProactorFileSend implements ByteCountHandler {

    static final long PIECE = 256 * 1024;

    private AsyncFile opened;
    private long headerBytes;
    private long sent;
    private long asked;

    /** A send of {@code shared} (its reference taken by the caller) if not null, else of {@code path}. */
    ZeroCopyFileSend(ProactorConnection connection, Path path, SharedFile shared, long position, long count) {
        super(connection, path, shared, position, count);
    }

    @Override
    void restart() {
        opened = null;
        headerBytes = 0;
        sent = 0;
        asked = 0;
    }

    @Override
    void send(AsyncFile opened) {
        this.opened = opened;
        asked = Math.min(PIECE, count);
        int headers = connection.chunksInFlight;
        if (headers == 0) {
            connection.socket.transferFrom(opened, position, asked, null, this);
            return;
        }
        ByteBuffer[] gather = connection.gather();
        headerBytes = 0;
        for (int i = 0; i < headers; i++) {
            headerBytes += gather[i].remaining();
        }
        connection.socket.transferFrom(gather, 0, headers, opened, position, asked, null, this);
    }

    @Override
    public void completed(long piece) {
        connection.sendProgressed();
        if (connection.chunksInFlight > 0) {
            connection.chunksSent(headerBytes);
        }
        sent += piece;
        if (piece < asked) {
            finish(endedEarly(sent));
        } else if (sent == count || connection.closed) {
            finish(null);
        } else {
            asked = Math.min(PIECE, count - sent);
            connection.socket.transferFrom(opened, position + sent, asked, null, this);
        }
    }

    @Override
    public void failed(Throwable exc, Void unused) {
        finish(exc);
    }
}
