package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * File-to-socket transfer for engines that have no zero-copy path: read a chunk of the file into a pooled
 * direct buffer, write it all, repeat. Used by NIO.2, whose asynchronous sockets offer no {@code sendfile}.
 *
 * <p>Runs on the socket's proactor; file completions (which may run on another proactor) hop back to it.
 */
public final class CopyingTransfer {

    private final ProactorLoop loop;
    private final AsyncFile file;
    private final OperationSlot userSlot;
    private final OperationSlot chunkSlot = new OperationSlot();
    private final BiConsumer<ByteBuffer, OperationSlot> writer;
    private final LeasedBuffer lease;
    private long position;
    private long remaining;
    private long sent;

    /**
     * @param writer the engine's raw write of one buffer (no timeout), completing the slot it is given with an
     *               Integer
     */
    public CopyingTransfer(ProactorLoop loop, BufferPool pool, AsyncFile file, long position, long count,
                           OperationSlot userSlot, BiConsumer<ByteBuffer, OperationSlot> writer) {
        this.loop = loop;
        this.file = file;
        this.position = position;
        this.remaining = count;
        this.userSlot = userSlot;
        this.writer = writer;
        this.lease = pool.acquire();
    }

    /** Starts; loop only. */
    public void start() {
        readChunk();
    }

    private void readChunk() {
        if (remaining == 0) {
            finish(null);
            return;
        }
        ByteBuffer buf = lease.buffer();
        buf.clear();
        if (remaining < buf.capacity()) {
            buf.limit((int) remaining);
        }
        file.read(buf, position, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                loop.runOnLoop(() -> chunkRead(n));
            }

            @Override
            public void failed(Throwable exc, Object a) {
                loop.runOnLoop(() -> finish(exc));
            }
        });
    }

    private void chunkRead(int n) {
        if (n <= 0) {
            finish(null); // the file ended before 'count' bytes: report what was sent
            return;
        }
        position += n;
        remaining -= n;
        lease.buffer().flip();
        writeChunk();
    }

    private void writeChunk() {
        chunkSlot.tryAcquire();
        chunkSlot.prepare(new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object a) {
                sent += n;
                if (lease.buffer().hasRemaining()) {
                    writeChunk();
                } else {
                    readChunk();
                }
            }

            @Override
            public void failed(Throwable exc, Object a) {
                finish(exc);
            }
        }, null);
        writer.accept(lease.buffer(), chunkSlot);
    }

    private void finish(Throwable error) {
        lease.release();
        if (error != null) {
            userSlot.fail(error);
        } else {
            userSlot.complete(sent);
        }
    }
}
