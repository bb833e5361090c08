package io.proactor.reactor;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one thread-per-connection server or client (virtual threads, or platform threads for
 * {@link PlatformThreadEngine}), so that closing it can wait for every one of them to end.
 *
 * <p><b>Threading.</b> Any thread may call any method.
 */
final class VirtualThreadGroup {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadGroup.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private final boolean virtual;
    private volatile boolean closed;

    /** A group of virtual threads. */
    VirtualThreadGroup() {
        this(true);
    }

    /** A group of virtual threads, or of platform threads when {@code virtual} is false. */
    VirtualThreadGroup(boolean virtual) {
        this.virtual = virtual;
    }

    /**
     * Starts a named thread (virtual or platform, as the group was made) running {@code body}.
     *
     * @throws RejectedExecutionException once {@link #awaitAll} has begun
     */
    Thread start(String name, Runnable body) {
        if (closed) {
            throw new RejectedExecutionException("'" + name + "' not started: the group is closed");
        }
        Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        Thread t = builder.name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                live.remove(Thread.currentThread());
            }
        });
        live.add(t);
        t.start();
        return t;
    }

    /**
     * Refuses new threads, then waits for the running ones, calling {@code nudge} (which should make them end,
     * e.g. by closing sockets) between waits; gives up with a warning after {@link #CLOSE_WAIT}, since only a
     * callback that blocks forever can keep a thread alive that long.
     */
    void awaitAll(Runnable nudge) {
        closed = true;
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        boolean interrupted = false;
        while (!live.isEmpty()) {
            nudge.run();
            if (System.nanoTime() > deadline) {
                LOG.warn("{} virtual threads did not end within {}: {}", live.size(), CLOSE_WAIT, live);
                break;
            }
            for (Thread t : List.copyOf(live)) {
                if (t == Thread.currentThread()) {
                    live.remove(t); // closed from one of its own callbacks: it ends when the callback returns
                    continue;
                }
                try {
                    t.join(Duration.ofMillis(50));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
