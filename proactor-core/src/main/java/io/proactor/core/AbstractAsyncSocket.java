package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.LeasedBuffer;
import io.proactor.OperationKind;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The engine-independent half of {@link AsyncSocket}: argument checks, the pending-operation rules, the
 * hand-off to the proactor, closed-channel and timeout handling. An engine implements the {@code impl*}
 * hooks, which run on the proactor's thread and must eventually complete or fail the slot they are given
 * (on the proactor's thread, never inside the hook itself).
 */
public abstract class AbstractAsyncSocket extends AbstractInitiator implements AsyncSocket {

    protected final OperationSlot connectSlot = new OperationSlot(loop.operationCounter(OperationKind.CONNECT));
    protected final OperationSlot readSlot = new OperationSlot(loop.operationCounter(OperationKind.READ));
    protected final OperationSlot writeSlot = new OperationSlot(loop.operationCounter(OperationKind.WRITE));
    protected final OperationSlot shutdownSlot = new OperationSlot(loop.operationCounter(OperationKind.SHUTDOWN_OUTPUT));
    private volatile boolean connected;

    protected AbstractAsyncSocket(ProactorLoop loop, boolean connected) {
        super(loop);
        this.connected = connected;
    }

    // Hooks taking 'timeoutNanos' (0: none) must make the operation fail with InterruptedByTimeoutException and
    // close the socket when it elapses: with the engine's own timeouts, or with armTimer(slot, timeoutNanos).

    /** Starts connecting; complete the slot with {@code null} when connected. */
    protected abstract void implConnect(InetSocketAddress remote, long timeoutNanos, OperationSlot slot);

    /** Starts a read into {@code dst}; complete the slot with an {@code Integer} (-1 at end of stream). */
    protected abstract void implRead(ByteBuffer dst, long timeoutNanos, OperationSlot slot);

    /** Starts a read into an engine buffer; complete the slot with a {@link LeasedBuffer}, or {@code null} at EOF. */
    protected abstract void implReceive(long timeoutNanos, OperationSlot slot);

    /** Starts a write of {@code src}; complete the slot with an {@code Integer}. */
    protected abstract void implWrite(ByteBuffer src, long timeoutNanos, OperationSlot slot);

    /** Starts a gathering write; complete the slot with a {@code Long}. */
    protected abstract void implWrite(ByteBuffer[] srcs, int offset, int length, long timeoutNanos, OperationSlot slot);

    /** Starts a file-to-socket transfer; complete the slot with a {@code Long}. */
    protected abstract void implTransferFrom(AsyncFile file, long position, long count, OperationSlot slot);

    /**
     * Starts sending headers, then a file; complete the slot with a {@code Long}, the file's bytes sent. This
     * default writes the headers with {@link #implWrite(ByteBuffer[], int, int, long, OperationSlot)} until
     * they are all sent, then calls {@link #implTransferFrom(AsyncFile, long, long, OperationSlot)}: an engine
     * that can join the two into fewer segments overrides it.
     */
    protected void implTransferFrom(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position,
                                    long count, OperationSlot slot) {
        new HeadersThenFile(headers, offset, length, file, position, count, slot).writeHeaders();
    }

    /** Shuts the output down; complete the slot with {@code null}. */
    protected abstract void implShutdownOutput(OperationSlot slot);

    @Override
    public final <A> void connect(SocketAddress remote, long timeout, TimeUnit unit, A attachment,
                                  CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(remote, "'remote' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        long nanos = timeoutNanos(timeout, unit);
        if (!(remote instanceof InetSocketAddress address)) {
            throw new UnsupportedAddressTypeException();
        }
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (connected) {
            throw new AlreadyConnectedException();
        }
        if (!connectSlot.tryAcquire()) {
            throw new ConnectionPendingException();
        }
        connectSlot.prepare(handler, attachment);
        if (!isOpen()) {
            failLater(connectSlot, new ClosedChannelException());
            return;
        }
        loop.runOnLoop(() -> {
            if (begin(connectSlot)) {
                implConnect(address, nanos, connectSlot);
            }
        });
    }

    /** Engines call this when a connect succeeded, before completing its slot. */
    protected final void markConnected() {
        connected = true;
    }

    @Override
    public final <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
                               CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(dst, "'dst' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        long nanos = timeoutNanos(timeout, unit);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("'dst' is read-only");
        }
        if (claimRead(handler, attachment)) {
            if (loop.inProactorThread()) {
                startRead(dst, nanos);
            } else {
                loop.execute(() -> startRead(dst, nanos));
            }
        }
    }

    private void startRead(ByteBuffer dst, long nanos) {
        if (begin(readSlot)) {
            implRead(dst, nanos, readSlot);
        }
    }

    @Override
    public final <A> void receive(long timeout, TimeUnit unit, A attachment,
                                  CompletionHandler<LeasedBuffer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        long nanos = timeoutNanos(timeout, unit);
        if (claimRead(handler, attachment)) {
            if (loop.inProactorThread()) {
                startReceive(nanos);
            } else {
                loop.execute(() -> startReceive(nanos));
            }
        }
    }

    private void startReceive(long nanos) {
        if (begin(readSlot)) {
            implReceive(nanos, readSlot);
        }
    }

    private boolean claimRead(CompletionHandler<?, ?> handler, Object attachment) {
        checkConnected();
        if (!readSlot.tryAcquire()) {
            throw new ReadPendingException();
        }
        readSlot.prepare(handler, attachment);
        if (!isOpen()) {
            failLater(readSlot, new ClosedChannelException());
            return false;
        }
        return true;
    }

    @Override
    public final <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
                                CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(src, "'src' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        long nanos = timeoutNanos(timeout, unit);
        if (claimWrite(handler, attachment)) {
            if (loop.inProactorThread()) {
                startWrite(src, nanos);
            } else {
                loop.execute(() -> startWrite(src, nanos));
            }
        }
    }

    private void startWrite(ByteBuffer src, long nanos) {
        if (begin(writeSlot)) {
            implWrite(src, nanos, writeSlot);
        }
    }

    @Override
    public final <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout, TimeUnit unit,
                                A attachment, CompletionHandler<Long, ? super A> handler) {
        checkBuffers(srcs, offset, length, "srcs");
        Objects.requireNonNull(handler, "'handler' is null");
        long nanos = timeoutNanos(timeout, unit);
        if (claimWrite(handler, attachment)) {
            if (loop.inProactorThread()) {
                startWrite(srcs, offset, length, nanos);
            } else {
                loop.execute(() -> startWrite(srcs, offset, length, nanos));
            }
        }
    }

    private void startWrite(ByteBuffer[] srcs, int offset, int length, long nanos) {
        if (begin(writeSlot)) {
            implWrite(srcs, offset, length, nanos, writeSlot);
        }
    }

    @Override
    public final <A> void transferFrom(AsyncFile file, long position, long count, A attachment,
                                       CompletionHandler<Long, ? super A> handler) {
        checkTransfer(file, position, count, handler);
        if (claimWrite(handler, attachment)) {
            if (loop.inProactorThread()) {
                startTransfer(file, position, count);
            } else {
                loop.execute(() -> startTransfer(file, position, count));
            }
        }
    }

    private void startTransfer(AsyncFile file, long position, long count) {
        if (begin(writeSlot)) {
            implTransferFrom(file, position, count, writeSlot);
        }
    }

    @Override
    public final <A> void transferFrom(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position,
                                       long count, A attachment, CompletionHandler<Long, ? super A> handler) {
        checkBuffers(headers, offset, length, "headers");
        checkTransfer(file, position, count, handler);
        if (claimWrite(handler, attachment)) {
            if (loop.inProactorThread()) {
                startTransfer(headers, offset, length, file, position, count);
            } else {
                loop.execute(() -> startTransfer(headers, offset, length, file, position, count));
            }
        }
    }

    private void startTransfer(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position,
                               long count) {
        if (begin(writeSlot)) {
            implTransferFrom(headers, offset, length, file, position, count, writeSlot);
        }
    }

    /**
     * Reads {@code body}'s remaining bytes from {@code file} at {@code position}, then writes
     * {@code srcs[offset, offset + length)}, of which {@code body} is one, holding those bytes (the read leaves its
     * position where it was): a response head and a small file's bytes in one send, chained in one submission
     * where the engine can ({@link #canReadFileThenWrite}). Where it cannot, this returns {@code false} and does
     * nothing: the caller reads, then writes. The handler gets the bytes written, as a gathering write's does;
     * if the file ended before {@code body} was full, it fails with an {@link java.io.EOFException} and nothing
     * was written. Loop only, for the engines' shared connection code; no write may be pending.
     */
    public final <A> boolean readFileThenWrite(AsyncFile file, long position, ByteBuffer body, ByteBuffer[] srcs,
                                               int offset, int length, A attachment,
                                               CompletionHandler<Long, ? super A> handler) {
        if (!canReadFileThenWrite(file, body, srcs, offset, length)) {
            return false;
        }
        if (claimWrite(handler, attachment) && begin(writeSlot)) {
            implReadFileThenWrite(file, position, body, srcs, offset, length, writeSlot);
        }
        return true;
    }

    /** Whether this engine chains a file read and a write ({@link #readFileThenWrite}); by default not. */
    protected boolean canReadFileThenWrite(AsyncFile file, ByteBuffer body, ByteBuffer[] srcs, int offset,
                                           int length) {
        return false;
    }

    /** Submits the chained read and write; called only where {@link #canReadFileThenWrite} said yes. */
    protected void implReadFileThenWrite(AsyncFile file, long position, ByteBuffer body, ByteBuffer[] srcs,
                                         int offset, int length, OperationSlot slot) {
        throw new UnsupportedOperationException();
    }

    private static void checkTransfer(AsyncFile file, long position, long count, CompletionHandler<?, ?> handler) {
        Objects.requireNonNull(file, "'file' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("'position' and 'count' must be >= 0, were "
                    + position + " and " + count);
        }
    }

    private static void checkBuffers(ByteBuffer[] buffers, int offset, int length, String name) {
        if (buffers == null) {
            throw new NullPointerException("'" + name + "' is null");
        }
        Objects.checkFromIndexSize(offset, length, buffers.length);
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i] == null) { // not requireNonNull(.., message): that would build the message every call
                throw new NullPointerException("'" + name + "' holds null at index " + i);
            }
        }
    }

    /** The default {@link #implTransferFrom(ByteBuffer[], int, int, AsyncFile, long, long, OperationSlot)}. */
    private final class HeadersThenFile implements CompletionHandler<Long, Void> {
        private final ByteBuffer[] headers;
        private final int end;
        private final AsyncFile file;
        private final long position;
        private final long count;
        private final OperationSlot userSlot;
        private final OperationSlot headerSlot = new OperationSlot();
        private int first;

        HeadersThenFile(ByteBuffer[] headers, int offset, int length, AsyncFile file, long position, long count,
                        OperationSlot userSlot) {
            this.headers = headers;
            this.first = offset;
            this.end = offset + length;
            this.file = file;
            this.position = position;
            this.count = count;
            this.userSlot = userSlot;
        }

        void writeHeaders() {
            while (first < end && !headers[first].hasRemaining()) {
                first++;
            }
            if (first == end) {
                implTransferFrom(file, position, count, userSlot);
                return;
            }
            headerSlot.tryAcquire();
            headerSlot.prepare(this, null);
            implWrite(headers, first, end - first, 0, headerSlot);
        }

        @Override
        public void completed(Long written, Void unused) {
            writeHeaders();
        }

        @Override
        public void failed(Throwable exc, Void unused) {
            userSlot.fail(exc);
        }
    }

    private boolean claimWrite(CompletionHandler<?, ?> handler, Object attachment) {
        checkConnected();
        if (!writeSlot.tryAcquire()) {
            throw new WritePendingException();
        }
        writeSlot.prepare(handler, attachment);
        if (!isOpen()) {
            failLater(writeSlot, new ClosedChannelException());
            return false;
        }
        return true;
    }

    @Override
    public final <A> void shutdownOutput(A attachment, CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        checkConnected();
        if (!shutdownSlot.tryAcquire()) {
            throw new IllegalStateException("a shutdownOutput is already pending on this socket");
        }
        shutdownSlot.prepare(handler, attachment);
        if (!isOpen()) {
            failLater(shutdownSlot, new ClosedChannelException());
            return;
        }
        loop.runOnLoop(() -> {
            if (begin(shutdownSlot)) {
                implShutdownOutput(shutdownSlot);
            }
        });
    }

    private void checkConnected() {
        if (!connected && isOpen()) {
            throw new NotYetConnectedException();
        }
    }
}
