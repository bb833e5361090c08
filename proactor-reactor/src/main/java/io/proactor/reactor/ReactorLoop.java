package io.proactor.reactor;

import io.proactor.core.EventLoop;
import io.proactor.core.Handlers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One Reactor: the {@link EventLoop} whose wait-and-dispatch step is a {@link Selector}, the pattern's
 * synchronous event demultiplexer: it waits for readiness and dispatches each ready key to its
 * {@link ReactorHandle}. Tasks, timers and shutdown are the event loop's.
 *
 * <p><b>Threading.</b> {@link #execute} and {@link #close} may be called from any thread; {@link #register},
 * the buffers, and every {@link ReactorHandle} callback are the loop thread's. Tasks run in submission order.
 *
 * <p><b>Buffers.</b> The loop owns one direct read buffer ({@link #readBuffer()}) that its handles read into
 * and lend to a protocol handler for the duration of one call, and a small pool of direct output chunks.
 *
 * <p><b>Wake-ups.</b> {@code selector.wakeup()} is a system call (a write to an eventfd), so a producer only
 * calls it when the loop announced, through {@link #sleeping}, that it is about to block or is blocked.
 */
final class ReactorLoop extends EventLoop {

    /** Size of the direct chunks that queued output is copied into. */
    static final int CHUNK_SIZE = 16 * 1024;
    private static final int CHUNKS_POOLED = 64;

    private final Selector selector;
    /** True while the loop is in, or about to enter, a blocking select. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final ByteBuffer readBuffer;
    private final ArrayDeque<ByteBuffer> freeChunks = new ArrayDeque<>();
    private final Consumer<SelectionKey> dispatch = ReactorLoop::dispatch;
    private final AtomicLong wakeups = new AtomicLong();

    /** Opens the selector and starts the thread; a failure releases what was acquired. */
    ReactorLoop(String name, int readBufferSize) {
        super(name, true);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + name + ": " + e.getMessage(), e);
        }
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
        start();
    }

    /** The buffer handles read into; loop thread only, valid until the next read. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** A cleared direct chunk of {@link #CHUNK_SIZE} bytes; loop thread only. */
    ByteBuffer acquireChunk() {
        ByteBuffer chunk = freeChunks.pollFirst();
        return chunk != null ? chunk.clear() : ByteBuffer.allocateDirect(CHUNK_SIZE);
    }

    /** Gives a chunk back; loop thread only. Chunks beyond the pool's size are left to the collector. */
    void releaseChunk(ByteBuffer chunk) {
        if (freeChunks.size() < CHUNKS_POOLED) {
            freeChunks.addFirst(chunk);
        }
    }

    /**
     * Registers {@code channel} (non-blocking) with this loop's selector; loop thread only.
     *
     * @throws IOException when the loop is shutting down; the caller still owns, and must close, the channel
     */
    SelectionKey register(SelectableChannel channel, int ops, ReactorHandle handle) throws IOException {
        if (isShuttingDown()) {
            throw new IOException("reactor " + name() + " is shutting down");
        }
        return channel.register(selector, ops, handle);
    }

    /** How many times a hand-over woke the selector (for tests). */
    long wakeups() {
        return wakeups.get();
    }

    /**
     * Asks the loop to close every channel registered with it and to end; returns at once. Any thread. A
     * reactor has no operation in flight to wait for: it ends right after closing its channels, and runs the
     * tasks still queued as it ends.
     */
    void shutdown() {
        shutdown(System.nanoTime());
    }

    /** Shuts the loop down and waits for it (unless called from the loop itself, which cannot wait for itself). */
    void close() {
        shutdown();
        awaitTermination();
    }

    @Override
    protected int awaitAndDispatch(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return selector.selectNow(dispatch);
        }
        sleeping.set(true);
        if (hasPendingTasks()) {
            // a task arrived after the loop ran its tasks: do not block, and let no producer wake us needlessly
            sleeping.set(false);
            return selector.selectNow(dispatch);
        }
        int n = timeoutNanos < 0
                ? selector.select(dispatch)
                : selector.select(dispatch, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
        sleeping.lazySet(false); // no fence needed: a late reader only pays one spare wakeup()
        return n;
    }

    @Override
    protected void wakeup() {
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            wakeups.incrementAndGet();
            selector.wakeup();
        }
    }

    private static void dispatch(SelectionKey key) {
        ReactorHandle handle = (ReactorHandle) key.attachment();
        try {
            handle.ready(key.readyOps());
        } catch (CancelledKeyException cancelled) {
            // the handle closed its channel while handling an earlier event of the same selection
        } catch (RuntimeException bug) {
            // a defect in one handle must not end the loop that serves every other connection: drop that one
            Handlers.report(bug, "reactor handle " + handle);
            try {
                handle.loopClosing();
            } catch (RuntimeException again) {
                Handlers.report(again, "reactor handle " + handle);
            }
        }
    }

    /** Closes every handle still registered (connections see {@code onClose}). */
    @Override
    protected void closeChannels() {
        List<ReactorHandle> handles = new ArrayList<>();
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.isValid()) {
                    handles.add((ReactorHandle) key.attachment());
                }
            }
        } catch (ClosedSelectorException e) {
            // already closed: nothing registered any more
        }
        for (ReactorHandle h : handles) {
            try {
                h.loopClosing();
            } catch (Throwable t) {
                Handlers.report(t, "reactor " + name() + " shutdown");
            }
        }
    }

    /** Closes what an unexpected error left registered, then the selector. */
    @Override
    protected void closeResources() {
        try {
            closeChannels();
            freeChunks.clear();
        } finally {
            try {
                selector.close(); // deregisters every key, which lets the JDK release the closed channels' descriptors
            } catch (IOException e) {
                Handlers.report(e, "reactor " + name() + " selector close");
            }
        }
    }

    @Override
    public String toString() {
        return "ReactorLoop[" + name() + "]";
    }
}
