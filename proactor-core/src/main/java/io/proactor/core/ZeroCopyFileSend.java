package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Page cache to socket through the engine's zero-copy transfer. The chunks queued just before the file go
 * with it as the transfer's headers, so that the engine can send a response head and a small file together.
 */
final class ZeroCopyFileSend extends ProactorFileSend implements CompletionHandler<Long, Void> {

    private long headerBytes;

    ZeroCopyFileSend(ProactorConnection connection, Path path, long position, long count) {
        super(connection, path, position, count);
    }

    @Override
    void send(AsyncFile opened) {
        int headers = connection.chunksInFlight;
        if (headers == 0) {
            connection.socket.transferFrom(opened, position, count, null, this);
            return;
        }
        ByteBuffer[] gather = connection.gather();
        headerBytes = 0;
        for (int i = 0; i < headers; i++) {
            headerBytes += gather[i].remaining();
        }
        connection.socket.transferFrom(gather, 0, headers, opened, position, count, null, this);
    }

    @Override
    public void completed(Long sent, Void unused) {
        if (connection.chunksInFlight > 0) {
            connection.chunksSent(headerBytes);
        }
        finish(sent < count ? endedEarly(sent) : null);
    }

    @Override
    public void failed(Throwable exc, Void unused) {
        finish(exc);
    }
}
