package io.proactor.iouring;

import java.util.ArrayDeque;

/**
 * Receives that found their proactor's buffer pool dry ({@code -ENOBUFS}), waiting to be re-armed. They are
 * re-armed oldest first, and only as many at a time as the pool has room for, just before the loop's next
 * submit: waking all of them whenever a few buffers came back would make most fail again (each another SQE
 * and CQE) and starve the ones always last in line. Loop only.
 */
final class WaitingReceives {

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    void add(Runnable retry) {
        queue.add(retry);
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Re-arms at most {@code budget} waiting receives, oldest first. */
    void wake(int budget) {
        int n = Math.min(queue.size(), budget);
        for (int i = 0; i < n; i++) {
            queue.poll().run();
        }
    }

    void clear() {
        queue.clear();
    }
}
