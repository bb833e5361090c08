package io.proactor.core;

import io.proactor.protocol.StallReport;
import io.proactor.core.events.StallEvent;
import io.proactor.protocol.StallWatch;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds server threads kept busy by a blocking callback. Every quarter of the threshold its own thread posts a
 * heartbeat task to each watched executor (an event loop or a worker) that has none outstanding; an executor
 * whose heartbeat has waited longer than the threshold is reported once — logged with its thread's stack,
 * and passed to the {@link StallWatch}'s listener — and logged again when the heartbeat finally runs. The
 * heartbeat is queued work like any other, so an idle loop answers at once and only a loop kept from its
 * queue is reported; the cost is one task per executor per period. Each report is counted (in the watched
 * {@link EventLoop}'s metrics, and in {@link #stallsReported()} for loops and workers together) and emitted as
 * a JFR {@link StallEvent}.
 *
 * <p><b>Threading.</b> {@link #watch} from any thread; {@link #close} stops the watchdog's thread and waits for it.
 */
public final class StallWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StallWatchdog.class);

    private final StallWatch policy;
    private final long thresholdNanos;
    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private final AtomicLong stallsReported = new AtomicLong();

    private static final class Watched {
        final Executor executor;
        final String name;
        /** The executor's thread, learnt from its first heartbeat. */
        volatile Thread thread;
        /** When the outstanding heartbeat was posted, or 0 when none is outstanding. */
        volatile long heartbeatPostedNanos;
        volatile boolean reported;

        Watched(Executor executor, String name) {
            this.executor = executor;
            this.name = name;
        }
    }

    /** Starts a watchdog thread named {@code name}, or none when {@code policy} is off. */
    public static StallWatchdog start(String name, StallWatch policy) {
        return new StallWatchdog(name, policy);
    }

    private StallWatchdog(String name, StallWatch policy) {
        this.policy = policy;
        this.thresholdNanos = policy.threshold().toNanos();
        if (policy.isOn()) {
            this.thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        } else {
            this.thread = null;
        }
    }

    /**
     * Watches {@code executor}, whose tasks run on one thread; {@code name} names it until that thread is known.
     * Waits (up to the threshold) for the executor to run a first task, so that a stall from its very first
     * callback on is reported with the stack of its thread.
     */
    public void watch(Executor executor, String name) {
        if (thread == null) {
            return;
        }
        if (executor instanceof EventLoop loop) {
            loop.watchedForStalls();
        }
        Watched w = new Watched(executor, name);
        CountDownLatch started = new CountDownLatch(1);
        try {
            executor.execute(() -> {
                w.thread = Thread.currentThread();
                started.countDown();
            });
            started.await(thresholdNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watched.add(w);
    }

    private void run() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(2), thresholdNanos / 4);
        while (!closed) {
            long now = System.nanoTime();
            for (Watched w : watched) {
                long posted = w.heartbeatPostedNanos;
                if (posted == 0) {
                    postHeartbeat(w, now);
                } else if (!w.reported && now - posted > thresholdNanos) {
                    w.reported = true;
                    report(w, Duration.ofNanos(now - posted));
                }
            }
            try {
                TimeUnit.NANOSECONDS.sleep(period);
            } catch (InterruptedException e) {
                return; // close() interrupts
            }
        }
    }

    private void postHeartbeat(Watched w, long now) {
        w.heartbeatPostedNanos = now;
        try {
            w.executor.execute(() -> {
                w.thread = Thread.currentThread();
                if (w.reported) {
                    w.reported = false;
                    LOG.info("{} is responsive again after {} ms", w.thread.getName(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w.heartbeatPostedNanos));
                }
                w.heartbeatPostedNanos = 0;
            });
        } catch (RejectedExecutionException shuttingDown) {
            watched.remove(w);
        }
    }

    private void report(Watched w, Duration busyFor) {
        Thread t = w.thread;
        StackTraceElement[] stack = t == null ? new StackTraceElement[0] : t.getStackTrace();
        String name = t == null ? w.name : t.getName();
        StallReport report = new StallReport(name, busyFor, Arrays.asList(stack));
        stallsReported.incrementAndGet();
        if (w.executor instanceof EventLoop loop) {
            loop.stallReported();
        }
        StallEvent.emit(name, busyFor.toNanos());
        Throwable where = new Throwable("where " + name + " is");
        where.setStackTrace(stack);
        LOG.warn("{} has not run its queued work for {} ms: a callback on it blocks (every connection it serves "
                + "waits); move blocking work off the event loop", name, busyFor.toMillis(), where);
        try {
            policy.listener().accept(report);
        } catch (RuntimeException e) {
            LOG.warn("the stall listener threw", e);
        }
    }

    /** Stalls reported so far, on every loop and worker watched; 0 when the watchdog is off. Any thread. */
    public long stallsReported() {
        return stallsReported.get();
    }

    /** {@code true} when the watchdog runs (its policy is not {@link StallWatch#OFF}). */
    public boolean isOn() {
        return thread != null;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
