package io.proactor.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers of {@link io.proactor.protocol.ThreadingModel#WORKER_POOL}: single-threaded executors, one per
 * worker, so that every callback of a connection runs on one thread, in order.
 */
public final class WorkerPool implements AutoCloseable {

    private final List<ExecutorService> workers;
    private final AtomicInteger next = new AtomicInteger();

    public WorkerPool(int size, String namePrefix) {
        List<ExecutorService> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String name = namePrefix + "-" + i;
            list.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            }));
        }
        this.workers = List.copyOf(list);
    }

    /** Every worker, in order. */
    public List<ExecutorService> workers() {
        return workers;
    }

    /** The worker for a new connection, round robin. */
    public ExecutorService next() {
        return workers.get(Math.floorMod(next.getAndIncrement(), workers.size()));
    }

    /** Lets queued callbacks finish, then stops the threads (waits up to 10 s). */
    @Override
    public void close() {
        workers.forEach(ExecutorService::shutdown);
        for (ExecutorService w : workers) {
            try {
                if (!w.awaitTermination(10, TimeUnit.SECONDS)) {
                    w.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.shutdownNow();
            }
        }
    }
}
