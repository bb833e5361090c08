package io.proactor.load;

import io.proactor.protocol.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The counters of one set of connections: requests, bytes, errors and the latency of every answer. Each run (and
 * each idle set) has its own, because connections closed at the end of one run report their closing later, on
 * the proactor thread, possibly while the next run has begun. Counted on the client's proactor thread, read on
 * the thread that runs the load.
 */
final class ConnectionBatch {

    /** Latencies above this are recorded as this (a stalled server shows as a wall at the top, not a crash). */
    static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Aborts not yet reported closed, at most: well below the client's completion queue. */
    private static final int ABORTS_PENDING = 256;
    private static final long ABORT_TIMEOUT_SECONDS = 10;

    final LongAdder requests = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final Recorder latencies = new Recorder(HIGHEST_LATENCY_NANOS, 3);
    final AtomicLong errors = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>();
    /** Connections of this batch that have closed, for whatever reason. */
    final AtomicInteger closed = new AtomicInteger();
    /** Set before we close the connections ourselves, so that their closing is not an error. */
    volatile boolean stopping;

    void error(String message) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, message);
    }

    /** One request answered and verified, {@code latencyNanos} after it was sent. */
    void answered(long latencyNanos) {
        latencies.recordValue(Math.min(latencyNanos, HIGHEST_LATENCY_NANOS));
        requests.increment();
    }

    void abortAll(List<Connection> connections) throws InterruptedException {
        stopping = true;
        // Every abort ends in completions (cancelled receive, close); thousands at once overflow the client's
        // io_uring completion queue, which Netty survives but warns about: keep a bounded number pending.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ABORT_TIMEOUT_SECONDS);
        for (int i = 0; i < connections.size(); i++) {
            while (i - closed.get() >= ABORTS_PENDING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            connections.get(i).abort(null);
        }
    }
}
