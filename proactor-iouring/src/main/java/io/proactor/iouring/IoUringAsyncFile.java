package io.proactor.iouring;

import io.netty.channel.unix.FileDescriptor;
import io.proactor.CompletionHandler;
import io.proactor.SharedFile;
import io.proactor.core.AbstractAsyncFile;
import io.proactor.core.Handlers;
import io.proactor.core.ProactorLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * {@link AsyncFile} on io_uring: {@code READ}, {@code WRITE} and {@code FSYNC} at explicit offsets, any number
 * in flight, each a {@link FileOperation} taken from this file's pool until its CQE. Opened with
 * {@code O_DIRECT}, alignment is checked before submitting so the error says what is misaligned (the kernel
 * would only say {@code EINVAL}).
 *
 * <p><b>Views of a shared file.</b> A {@link SharedFile} is read through a view: an instance on the shared
 * descriptor that the processor keeps per shared file and lends to every send of it on this loop
 * ({@link #startUse}, {@link #endUse}), so that a send makes no file, ring handle, Netty registration or
 * operation of its own. The view never closes the descriptor; it holds one reference of the shared file while
 * a send uses it or one of its SQEs is in flight, and drops it as soon as neither is true, so the descriptor
 * (and its number) stay valid for as long as the kernel may use them, and no longer than that.
 */
final class IoUringAsyncFile extends AbstractAsyncFile {

    /** O_DIRECT needs offsets, lengths and addresses aligned to the logical block size; 4096 covers all disks. */
    static final int DIRECT_ALIGNMENT = 4096;

    private final IoUringOperationProcessor processor;
    private final FileDescriptor fd;
    private final boolean direct;
    private final SharedFile shared; // views only: the file this reads
    private final RingHandle handle;
    private int users;               // views: sends using it now
    private boolean holdsReference;  // views: one reference of shared, while used or an SQE is in flight
    /** Operations not in flight, most recently used first. */
    private final ArrayDeque<FileOperation> idle = new ArrayDeque<>();

    IoUringAsyncFile(ProactorLoop loop, IoUringOperationProcessor processor, int fd, Path path, boolean direct) {
        this(loop, processor, fd, path, direct, null);
    }

    /** A view of {@code shared}, whose descriptor is {@code fd}; unused until {@link #startUse}. */
    IoUringAsyncFile(ProactorLoop loop, IoUringOperationProcessor processor, int fd, SharedFile shared) {
        this(loop, processor, fd, shared.path(), false, shared);
    }

    private IoUringAsyncFile(ProactorLoop loop, IoUringOperationProcessor processor, int fd, Path path,
                             boolean direct, SharedFile shared) {
        super(loop, path);
        this.processor = processor;
        this.fd = new FileDescriptor(fd);
        this.direct = direct;
        this.shared = shared;
        this.handle = new RingHandle(processor.ring(), loop, this::closeDescriptor);
    }

    SharedFile shared() {
        return shared;
    }

    /** Sends using this view now; loop only. */
    int users() {
        return users;
    }

    /**
     * A send begins using this view: it takes a reference of the shared file unless the view holds one.
     *
     * @throws IllegalStateException the shared file is closed (its last reference was released)
     */
    void startUse() {
        if (!holdsReference) {
            if (!shared.retain()) {
                throw new IllegalStateException(shared.path() + " is closed (its last reference was released)");
            }
            holdsReference = true;
        }
        users++;
    }

    /** A send stopped using this view; its reference goes once none of its SQEs is in flight either. */
    void endUse() {
        users--;
        dropReferenceIfUnused();
    }

    /** Whether the view holds nothing: no send uses it and no SQE of it is in flight. */
    boolean unused() {
        return !holdsReference;
    }

    private void dropReferenceIfUnused() {
        if (holdsReference && users == 0 && handle.outstanding() == 0) {
            holdsReference = false;
            shared.release();
            processor.viewUnused(this);
        }
    }

    int fd() {
        return fd.intValue();
    }

    RingHandle handle() {
        return handle;
    }

    IoUringOperationProcessor processor() {
        return processor;
    }

    ProactorLoop loop() {
        return loop;
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
        if (aligned(dst, position, handler, attachment)) {
            operation().read(dst, position, handler, attachment);
        }
    }

    @Override
    protected void implWrite(ByteBuffer src, long position, CompletionHandler<Object, Object> handler, Object attachment) {
        if (aligned(src, position, handler, attachment)) {
            operation().write(src, position, handler, attachment);
        }
    }

    @Override
    protected void implForce(boolean metaData, CompletionHandler<Object, Object> handler, Object attachment) {
        operation().fsync(!metaData, handler, attachment);
    }

    boolean direct() {
        return direct;
    }

    /**
     * Queues a read of {@code dst}'s remaining bytes at {@code position} carrying {@code IOSQE_IO_LINK}, for the
     * SQE queued right after it; {@code dst} is left as it is (the linked write sends it). {@code failed} hears
     * only of a read that failed or fell short (the kernel then cancels the linked SQE); a whole read reports
     * nothing, so it allocates nothing.
     *
     * @return {@code false} if the ring refused it (shutting down)
     */
    boolean readLinked(ByteBuffer dst, long position, Consumer<Throwable> failed) {
        return operation().readLinked(dst, position, failed);
    }

    private FileOperation operation() {
        FileOperation op = idle.poll();
        if (op == null) {
            try {
                op = new FileOperation(this, handle);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("too many operations in flight on " + path(), e);
            }
        }
        return op;
    }

    /** Puts {@code op} back in the pool; by {@link FileOperation} when it is done (its CQE already counted). */
    void idle(FileOperation op) {
        idle.push(op);
        if (shared != null) {
            dropReferenceIfUnused();
        }
    }

    /** Whether the operation may go to the kernel; if not, its handler fails later saying why. */
    private boolean aligned(ByteBuffer buffer, long position, CompletionHandler<Object, Object> h, Object attachment) {
        IOException misaligned = direct ? checkAlignment(buffer, position) : null;
        if (misaligned != null) {
            loop.execute(() -> Handlers.fail(h, misaligned, attachment));
            return false;
        }
        return true;
    }

    private IOException checkAlignment(ByteBuffer buffer, long position) {
        if (!buffer.isDirect()) {
            return new IOException("O_DIRECT needs a direct buffer aligned to " + DIRECT_ALIGNMENT
                    + " bytes (ByteBuffer.allocateDirect(n + " + DIRECT_ALIGNMENT + ").alignedSlice("
                    + DIRECT_ALIGNMENT + ")), got a heap buffer");
        }
        long address = NettyRingInternals.addressOf(buffer) + buffer.position();
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

    @Override
    protected void implClose() {
        handle.cancelAndClose();
    }

    /** Once closed and nothing is in flight: a view drops the reference it may hold, a file closes its own. */
    private void closeDescriptor() {
        if (shared != null) {
            if (holdsReference) {
                holdsReference = false;
                shared.release();
            }
            return;
        }
        try {
            fd.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
