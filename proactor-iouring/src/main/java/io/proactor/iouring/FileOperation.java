package io.proactor.iouring;

import io.netty.channel.uring.IoUringIoOps;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.core.Handlers;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.function.Consumer;

/**
 * One {@code READ}, {@code WRITE} or {@code FSYNC} of an {@link IoUringAsyncFile} at an explicit offset. A file
 * may have any number in flight, so it keeps a pool of these, each with its own tag, and takes one per
 * operation; the operation goes back to the pool before its handler runs. A heap buffer goes through a pooled
 * direct buffer (the GC moves heap memory, so the kernel cannot be given it).
 */
final class FileOperation extends RingOperation {

    private static final int READ = 0;
    private static final int WRITE = 1;
    private static final int FSYNC = 2;
    /** A READ linked to the SQE after it: the buffer is left as it was, for the linked write to send. */
    private static final int LINKED_READ = 3;

    private final IoUringAsyncFile file;
    private int kind;
    private CompletionHandler<Object, Object> handler;
    private Object attachment;
    private ByteBuffer buffer;   // the caller's buffer (advanced on success)
    private LeasedBuffer bounce; // for a heap buffer: the direct copy the kernel used
    private Consumer<Throwable> linkedReadFailed; // LINKED_READ: told only if the read failed or fell short
    private int linkedReadLength;
    /** The last LINKED_READ SQE: sent again as it is when the same file range goes to the same buffer. */
    private final LastSqe lastLinkedRead = new LastSqe();

    FileOperation(IoUringAsyncFile file, RingHandle handle) {
        super(handle);
        this.file = file;
    }

    void read(ByteBuffer dst, long position, CompletionHandler<Object, Object> h, Object attachment) {
        start(READ, dst, h, attachment);
        long address = kernelAddress(dst);
        submitOrFail(IoUringSqes.read(file.fd(), position, address, kernelLength(dst), tag));
    }

    /**
     * Queues the read of a read-then-send link (see {@link IoUringAsyncFile#readLinked}). A file server sends a
     * small file into the same pooled buffer again and again, so the SQE of the last such read is kept and
     * reused when nothing in it changed: the steady state allocates none.
     */
    boolean readLinked(ByteBuffer dst, long position, Consumer<Throwable> failed) {
        int length = dst.remaining();
        long address = NettyRingInternals.addressOf(dst) + dst.position();
        start(LINKED_READ, dst, null, null);
        linkedReadFailed = failed;
        linkedReadLength = length;
        IoUringIoOps sqe = lastLinkedRead.reusable(position, address, length);
        if (sqe == null) {
            sqe = lastLinkedRead.keep(IoUringSqes.readLinked(file.fd(), position, address, length, tag),
                    position, address, length);
        }
        if (!submit(sqe)) {
            finish();
            return false;
        }
        return true;
    }

    void write(ByteBuffer src, long position, CompletionHandler<Object, Object> h, Object attachment) {
        start(WRITE, src, h, attachment);
        long address = kernelAddress(src);
        int length = kernelLength(src);
        if (bounce != null) {
            bounce.buffer().put(0, src, src.position(), length);
        }
        submitOrFail(IoUringSqes.write(file.fd(), position, address, length, tag));
    }

    void fsync(boolean dataOnly, CompletionHandler<Object, Object> h, Object attachment) {
        start(FSYNC, null, h, attachment);
        submitOrFail(IoUringSqes.fsync(file.fd(), dataOnly, tag));
    }

    private void start(int kind, ByteBuffer buffer, CompletionHandler<Object, Object> h, Object attachment) {
        this.kind = kind;
        this.buffer = buffer;
        this.handler = h;
        this.attachment = attachment;
    }

    /** Where the kernel reads or writes: {@code b} itself if direct, else a bounce buffer taken for it. */
    private long kernelAddress(ByteBuffer b) {
        if (b.isDirect()) {
            return NettyRingInternals.addressOf(b) + b.position();
        }
        bounce = file.processor().bounceBuffers().acquire();
        return NettyRingInternals.addressOf(bounce.buffer());
    }

    /** How many bytes the kernel reads or writes: a bounce buffer may be smaller than {@code b}. */
    private int kernelLength(ByteBuffer b) {
        return bounce == null ? b.remaining() : Math.min(b.remaining(), bounce.buffer().capacity());
    }

    private void submitOrFail(IoUringIoOps sqe) {
        if (!submit(sqe)) {
            CompletionHandler<Object, Object> h = handler;
            Object a = attachment;
            if (bounce != null) {
                bounce.release();
            }
            finish();
            file.loop().execute(() -> Handlers.fail(h, new ShutdownChannelGroupException(), a));
        }
    }

    @Override
    void onCompletion(int res, int flags) {
        if (kind == LINKED_READ) {
            Consumer<Throwable> failed = linkedReadFailed;
            int length = linkedReadLength;
            finish();
            if (res < 0) {
                failed.accept(IoUringErrors.file("read", file.path(), res));
            } else if (res < length) {
                failed.accept(new EOFException("the file ended " + res + " bytes into a read of " + length));
            }
            return; // read whole: nothing to say, the linked send goes on
        }
        CompletionHandler<Object, Object> h = handler;
        Object a = attachment;
        ByteBuffer buffer = this.buffer;
        LeasedBuffer bounce = this.bounce;
        int kind = this.kind;
        finish();
        if (res > 0 && kind != FSYNC) {
            if (kind == READ && bounce != null) {
                buffer.put(bounce.buffer().slice(0, res));
            } else {
                buffer.position(buffer.position() + res);
            }
        }
        if (bounce != null) {
            bounce.release();
        }
        if (res < 0) {
            String name = kind == WRITE ? "write" : kind == FSYNC ? "fsync" : "read";
            Handlers.fail(h, IoUringErrors.file(name, file.path(), res), a);
        } else if (kind == FSYNC) {
            Handlers.complete(h, null, a);
        } else {
            // a read of 0 bytes at or past the end is the end of file
            Handlers.complete(h, kind != WRITE && res == 0 ? -1 : res, a);
        }
    }

    /** Drops the operation's state and puts it back in its file's pool. */
    private void finish() {
        handler = null;
        attachment = null;
        buffer = null;
        bounce = null;
        linkedReadFailed = null;
        file.idle(this);
    }
}
