package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.OperationKind;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The engine-independent half of {@link AsyncFile}: argument checks, the hand-off to the proactor, and the
 * closed-file rule (closed before the call: {@link ClosedChannelException}; closed while the operation waited
 * for the loop: {@link AsynchronousCloseException}). The {@code impl*} hooks run on the loop and must complete
 * or fail the handler exactly once, later.
 */
public abstract class AbstractAsyncFile extends AbstractInitiator implements AsyncFile {

    private final Path path;

    protected AbstractAsyncFile(ProactorLoop loop, Path path) {
        super(loop);
        this.path = Objects.requireNonNull(path, "path");
    }

    /** Reads into {@code dst} at {@code position}; complete with an {@code Integer} (-1 at the end). */
    protected abstract void implRead(ByteBuffer dst, long position, CompletionHandler<Object, Object> handler,
                                     Object attachment);

    /** Writes {@code src} at {@code position}; complete with an {@code Integer}. */
    protected abstract void implWrite(ByteBuffer src, long position, CompletionHandler<Object, Object> handler,
                                      Object attachment);

    /** Flushes to the device; complete with {@code null}. */
    protected abstract void implForce(boolean metaData, CompletionHandler<Object, Object> handler, Object attachment);

    @Override
    public final Path path() {
        return path;
    }

    @Override
    public final <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(dst, "'dst' is null");
        checkPosition(position);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("'dst' is read-only");
        }
        start(OperationKind.FILE_READ, handler, attachment, h -> implRead(dst, position, h, attachment));
    }

    @Override
    public final <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(src, "'src' is null");
        checkPosition(position);
        start(OperationKind.FILE_WRITE, handler, attachment, h -> implWrite(src, position, h, attachment));
    }

    @Override
    public final <A> void force(boolean metaData, A attachment, CompletionHandler<Void, ? super A> handler) {
        start(OperationKind.FILE_FORCE, handler, attachment, h -> implForce(metaData, h, attachment));
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("'position' is negative: " + position);
        }
    }

    private interface Operation {
        void start(CompletionHandler<Object, Object> handler);
    }

    @SuppressWarnings("unchecked")
    private void start(OperationKind kind, CompletionHandler<?, ?> handler, Object attachment, Operation operation) {
        Objects.requireNonNull(handler, "'handler' is null");
        OperationCounter counter = loop.operationCounter(kind);
        CompletionHandler<Object, Object> h = new Counted(counter, (CompletionHandler<Object, Object>) handler);
        boolean wasOpen = isOpen();
        loop.runOnLoop(() -> {
            counter.submitted();
            if (!isOpen()) {
                Throwable e = wasOpen ? new AsynchronousCloseException() : new ClosedChannelException();
                loop.execute(() -> Handlers.fail(h, e, attachment));
                return;
            }
            operation.start(h);
        });
    }

    /**
     * Counts the completion of a file operation before its handler runs (file operations have no
     * {@link OperationSlot}; one more small object per operation, beside the ones the engine makes for it).
     */
    private record Counted(OperationCounter counter, CompletionHandler<Object, Object> handler)
            implements CompletionHandler<Object, Object> {
        @Override
        public void completed(Object result, Object attachment) {
            counter.completed();
            handler.completed(result, attachment);
        }

        @Override
        public void failed(Throwable exc, Object attachment) {
            counter.completed();
            handler.failed(exc, attachment);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + path + "]";
    }
}
