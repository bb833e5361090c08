package io.proactor.core;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Cancellable;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Initiator;
import io.proactor.Proactor;
import io.proactor.ProactorOpenOption;
import io.proactor.spi.AsynchronousOperationProcessor;
import io.proactor.spi.CompletionEventQueue;
import java.io.IOException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Proactor} every completion-based engine runs: one thread that, in each iteration, runs the
 * tasks handed to it, fires due timers, then asks its {@link CompletionEventQueue} to wait for and dispatch
 * completion events. The engine supplies the queue and the {@link AsynchronousOperationProcessor}; the loop
 * itself knows nothing about how operations are executed.
 *
 * <p><b>Threading.</b> Public methods may be called from any thread; methods documented "loop only" must be
 * called on the loop's thread.
 *
 * <p><b>Shutdown.</b> {@link #shutdown(long)} closes every registered channel, then keeps dispatching until
 * no operation is in flight (engines count them with {@link #operationStarted()} and
 * {@link #operationFinished()}) and no task is queued, or until the deadline; then it closes the processor and
 * the queue and ends the thread.
 */
public final class ProactorLoop implements Proactor {

    private static final Logger LOG = LoggerFactory.getLogger(ProactorLoop.class);
    private static final int RUNNING = 0;
    private static final int SHUTTING_DOWN = 1;
    private static final int TERMINATED = 2;
    /** While shutting down, wake up at least this often to check the deadline. */
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final Engine engine;
    private final CompletionEventQueue queue;
    /** Dropped at termination, so that a group kept after close holds no engine memory. */
    private volatile AsynchronousOperationProcessor processor;
    private final MessagePassingQueue<Runnable> tasks = new MpscUnboundedArrayQueue<>(1024);
    private final MessagePassingQueue.Consumer<Runnable> taskRunner = Handlers::run;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Set<Initiator> channels = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final Thread thread;
    private volatile int state = RUNNING;
    private long timerSequence;
    private int cancelledTimers;
    private int inFlight;
    private long shutdownDeadline;
    private boolean shutdownBegun;

    /**
     * @param processorFactory makes this loop's processor; called once, in this constructor. If it throws,
     *                         the queue is closed and the exception propagates.
     */
    public ProactorLoop(String name, Engine engine, CompletionEventQueue queue,
                        Function<ProactorLoop, AsynchronousOperationProcessor> processorFactory) {
        this.name = Objects.requireNonNull(name, "name");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.queue = Objects.requireNonNull(queue, "queue");
        try {
            this.processor = processorFactory.apply(this);
        } catch (RuntimeException | Error e) {
            queue.close();
            throw e;
        }
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(false);
    }

    /** Starts the loop's thread; called once by the group. */
    public void start() {
        thread.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    /** This loop's Asynchronous Operation Processor, for its engine's own use. */
    public AsynchronousOperationProcessor processor() {
        AsynchronousOperationProcessor p = processor;
        if (p == null) {
            throw new ShutdownChannelGroupException();
        }
        return p;
    }

    @Override
    public boolean inProactorThread() {
        return Thread.currentThread() == thread;
    }

    /** {@code true} if {@code t} is this loop's thread. */
    public boolean isProactorThread(Thread t) {
        return t == thread;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "'task' is null");
        if (state == TERMINATED) {
            throw new RejectedExecutionException("proactor " + name + " has terminated");
        }
        tasks.offer(task);
        if (!inProactorThread()) {
            queue.wakeup();
        }
    }

    /** Runs {@code task} now when on the loop thread, otherwise hands it to the loop. */
    public void runOnLoop(Runnable task) {
        if (inProactorThread()) {
            task.run();
        } else {
            execute(task);
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "'task' is null");
        Objects.requireNonNull(unit, "'unit' is null");
        if (delay < 0) {
            throw new IllegalArgumentException("'delay' is negative: " + delay);
        }
        Timer timer = new Timer(task, System.nanoTime() + unit.toNanos(delay));
        runOnLoop(() -> {
            timer.sequence = timerSequence++;
            timers.add(timer);
        });
        return timer;
    }

    @Override
    public AsyncSocket openSocket() throws IOException {
        checkRunning();
        return register(processor().openSocket());
    }

    @Override
    public AsyncServerSocket openServerSocket() throws IOException {
        checkRunning();
        return register(processor().openServerSocket());
    }

    @Override
    public <A> void openFile(Path path, Set<? extends OpenOption> options, A attachment,
                             CompletionHandler<AsyncFile, ? super A> handler) {
        Objects.requireNonNull(path, "'path' is null");
        Objects.requireNonNull(options, "'options' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        for (OpenOption o : options) {
            if (!(o instanceof StandardOpenOption) && o != ProactorOpenOption.DIRECT) {
                throw new UnsupportedOperationException("open option " + o + " is not supported; use "
                        + "StandardOpenOption values and ProactorOpenOption.DIRECT");
            }
        }
        checkRunning();
        processor().openFile(path, options, attachment, new CompletionHandler<AsyncFile, A>() {
            @Override
            public void completed(AsyncFile file, A att) {
                try {
                    register(file);
                } catch (ShutdownChannelGroupException e) {
                    Handlers.fail(handler, e, att);
                    return;
                }
                Handlers.complete(handler, file, att);
            }

            @Override
            public void failed(Throwable exc, A att) {
                Handlers.fail(handler, exc, att);
            }
        });
    }

    /**
     * Tracks {@code channel} so that shutdown closes it; a channel made while the loop shuts down is closed
     * and refused with {@link ShutdownChannelGroupException}. Any thread.
     */
    public <T extends Initiator> T register(T channel) {
        channels.add(channel);
        if (state != RUNNING) {
            channels.remove(channel);
            channel.close();
            throw new ShutdownChannelGroupException();
        }
        return channel;
    }

    /** Stops tracking a closed channel; any thread. */
    public void deregister(Initiator channel) {
        channels.remove(channel);
    }

    /** Counts an operation handed to the engine; loop only. */
    public void operationStarted() {
        inFlight++;
    }

    /** Counts an operation whose completion the engine delivered; loop only. */
    public void operationFinished() {
        inFlight--;
    }

    /** {@code true} once shutdown has begun. */
    public boolean isShuttingDown() {
        return state != RUNNING;
    }

    /** Completes when the loop's thread has ended and its processor and queue are closed. */
    public CompletableFuture<Void> terminationFuture() {
        return termination;
    }

    /** Begins shutdown (idempotent): close all channels, drain, then end by {@code deadlineNanos} at the latest. */
    public void shutdown(long deadlineNanos) {
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            state = SHUTTING_DOWN;
        }
        tasks.offer(() -> {
            shutdownDeadline = deadlineNanos;
            shutdownBegun = true;
            for (Initiator c : new ArrayList<>(channels)) {
                c.close();
            }
        });
        queue.wakeup();
    }

    private void checkRunning() {
        if (state != RUNNING) {
            throw new ShutdownChannelGroupException();
        }
    }

    private void run() {
        try {
            while (true) {
                tasks.drain(taskRunner);
                long timeout = fireTimers();
                if (state != RUNNING && shutdownComplete()) {
                    break;
                }
                if (!tasks.isEmpty()) {
                    timeout = 0;
                } else if (state != RUNNING) {
                    timeout = timeout < 0 ? SHUTDOWN_POLL_NANOS : Math.min(timeout, SHUTDOWN_POLL_NANOS);
                }
                queue.awaitAndDispatch(timeout);
            }
        } catch (Throwable t) {
            LOG.error("proactor {} stopped by an unexpected error", name, t);
        } finally {
            terminate();
        }
    }

    private boolean shutdownComplete() {
        if (!shutdownBegun) {
            return false; // the shutdown task has not run yet
        }
        if (inFlight == 0 && tasks.isEmpty() && channels.isEmpty()) {
            return true;
        }
        if (System.nanoTime() - shutdownDeadline > 0) {
            LOG.warn("proactor {} shutdown deadline passed with {} operations in flight and {} channels open; "
                    + "stopping anyway", name, inFlight, channels.size());
            return true;
        }
        return false;
    }

    private void terminate() {
        state = TERMINATED;
        tasks.drain(taskRunner);
        timers.clear();
        try {
            processor.close();
        } catch (Throwable t) {
            LOG.warn("proactor {}: closing the operation processor failed", name, t);
        }
        processor = null;
        try {
            queue.close();
        } catch (Throwable t) {
            LOG.warn("proactor {}: closing the completion event queue failed", name, t);
        }
        termination.complete(null);
    }

    /** Runs due timers; returns the nanoseconds until the next one, or -1 if none. */
    private long fireTimers() {
        if (cancelledTimers > 64 && cancelledTimers > timers.size() / 2) {
            timers.removeIf(t -> t.cancelled);
            cancelledTimers = 0;
        }
        Timer next;
        long now = System.nanoTime();
        while ((next = timers.peek()) != null) {
            if (next.cancelled) {
                timers.poll();
                cancelledTimers = Math.max(0, cancelledTimers - 1);
                continue;
            }
            long wait = next.deadline - now;
            if (wait > 0) {
                return wait;
            }
            timers.poll();
            next.fired = true;
            Handlers.run(next.task);
            now = System.nanoTime();
        }
        return -1;
    }

    @Override
    public String toString() {
        return name;
    }

    /** A scheduled task; lives in the loop's heap. */
    private final class Timer implements Cancellable, Comparable<Timer> {
        final Runnable task;
        final long deadline;
        long sequence;
        volatile boolean cancelled;
        volatile boolean fired;

        Timer(Runnable task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public boolean cancel() {
            if (cancelled || fired) {
                return false;
            }
            cancelled = true;
            if (inProactorThread()) {
                cancelledTimers++;
            }
            return !fired;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
