package io.proactor.iouring;

import io.netty.channel.unix.Buffer;
import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.nio.ByteBuffer;
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
    private ByteBuffer pathMemory; // the NUL-terminated path the kernel reads: reachable until the CQE
    private boolean direct;
    private CompletionHandler<AsyncFile, Object> handler;
    private Object attachment;

    OpenOperation(IoUringOperationProcessor processor, RingHandle handle, ProactorLoop loop) {
        super(handle);
        this.processor = processor;
        this.loop = loop;
    }

    void start(Path path, ByteBuffer pathMemory, int flags, int mode, boolean direct,
               CompletionHandler<AsyncFile, Object> h, Object attachment) {
        this.path = path;
        this.pathMemory = pathMemory;
        this.direct = direct;
        this.handler = h;
        this.attachment = attachment;
        if (!handle.submit(IoUringSqes.openat(Buffer.memoryAddress(pathMemory), flags, mode, tag), this, false)) {
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

    /** Drops the operation's state and puts it back in the proactor's pool. */
    private void finish() {
        path = null;
        pathMemory = null;
        handler = null;
        attachment = null;
        processor.idle(this);
    }
}
