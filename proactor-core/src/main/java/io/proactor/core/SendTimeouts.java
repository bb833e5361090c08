package io.proactor.core;

import io.proactor.protocol.Connection;
import io.proactor.protocol.SendTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's send timeout, enforced the same way on every engine: a connection whose output stays pending
 * with no progress ({@link AbstractConnection#sendStalled}) for the timeout is aborted with a
 * {@link SendTimeoutException} and counted ({@link #expired()}, the server's
 * {@link io.proactor.ProactorMetrics#sendTimeouts()}).
 *
 * <p><b>Sweeps, not timers per write.</b> Sending only bumps a counter in the connection; the check is a
 * periodic sweep every {@link #periodNanos()} (a tenth of the timeout, at most a second). On an event loop
 * the sweep is a timer of that loop over the connections it serves ({@link #watch} when a connection opens,
 * {@link #unwatch} when it closes), armed only while the loop serves one, so an idle loop is not woken. The
 * thread-per-connection engines have no loop: their server runs {@link #sweep} on a thread of its own.
 *
 * <p><b>Threading.</b> {@link #watch} and {@link #unwatch} on the connection's loop; {@link #sweep} on one
 * thread at a time; the rest from any thread.
 */
public final class SendTimeouts {

    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Duration timeout;
    private final long timeoutNanos;
    private final long periodNanos;
    private final AtomicLong expired = new AtomicLong();
    private final ConcurrentHashMap<EventLoop, LoopWatch> loops = new ConcurrentHashMap<>();

    /** The send timeout {@code timeout}; {@link Duration#ZERO}: off (nothing is watched, nothing expires). */
    public SendTimeouts(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("'timeout' must not be negative, was " + timeout);
        }
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.periodNanos = Math.max(1, Math.min(MAX_PERIOD_NANOS, timeoutNanos / 10));
    }

    public boolean isOn() {
        return timeoutNanos > 0;
    }

    /** How often connections are looked at. */
    public long periodNanos() {
        return periodNanos;
    }

    /** Connections closed by this timeout so far. */
    public long expired() {
        return expired.get();
    }

    /** Watches {@code c}, served by {@code loop}, until {@link #unwatch}; loop only. Nothing when off. */
    void watch(AbstractConnection c, EventLoop loop) {
        if (isOn() && c.watchIndex < 0) {
            loops.computeIfAbsent(loop, LoopWatch::new).add(c);
        }
    }

    /** Stops watching {@code c}; loop only. */
    void unwatch(AbstractConnection c, EventLoop loop) {
        if (c.watchIndex >= 0) {
            loops.get(loop).remove(c);
        }
    }

    /**
     * Aborts every open one of {@code connections} (the core's connections; others are skipped) whose output has
     * stalled; one thread at a time.
     */
    public void sweep(Iterable<? extends Connection> connections) {
        long now = System.nanoTime();
        for (Connection c : connections) {
            if (c instanceof AbstractConnection a && a.isOpen() && a.sendStalled(now, timeoutNanos)) {
                expire(a);
            }
        }
    }

    private void expire(AbstractConnection c) {
        expired.incrementAndGet(); // before the abort: whoever sees onClose sees the count
        c.abort(new SendTimeoutException(timeout));
    }

    /** The connections of one loop that are watched, and the loop's timer that sweeps them. Loop only. */
    private final class LoopWatch implements Runnable {
        private final EventLoop loop;
        private final ArrayList<AbstractConnection> watched = new ArrayList<>();
        private boolean armed;

        LoopWatch(EventLoop loop) {
            this.loop = loop;
        }

        void add(AbstractConnection c) {
            c.watchIndex = watched.size();
            watched.add(c);
            arm();
        }

        /** Moves the last connection into {@code c}'s place: O(1), and the list never has holes. */
        void remove(AbstractConnection c) {
            AbstractConnection last = watched.remove(watched.size() - 1);
            if (last != c) {
                watched.set(c.watchIndex, last);
                last.watchIndex = c.watchIndex;
            }
            c.watchIndex = -1;
        }

        private void arm() {
            if (!armed && !watched.isEmpty()) {
                armed = true;
                loop.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        /** The sweep: finds the stalled connections first, then aborts them (which takes them off the list). */
        @Override
        public void run() {
            armed = false;
            long now = System.nanoTime();
            List<AbstractConnection> stalled = null;
            for (AbstractConnection c : watched) {
                if (c.sendStalled(now, timeoutNanos)) {
                    if (stalled == null) {
                        stalled = new ArrayList<>(2);
                    }
                    stalled.add(c);
                }
            }
            if (stalled != null) {
                stalled.forEach(SendTimeouts.this::expire);
            }
            arm();
        }
    }
}
