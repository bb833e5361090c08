package io.proactor.iouring;

import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUringIoOps;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.core.AbstractAsyncFile;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link AsyncFile} on io_uring: {@code READ}, {@code WRITE} and {@code FSYNC} at explicit offsets, any number
 * in flight, each tracked under its own tag until its CQE. Opened with {@code O_DIRECT}, alignment is checked
 * before submitting so the error says what is misaligned (the kernel would only say {@code EINVAL}).
 */
final class IoUringAsyncFile extends AbstractAsyncFile implements RingHandle.Listener {

    /** O_DIRECT needs offsets, lengths and addresses aligned to the logical block size; 4096 covers all disks. */
    static final int DIRECT_ALIGNMENT = 4096;

    private final IoUringOperationProcessor processor;
    private final FileDescriptor fd;
    private final boolean direct;
    private final RingHandle handle;
    private final List<Op> ops = new ArrayList<>();
    private final IntStack freeTags = new IntStack();

    /** One operation in flight; its index in {@link #ops} is its tag. */
    private static final class Op {
        CompletionHandler<Object, Object> handler;
        Object attachment;
        ByteBuffer buffer;       // the caller's buffer (advanced on success)
        LeasedBuffer bounce;     // for a heap buffer: the direct copy the kernel used
        boolean isRead;
        boolean isFsync;
    }

    IoUringAsyncFile(ProactorLoop loop, IoUringOperationProcessor processor, int fd, Path path, boolean direct) {
        super(loop, path);
        this.processor = processor;
        this.fd = new FileDescriptor(fd);
        this.direct = direct;
        this.handle = new RingHandle(processor.ring(), loop, this, this::closeDescriptor);
        ops.add(null); // tag 0 is never used
    }

    int fd() {
        return fd.intValue();
    }

    @Override
    public long size() throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        // fstat through procfs: the size of this open file even if its path was renamed or removed
        return Files.size(Path.of("/proc/self/fd/" + fd.intValue()));
    }

    @Override
    protected void implRead(ByteBuffer dst, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        submit(dst, position, true, false, false, handler, attachment);
    }

    @Override
    protected void implWrite(ByteBuffer src, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        submit(src, position, false, false, false, handler, attachment);
    }

    @Override
    protected void implForce(boolean metaData, CompletionHandler<Object, Object> handler, Object attachment) {
        submit(null, 0, false, true, !metaData, handler, attachment);
    }

    private void submit(ByteBuffer buffer, long position, boolean isRead, boolean isFsync, boolean dataOnly,
                        CompletionHandler<Object, Object> h, Object attachment) {
        IOException misaligned = direct && !isFsync ? checkAlignment(buffer, position) : null;
        if (misaligned != null) {
            loop.execute(() -> Handlers.fail(h, misaligned, attachment));
            return;
        }
        int tag = freeTags.isEmpty() ? newTag() : freeTags.pop();
        Op op = ops.get(tag);
        op.handler = h;
        op.attachment = attachment;
        op.buffer = buffer;
        op.isRead = isRead;
        op.isFsync = isFsync;
        IoUringIoOps sqe;
        if (isFsync) {
            sqe = IoUringSqes.fsync(fd.intValue(), dataOnly, tag);
        } else {
            long address;
            int length = buffer.remaining();
            if (buffer.isDirect()) {
                address = Buffer.memoryAddress(buffer) + buffer.position();
            } else {
                op.bounce = processor.bounceBuffers().acquire();
                ByteBuffer b = op.bounce.buffer();
                length = Math.min(length, b.capacity());
                if (!isRead) {
                    b.put(0, buffer, buffer.position(), length);
                }
                address = Buffer.memoryAddress(b);
            }
            sqe = isRead ? IoUringSqes.read(fd.intValue(), position, address, length, tag)
                    : IoUringSqes.write(fd.intValue(), position, address, length, tag);
        }
        if (!handle.submit(sqe, tag, true)) {
            if (op.bounce != null) {
                op.bounce.release();
            }
            finish(tag);
            loop.execute(() -> Handlers.fail(h, new ShutdownChannelGroupException(), attachment));
        }
    }

    private IOException checkAlignment(ByteBuffer buffer, long position) {
        if (!buffer.isDirect()) {
            return new IOException("O_DIRECT needs a direct buffer aligned to " + DIRECT_ALIGNMENT
                    + " bytes (ByteBuffer.allocateDirect(n + " + DIRECT_ALIGNMENT + ").alignedSlice("
                    + DIRECT_ALIGNMENT + ")), got a heap buffer");
        }
        long address = Buffer.memoryAddress(buffer) + buffer.position();
        if (address % DIRECT_ALIGNMENT != 0) {
            return new IOException("O_DIRECT buffer address 0x" + Long.toHexString(address) + " is not a multiple of "
                    + DIRECT_ALIGNMENT + "; use alignedSlice(" + DIRECT_ALIGNMENT + ") and keep the position aligned");
        }
        if (position % DIRECT_ALIGNMENT != 0) {
            return new IOException("O_DIRECT file position " + position + " is not a multiple of " + DIRECT_ALIGNMENT);
        }
        if (buffer.remaining() % DIRECT_ALIGNMENT != 0) {
            return new IOException("O_DIRECT length " + buffer.remaining() + " is not a multiple of " + DIRECT_ALIGNMENT);
        }
        return null;
    }

    private int newTag() {
        ops.add(new Op());
        int tag = ops.size() - 1;
        if (tag >= RingHandle.CANCEL_TAG) {
            throw new IllegalStateException("too many operations in flight on " + path());
        }
        return tag;
    }

    @Override
    public void onCompletion(int tag, int res, int flags) {
        Op op = ops.get(tag);
        CompletionHandler<Object, Object> h = op.handler;
        Object attachment = op.attachment;
        ByteBuffer buffer = op.buffer;
        LeasedBuffer bounce = op.bounce;
        boolean isRead = op.isRead;
        boolean isFsync = op.isFsync;
        finish(tag);
        if (res >= 0 && !isFsync && res > 0) {
            if (isRead && bounce != null) {
                buffer.put(bounce.buffer().slice(0, res));
            } else {
                buffer.position(buffer.position() + res);
            }
        }
        if (bounce != null) {
            bounce.release();
        }
        if (res < 0) {
            Handlers.fail(h, IoUringErrors.file(isRead ? "read" : isFsync ? "fsync" : "write", path(), res), attachment);
        } else if (isFsync) {
            Handlers.complete(h, null, attachment);
        } else {
            // a read of 0 bytes at or past the end is the end of file
            Handlers.complete(h, isRead && res == 0 ? -1 : res, attachment);
        }
    }

    private void finish(int tag) {
        Op op = ops.get(tag);
        op.handler = null;
        op.attachment = null;
        op.buffer = null;
        op.bounce = null;
        freeTags.push(tag);
    }

    @Override
    protected void implClose() {
        handle.cancelAndClose();
    }

    private void closeDescriptor() {
        try {
            fd.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    /** A stack of free tags, without boxing. */
    private static final class IntStack {
        private int[] items = new int[8];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        void push(int v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = v;
        }

        int pop() {
            return items[--size];
        }
    }
}
