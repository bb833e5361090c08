package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.ProactorOpenOption;
import io.proactor.SharedFile;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * O_DIRECT reads into two aligned buffers: while one block is being sent the next is being read. Blocks
 * are read whole and aligned (what O_DIRECT requires); only the bytes in [position, position+count) are
 * sent from them.
 */
final class DirectIoFileSend extends ProactorFileSend {

    private static final Set<OpenOption> READ_DIRECT = Set.of(StandardOpenOption.READ, ProactorOpenOption.DIRECT);
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
            connection.sendProgressed();
            if (buffer.hasRemaining()) {
                connection.socket.write(buffer, buffer, this);
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

    /**
     * A send of {@code path}, or of {@code shared} if not null: its path is opened again with {@code O_DIRECT},
     * and the reference is held until the send ends.
     */
    DirectIoFileSend(ProactorConnection connection, Path path, SharedFile shared, long position, long count) {
        super(connection, path, shared, position, count);
        this.end = position + count;
        this.nextBlock = position - position % ALIGNMENT;
    }

    @Override
    Set<? extends OpenOption> openOptions() {
        return READ_DIRECT;
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
        if (connection.closed) {
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
        connection.socket.write(b, b, blockWritten);
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
