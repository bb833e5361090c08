package io.proactor.core;

import io.proactor.Cancellable;
import io.proactor.OperationKind;
import io.proactor.ProactorMetrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event loop every engine runs: a thread that, in each iteration, runs the tasks handed to it, fires
 * due timers, then performs its engine's <em>wait-and-dispatch step</em> ({@link #awaitAndDispatch}). The step
 * is what tells the engines apart: a completion-based engine's {@link ProactorLoop} waits on its
 * {@link io.proactor.spi.CompletionEventQueue} (io_uring's completion ring, NIO.2's queue) and calls completion
 * handlers; the reactor's loop waits on a {@code Selector} (its synchronous event demultiplexer) and calls
 * readiness handlers. Tasks, timers, lifecycle and graceful shutdown are written here once.
 *
 * <p><b>Driven loops.</b> A loop made with {@link #EventLoop(String, boolean, boolean) driven} {@code true} has
 * no wait of its own: its thread runs another event loop, the <em>driver</em> (NIO.2's: the JDK channel group's
 * one thread, which waits on epoll and calls completion handlers itself). The driver makes that thread with
 * {@link #driverThreadFactory()}, and the engine passes every event the driver delivers to
 * {@link #dispatchDriven}, which runs it and then an iteration of this loop (tasks, timers, the engine's step
 * without waiting) until nothing is left. The engine's {@link #wakeup} makes the driver call back, and its step
 * arranges a call back within the timeout it is given. So a completion reaches its handler on the thread that
 * waited for it, with no hand-over to another thread.
 *
 * <p><b>Threading.</b> {@link #execute}, {@link #schedule}, {@link #shutdown} and the queries may be called
 * from any thread; the hooks a subclass implements run on the loop thread, except {@link #wakeup}. Tasks run in
 * the order each submitting thread gave them, never inside the {@code execute} call itself.
 *
 * <p><b>Hand-over and termination.</b> Every task {@code execute} accepts runs; once the loop has terminated,
 * {@code execute} throws {@link RejectedExecutionException}. A producer on another thread announces itself in
 * {@link #handingOver} before it reads the state, and the terminating loop waits for the announced producers
 * before its last drain (Dekker style: both sides write, then read the other's variable), so no task is
 * accepted after that drain. The loop's own thread needs no announcement: it cannot race with itself.
 *
 * <p><b>Shutdown.</b> {@link #shutdown(long)} hands the loop a task that closes its channels
 * ({@link #closeChannels}); the loop then keeps running until no task is queued and the engine has nothing
 * in flight ({@link #quiescent}), or until the deadline, and ends: it runs what is still queued, refuses new
 * tasks and frees its engine resources ({@link #closeResources}).
 *
 * <p><b>Metrics.</b> The loop counts its iterations, the events its steps dispatched, the tasks it ran and,
 * for one task in {@value ProactorMetrics#LAG_SAMPLE_INTERVAL}, the lag from hand-off to run, in plain
 * {@code long} fields that only its thread writes; {@link #metrics()} reads them from any thread with opaque
 * reads, so counting costs the loop no atomic operation and no fence. Lag sampling: {@link #execute} bumps a
 * racy submission counter (a lost increment only shifts which task is sampled) and, for every
 * {@value ProactorMetrics#LAG_SAMPLE_INTERVAL}th task, wraps it with a {@link System#nanoTime()} stamp, the
 * only extra work and allocation; the loop measures a wrapped task when it runs it.
 */
public abstract class EventLoop implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final int RUNNING = 0;
    private static final int SHUTTING_DOWN = 1;
    private static final int TERMINATED = 2;
    /** While shutting down, wake up at least this often to check the deadline. */
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** What {@link #iterate} returns once shutdown is complete. */
    private static final long ENDED = Long.MIN_VALUE;
    /** Driven loops: iterations in one {@link #dispatchDriven} before the driver gets its turn. */
    private static final int DRIVEN_BATCH = 16;

    private final String name;
    private final MessagePassingQueue<Runnable> tasks = new MpscUnboundedArrayQueue<>(1024);
    private final MessagePassingQueue.Consumer<Runnable> taskRunner = this::runTask;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    /** Producers on other threads between their state check and their offer; see the class comment. */
    private final AtomicInteger handingOver = new AtomicInteger();
    private final Thread thread;
    private final boolean driven;
    /** Driven loops: the driver's body, which {@link #thread} runs; set once, before the thread starts. */
    private Runnable driver;
    /** Driven loops: {@code true} while {@link #dispatchDriven} runs, so that a nested event is queued. */
    private boolean driving;
    private volatile int state = RUNNING;
    private long timerSequence;
    private int cancelledTimers;
    private long shutdownDeadline;
    private boolean shutdownBegun;

    // Counters: written by the loop thread only (stalls: by one watchdog thread), read with opaque reads.
    private static final VarHandle ITERATIONS;
    private static final VarHandle EVENTS;
    private static final VarHandle TASKS;
    private static final VarHandle LAG_SAMPLES;
    private static final VarHandle LAG_TOTAL;
    private static final VarHandle LAG_MAX;
    private static final VarHandle STALLS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITERATIONS = lookup.findVarHandle(EventLoop.class, "iterations", long.class);
            EVENTS = lookup.findVarHandle(EventLoop.class, "eventsDispatched", long.class);
            TASKS = lookup.findVarHandle(EventLoop.class, "tasksExecuted", long.class);
            LAG_SAMPLES = lookup.findVarHandle(EventLoop.class, "lagSamples", long.class);
            LAG_TOTAL = lookup.findVarHandle(EventLoop.class, "lagNanosTotal", long.class);
            LAG_MAX = lookup.findVarHandle(EventLoop.class, "lagNanosMax", long.class);
            STALLS = lookup.findVarHandle(EventLoop.class, "stalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long iterations;
    private long eventsDispatched;
    private long tasksExecuted;
    private long lagSamples;
    private long lagNanosTotal;
    private long lagNanosMax;
    /** Stalls a watchdog reported; -1 while none watches this loop. */
    private long stalls = ProactorMetrics.NOT_AVAILABLE;
    /** Tasks handed over, counted racily by the submitting threads: only picks which task to stamp. */
    private int submissions;

    /** Makes the loop's thread (named {@code name}); {@link #start} starts it. */
    protected EventLoop(String name, boolean daemon) {
        this(name, daemon, false);
    }

    /**
     * Makes the loop's thread (named {@code name}); {@link #start} starts it, or, for a {@code driven} loop
     * (see the class comment), the driver does, through {@link #driverThreadFactory()}.
     */
    protected EventLoop(String name, boolean daemon, boolean driven) {
        this.name = Objects.requireNonNull(name, "name");
        this.driven = driven;
        this.thread = new Thread(driven ? this::runDriver : this::run, name);
        this.thread.setDaemon(daemon);
    }

    // ---- the engine's part ------------------------------------------------------------------------------

    /**
     * The wait-and-dispatch step: dispatches every event that is ready; if there is none, first waits up to
     * {@code timeoutNanos} ({@code 0}: do not wait; negative: until an event or a {@link #wakeup}). Loop only.
     *
     * @return the number of events dispatched
     */
    protected abstract int awaitAndDispatch(long timeoutNanos) throws Exception;

    /** Makes a waiting {@link #awaitAndDispatch} return soon, or the next one not block. Any thread. */
    protected abstract void wakeup();

    /** Shutdown has begun: close every channel of this loop. Loop only. */
    protected abstract void closeChannels();

    /** {@code true} when the engine has nothing left to finish (no operation in flight, no channel open). */
    protected boolean quiescent() {
        return true;
    }

    /** What is left unfinished when the shutdown deadline passes and the loop is not {@link #quiescent}, for the log. */
    protected String unfinishedWork() {
        return "work in flight";
    }

    /** Frees the engine's resources once the loop has ended; loop only, once. */
    protected abstract void closeResources();

    // ---- tasks and timers ---------------------------------------------------------------------------------

    /** Starts the loop's thread; once. A driven loop's thread already runs its driver: this lets it begin. */
    public final void start() {
        if (driven) {
            wakeup();
        } else {
            thread.start();
        }
    }

    /**
     * Driven loops: the thread factory the driver makes its one thread with. It returns this loop's thread,
     * which runs the driver's body; a driver that asks for a second thread gets a plain one, and the error is
     * logged, as its events would then reach the wrong thread.
     */
    public final java.util.concurrent.ThreadFactory driverThreadFactory() {
        if (!driven) {
            throw new IllegalStateException("event loop " + name + " is not driven");
        }
        return body -> {
            synchronized (this) {
                if (driver == null) {
                    driver = body;
                    return thread;
                }
            }
            LOG.error("event loop {}: its driver asked for a second thread; events it runs there are not on the loop",
                    name);
            return new Thread(body, name + "-extra");
        };
    }

    private void runDriver() {
        Runnable body;
        synchronized (this) {
            body = driver;
        }
        try {
            body.run();
        } catch (Throwable t) {
            LOG.error("event loop {}: its driver stopped by an unexpected error", name, t);
        } finally {
            if (state != TERMINATED) {
                LOG.error("event loop {}: its driver ended before the loop did", name);
                terminate();
            }
        }
    }

    public final String name() {
        return name;
    }

    /** {@code true} when called on this loop's thread. */
    public final boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** {@code true} if {@code t} is this loop's thread. */
    public final boolean isLoopThread(Thread t) {
        return t == thread;
    }

    /**
     * Hands {@code task} to the loop; it runs after the tasks already queued, never inside this call.
     *
     * @throws RejectedExecutionException once the loop has terminated
     */
    @Override
    public final void execute(Runnable task) {
        Objects.requireNonNull(task, "'task' is null");
        if ((++submissions & (ProactorMetrics.LAG_SAMPLE_INTERVAL - 1)) == 0) {
            task = new StampedTask(task, System.nanoTime());
        }
        if (Thread.currentThread() == thread) {
            if (state == TERMINATED) {
                throw rejected();
            }
            tasks.offer(task);
            return;
        }
        handingOver.getAndIncrement();
        try {
            if (state == TERMINATED) {
                throw rejected();
            }
            tasks.offer(task);
        } finally {
            handingOver.getAndDecrement();
        }
        wakeup();
    }

    /** Runs {@code task} now when on the loop thread, otherwise hands it to the loop. */
    public final void runOnLoop(Runnable task) {
        if (inLoop()) {
            task.run();
        } else {
            execute(task);
        }
    }

    /**
     * Like {@link #runOnLoop}, but drops the task once the loop has terminated: it closed every channel before
     * it ended, so there is nothing left for the task to act on.
     */
    public final void runOnLoopIfRunning(Runnable task) {
        try {
            runOnLoop(task);
        } catch (RejectedExecutionException terminated) {
            // see above
        }
    }

    /** {@code true} when a task waits to run; for a wait step that must not block then. */
    protected final boolean hasPendingTasks() {
        return !tasks.isEmpty();
    }

    /** Runs {@code task} on the loop after {@code delay}; any thread. */
    public final Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "'task' is null");
        Objects.requireNonNull(unit, "'unit' is null");
        if (delay < 0) {
            throw new IllegalArgumentException("'delay' is negative: " + delay);
        }
        Timer timer = new Timer(task, System.nanoTime() + unit.toNanos(delay));
        if (inLoop()) {
            addTimer(timer);
        } else {
            execute(() -> addTimer(timer));
        }
        return timer;
    }

    private void addTimer(Timer timer) {
        timer.sequence = timerSequence++;
        timers.add(timer);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------

    /** {@code true} once shutdown has begun. */
    public final boolean isShuttingDown() {
        return state != RUNNING;
    }

    /** Completes when the loop has ended and its engine resources are freed. */
    public final CompletableFuture<Void> terminationFuture() {
        return termination;
    }

    /** Begins shutdown (idempotent): close all channels, drain, then end by {@code deadlineNanos} at the latest. */
    public final void shutdown(long deadlineNanos) {
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            state = SHUTTING_DOWN;
        }
        tasks.offer(() -> {
            shutdownDeadline = deadlineNanos;
            shutdownBegun = true;
            closeChannels();
        });
        wakeup();
    }

    /**
     * Waits for the loop's thread to end, uninterruptibly; not from the loop itself, which cannot wait for itself.
     * A driven loop's thread ends when its driver does, which may be after the loop (NIO.2: when the group ends).
     */
    public final void awaitTermination() {
        if (inLoop()) {
            return;
        }
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

    private void run() {
        try {
            while (iterate() != ENDED) {
                // each iteration waits in the engine's step
            }
        } catch (Throwable t) {
            LOG.error("event loop {} stopped by an unexpected error", name, t);
        } finally {
            terminate();
        }
    }

    /**
     * One iteration: the queued tasks, the due timers, then the engine's wait-and-dispatch step.
     *
     * @return how long the step could wait (0: not at all, -1: until woken), or {@link #ENDED} when shutdown
     *         is complete and the loop must terminate
     */
    private long iterate() throws Exception {
        tasks.drain(taskRunner);
        long timeout = fireTimers();
        if (state != RUNNING && shutdownComplete()) {
            return ENDED;
        }
        if (!tasks.isEmpty()) {
            timeout = 0;
        } else if (state != RUNNING) {
            timeout = timeout < 0 ? SHUTDOWN_POLL_NANOS : Math.min(timeout, SHUTDOWN_POLL_NANOS);
        }
        int dispatched = awaitAndDispatch(timeout);
        ITERATIONS.setOpaque(this, iterations + 1);
        EVENTS.setOpaque(this, eventsDispatched + dispatched);
        return timeout;
    }

    /**
     * Driven loops, on the loop thread: runs {@code event} (a completion the driver delivered; {@code null}
     * when the driver only calls back), then iterations of this loop until nothing is left to do, or
     * {@value #DRIVEN_BATCH} of them (then the loop asks the driver to call back, so that the driver's own
     * events are not held up). An event delivered while this runs (the driver completed an operation at once,
     * inside the call that started it) is queued as a task instead: a handler never runs inside the initiating
     * call. After the loop has terminated, events are dropped: it closed every channel first, so nobody waits
     * for them.
     */
    public final void dispatchDriven(Runnable event) {
        if (state == TERMINATED) {
            return;
        }
        if (driving) {
            if (event != null) {
                tasks.offer(event);
            }
            return;
        }
        driving = true;
        try {
            if (event != null) {
                EVENTS.setOpaque(this, eventsDispatched + 1);
                Handlers.run(event);
            }
            for (int i = 0; ; i++) {
                long timeout = iterate();
                if (timeout == ENDED) {
                    terminate();
                    return;
                }
                if (timeout != 0 && tasks.isEmpty()) {
                    return; // the step has arranged a call back within the timeout
                }
                if (i == DRIVEN_BATCH) {
                    wakeup();
                    return;
                }
            }
        } catch (Throwable t) {
            LOG.error("event loop {} stopped by an unexpected error", name, t);
            terminate();
        } finally {
            driving = false;
        }
    }

    /**
     * Counts one event an engine dispatched outside {@link #awaitAndDispatch}, for the metrics' events per
     * wake-up (nio2: a completion the JDK's channel group delivered on the loop thread). Loop thread only.
     */
    public final void eventDispatched() {
        EVENTS.setOpaque(this, eventsDispatched + 1);
    }

    private boolean shutdownComplete() {
        if (!shutdownBegun) {
            return false; // the shutdown task has not run yet
        }
        if (tasks.isEmpty() && quiescent()) {
            return true;
        }
        if (System.nanoTime() - shutdownDeadline > 0) {
            if (!quiescent()) {
                LOG.warn("event loop {}: shutdown deadline passed with {}; stopping anyway", name, unfinishedWork());
            }
            return true; // queued tasks still run as the loop ends
        }
        return false;
    }

    private void terminate() {
        state = TERMINATED;
        while (handingOver.get() != 0) {
            Thread.onSpinWait(); // a producer is between its state check and its offer: wait for the offer
        }
        try {
            while (tasks.drain(taskRunner) > 0) {
                // a drain takes a bounded batch; no task is added any more, so this ends
            }
            timers.clear();
            closeResources();
        } catch (Throwable t) {
            LOG.warn("event loop {}: freeing its resources failed", name, t);
        } finally {
            termination.complete(null);
        }
    }

    private void runTask(Runnable task) {
        TASKS.setOpaque(this, tasksExecuted + 1);
        if (task instanceof StampedTask stamped) {
            long lag = System.nanoTime() - stamped.handedOverNanos;
            LAG_SAMPLES.setOpaque(this, lagSamples + 1);
            LAG_TOTAL.setOpaque(this, lagNanosTotal + lag);
            if (lag > lagNanosMax) {
                LAG_MAX.setOpaque(this, lag);
            }
            task = stamped.task;
        }
        Handlers.run(task);
    }

    /** A task whose hand-off time is measured: one in {@value ProactorMetrics#LAG_SAMPLE_INTERVAL}. */
    private record StampedTask(Runnable task, long handedOverNanos) implements Runnable {
        @Override
        public void run() {
            task.run(); // not reached through runTask, which unwraps it; here for completeness
        }
    }

    // ---- metrics --------------------------------------------------------------------------------------------

    /** A stall watchdog watches this loop from now on: its stalls are counted from 0. Once, any thread. */
    final void watchedForStalls() {
        STALLS.compareAndSet(this, ProactorMetrics.NOT_AVAILABLE, 0L);
    }

    /** The watchdog found this loop stalled; its thread only (the loop itself is stuck). */
    final void stallReported() {
        STALLS.getAndAdd(this, 1L);
    }

    /** Operations submitted and completed per kind; empty for an engine that starts no operations. */
    protected Map<OperationKind, ProactorMetrics.OperationCounts> operationCounts() {
        return Map.of();
    }

    /** The engine's own figures (io_uring's), or -1 each; {@link EngineCounters#NONE} by default. */
    protected EngineCounters engineCounters() {
        return EngineCounters.NONE;
    }

    /** A snapshot of this loop's counters; any thread (see {@link ProactorMetrics} on how current it is). */
    public ProactorMetrics metrics() {
        EngineCounters engine = engineCounters();
        return new ProactorMetrics(name, 1, operationCounts(), (long) ITERATIONS.getOpaque(this),
                (long) EVENTS.getOpaque(this), engine.ringEnters(), engine.completionQueueOverflows(),
                engine.bufferExhaustions(), (long) TASKS.getOpaque(this), tasks.size(),
                (long) LAG_SAMPLES.getOpaque(this), (long) LAG_TOTAL.getOpaque(this), (long) LAG_MAX.getOpaque(this),
                (long) STALLS.getOpaque(this));
    }

    /** Runs due timers; returns the nanoseconds until the next one, or -1 if none. */
    private long fireTimers() {
        if (timers.isEmpty()) {
            return -1; // without reading the clock: most iterations of a busy loop have no timer
        }
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

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("event loop " + name + " has terminated");
    }

    @Override
    public String toString() {
        return name;
    }

    /** A scheduled task; lives in the loop's heap. Cancellable from any thread. */
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
            if (inLoop()) {
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
