package io.proactor.reactor;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual threads of one server or client, so that closing it can wait for every one of them to end.
 *
 * <p><b>Threading.</b> Any thread may call any method.
 */
final class VirtualThreadGroup {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadGroup.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Starts a named virtual thread running {@code body}.
     *
     * @throws RejectedExecutionException once {@link #awaitAll} has begun
     */
    Thread start(String name, Runnable body) {
        if (closed) {
            throw new RejectedExecutionException("'" + name + "' not started: the group is closed");
        }
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
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
