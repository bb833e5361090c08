package io.proactor.reactor;

import io.proactor.core.Handlers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * One Reactor: a thread that waits on a {@link Selector} for readiness, dispatches each ready key to its
 * {@link ReactorHandle}, runs tasks handed over by other threads and fires timers.
 *
 * <p><b>Threading.</b> {@link #execute} and {@link #close} may be called from any thread; everything else,
 * and every {@link ReactorHandle} callback, runs on the loop thread. Tasks run in submission order.
 *
 * <p><b>Buffers.</b> The loop owns one direct read buffer ({@link #readBuffer()}) that its handles read into
 * and lend to a protocol handler for the duration of one call, and a small pool of direct output chunks.
 *
 * <p><b>Wake-ups.</b> {@code selector.wakeup()} is a system call (a write to an eventfd), so a producer only
 * calls it when the loop announced, through {@link #sleeping}, that it is about to block or is blocked.
 */
final class ReactorLoop implements Executor {

    /** Size of the direct chunks that queued output is copied into. */
    static final int CHUNK_SIZE = 16 * 1024;
    private static final int CHUNKS_POOLED = 64;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final MpscUnboundedArrayQueue<Runnable> tasks = new MpscUnboundedArrayQueue<>(256);
    /** True while the loop is in, or about to enter, a blocking select. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    /** Guards the hand-over of tasks against termination, so that no accepted task is ever lost. */
    private final Object terminationLock = new Object();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final ByteBuffer readBuffer;
    private final ArrayDeque<ByteBuffer> freeChunks = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Consumer<SelectionKey> dispatch = ReactorLoop::dispatch;
    private final AtomicLong wakeups = new AtomicLong();
    private volatile boolean stopping;
    private boolean acceptsTasks = true; // guarded by terminationLock
    private long timerSequence;

    /** Opens the selector and starts the thread; a failure releases what was acquired. */
    ReactorLoop(String name, int readBufferSize) {
        this.name = name;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + name + ": " + e.getMessage(), e);
        }
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    String name() {
        return name;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
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
        if (stopping) {
            throw new IOException("reactor " + name + " is shutting down");
        }
        return channel.register(selector, ops, handle);
    }

    /**
     * Hands {@code task} to the loop; it runs after the tasks already queued, never inside this call.
     *
     * @throws RejectedExecutionException once the loop has terminated
     */
    @Override
    public void execute(Runnable task) {
        synchronized (terminationLock) {
            if (!acceptsTasks) {
                throw new RejectedExecutionException("reactor " + name + " has terminated");
            }
            tasks.offer(task);
        }
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            wakeups.incrementAndGet();
            selector.wakeup();
        }
    }

    /** How many times {@link #execute} woke the selector (for tests). */
    long wakeups() {
        return wakeups.get();
    }

    /** Runs {@code task} at once on the loop thread, otherwise hands it over; rejected tasks are dropped. */
    void runOnLoop(Runnable task) {
        if (inLoop()) {
            task.run();
        } else {
            try {
                execute(task);
            } catch (RejectedExecutionException terminated) {
                // the loop closed every channel before it ended: there is nothing left for the task to act on
            }
        }
    }

    /** Runs {@code task} on the loop after {@code delay}; loop thread only. */
    Timer schedule(Runnable task, long delay, TimeUnit unit) {
        Timer t = new Timer(System.nanoTime() + unit.toNanos(delay), timerSequence++, task);
        timers.add(t);
        return t;
    }

    /** Asks the loop to close every channel registered with it and to end; returns at once. Any thread. */
    void shutdown() {
        stopping = true;
        sleeping.set(false);
        selector.wakeup();
    }

    /** Completes once the thread has ended and the selector is closed. */
    CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Shuts the loop down and waits for it (unless called from the loop itself, which cannot wait for itself). */
    void close() {
        shutdown();
        if (!inLoop()) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (!stopping) {
                runTasks();
                long timeoutMillis = fireTimers();
                sleeping.set(true);
                if (!tasks.isEmpty() || stopping) {
                    // a task arrived after runTasks: do not block, and let no producer wake us needlessly
                    sleeping.set(false);
                    selector.selectNow(dispatch);
                } else {
                    selector.select(dispatch, timeoutMillis);
                    sleeping.lazySet(false); // no fence needed: a late reader only pays one spare wakeup()
                }
            }
        } catch (IOException | RuntimeException e) {
            Handlers.report(e, "reactor " + name);
        } finally {
            terminate();
        }
    }

    private static void dispatch(SelectionKey key) {
        ReactorHandle handle = (ReactorHandle) key.attachment();
        try {
            handle.ready(key.readyOps());
        } catch (java.nio.channels.CancelledKeyException cancelled) {
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

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            Handlers.run(task);
        }
    }

    /** Fires due timers; returns how long select may block (0: no timer, block until woken). */
    private long fireTimers() {
        Timer next;
        while ((next = timers.peek()) != null) {
            long left = next.deadline - System.nanoTime();
            if (next.cancelled) {
                timers.poll();
            } else if (left <= 0) {
                timers.poll();
                Handlers.run(next.task);
            } else {
                return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
            }
        }
        return 0;
    }

    /**
     * Ends the loop: runs the tasks already handed over, closes every registered handle (connections see
     * {@code onClose}), stops accepting tasks, runs what slipped in meanwhile, closes the selector.
     */
    private void terminate() {
        stopping = true;
        try {
            runTasks();
            List<ReactorHandle> handles = new ArrayList<>();
            try {
                for (SelectionKey key : selector.keys()) {
                    handles.add((ReactorHandle) key.attachment());
                }
            } catch (ClosedSelectorException e) {
                // already closed: nothing registered any more
            }
            for (ReactorHandle h : handles) {
                try {
                    h.loopClosing();
                } catch (Throwable t) {
                    Handlers.report(t, "reactor " + name + " shutdown");
                }
            }
            synchronized (terminationLock) {
                acceptsTasks = false;
            }
            runTasks();
            timers.clear();
            freeChunks.clear();
        } finally {
            try {
                selector.close(); // deregisters every key, which lets the JDK release the closed channels' descriptors
            } catch (IOException e) {
                Handlers.report(e, "reactor " + name + " selector close");
            }
            terminated.complete(null);
        }
    }

    @Override
    public String toString() {
        return "ReactorLoop[" + name + "]";
    }

    /** A one-shot timer of one loop; loop thread only. */
    static final class Timer implements Comparable<Timer> {
        final long deadline;
        final long sequence;
        final Runnable task;
        boolean cancelled;

        Timer(long deadline, long sequence, Runnable task) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
