package io.proactor.iouring;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.file.Path;

/**
 * One {@code OPENAT} on the ring, relative to the working directory. The proactor keeps a pool of these, one
 * per open in flight; the operation goes back to the pool before its handler runs. It is submitted as not
 * cancellable: closing the proactor lets an open in flight finish.
 */
final class OpenOperation extends RingOperation {

    private final IoUringOperationProcessor processor;
    private final ProactorLoop loop;
    private Path path;
    // The NUL-terminated path the kernel reads, reused by every open of this operation: it is only rewritten
    // once the operation is back in the pool, after its CQE. Grown when a longer path comes; dropped (null) when
    // the proactor closes.
    private ByteBuffer pathMemory;
    private boolean direct;
    private CompletionHandler<AsyncFile, Object> handler;
    private Object attachment;

    OpenOperation(IoUringOperationProcessor processor, RingHandle handle, ProactorLoop loop) {
        super(handle);
        this.processor = processor;
        this.loop = loop;
    }

    /** Loop thread. */
    void start(Path path, int flags, int mode, boolean direct, CompletionHandler<AsyncFile, Object> h,
               Object attachment) {
        this.path = path;
        putPath(path.toString());
        this.direct = direct;
        this.handler = h;
        this.attachment = attachment;
        if (!handle.submit(IoUringSqes.openat(NettyRingInternals.addressOf(pathMemory), flags, mode, tag), this, false)) {
            finish();
            loop.execute(() -> Handlers.fail(h, new ShutdownChannelGroupException(), attachment));
        }
    }

    @Override
    void onCompletion(int res, int flags) {
        Path path = this.path;
        boolean direct = this.direct;
        CompletionHandler<AsyncFile, Object> h = handler;
        Object a = attachment;
        finish();
        if (res < 0) {
            Handlers.fail(h, IoUringErrors.file("open", path, res), a);
        } else {
            Handlers.complete(h, new IoUringAsyncFile(loop, processor, res, path, direct), a);
        }
    }

    /** {@code name} in UTF-8 and a NUL into {@link #pathMemory}: ASCII without allocating, other names encoded. */
    private void putPath(String name) {
        int n = name.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = name.charAt(i) < 0x80;
        }
        byte[] utf8 = ascii ? null : name.getBytes(StandardCharsets.UTF_8);
        int length = ascii ? n : utf8.length;
        if (pathMemory == null || pathMemory.capacity() < length + 1) {
            pathMemory = ByteBuffer.allocateDirect(Math.max(256, Integer.highestOneBit(length + 1) << 1));
        }
        pathMemory.clear();
        if (ascii) {
            for (int i = 0; i < n; i++) {
                pathMemory.put((byte) name.charAt(i));
            }
        } else {
            pathMemory.put(utf8);
        }
        pathMemory.put((byte) 0);
    }

    /** Lets the path memory go, to the collector: the proactor closed. */
    void dropPathMemory() {
        pathMemory = null;
    }

    /** Drops the operation's state (the path memory stays, for the next open) and puts it back in the pool. */
    private void finish() {
        path = null;
        handler = null;
        attachment = null;
        processor.idle(this);
    }
}
