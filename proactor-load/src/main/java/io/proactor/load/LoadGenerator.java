package io.proactor.load;

import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import io.proactor.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * The load generator: opens N connections, each driven by its {@link Workload} ({@link EchoLoad} or
 * {@link HttpLoad}) with {@code depth} requests in flight and every answered byte checked, lets them run through
 * a warm-up and a measurement window, and reports the window's requests, bytes, errors and the latency of every
 * answer (an HdrHistogram). It also opens {@link IdleConnections}.
 *
 * <p>It runs on the library's io_uring engine, one I/O thread, so the server rather than the load is what is
 * measured (nio2 when io_uring cannot run here: {@link #engine()} says which). One instance can run many loads
 * one after another, which keeps its JIT-compiled code warm.
 *
 * <p><b>Threading.</b> {@link #run} and {@link #openIdle} block the calling thread; the connections' callbacks
 * run on the client's proactor thread. Not for concurrent use by several callers.
 */
public final class LoadGenerator implements AutoCloseable {

    private static final long CONNECT_TIMEOUT_SECONDS = 10;
    /** Connects in flight at once while opening connections: below common listen backlogs. */
    private static final int CONNECTS_IN_FLIGHT = 100;
    /** Connects between two looks at the server's accept queue. */
    private static final int CONNECTS_PER_QUEUE_CHECK = 50;

    private final ProtocolClient client;

    /** Starts the load's client: io_uring, or the best engine with one log line saying why not. */
    public LoadGenerator() {
        this(Engines.prefer("io_uring"));
    }

    LoadGenerator(Engine engine) {
        this.client = ProtocolClient.builder().engine(engine).model(ThreadingModel.SINGLE)
                .connectTimeout(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS)).build();
    }

    /** The engine the load runs on. */
    public Engine engine() {
        return client.engine();
    }

    /**
     * Connects, loads with {@code workload} for warm-up plus measurement, closes the connections, and returns the
     * window's figures. {@code progress} receives a status line about twice a second, or may be null.
     *
     * @throws IOException when the connections cannot be opened (nothing is left open)
     */
    public LoadResult run(LoadSettings settings, Workload workload, LoadWindow window, ProgressLine progress)
            throws IOException, InterruptedException {
        ConnectionBatch batch = new ConnectionBatch();
        LoadSession[] sessions = new LoadSession[settings.connections()];
        List<Connection> open = connect(settings.server(), settings.connections(),
                i -> sessions[i] = workload.newSession(batch, i, settings.depth()), batch);
        try {
            for (int i = 0; i < sessions.length; i++) {
                sessions[i].start(open.get(i));
            }
            await(batch, progress, "warm-up", settings.warmup(), null, window);
            Histogram latency = new Histogram(ConnectionBatch.HIGHEST_LATENCY_NANOS, 3);
            batch.latencies.reset();
            long startCount = batch.requests.sum();
            long startBytes = batch.bytes.sum();
            long start = System.nanoTime();
            window.opened();
            await(batch, progress, "measure", settings.measure(), latency, window);
            window.closing();
            long count = batch.requests.sum() - startCount;
            long bytes = batch.bytes.sum() - startBytes;
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram last = batch.latencies.getIntervalHistogram();
            latency.add(last);
            window.interval(seconds, last);
            if (progress != null) {
                progress.finish();
            }
            return new LoadResult(count, bytes, seconds, batch.errors.get(), batch.firstError.get(), latency);
        } finally {
            batch.abortAll(open);
        }
    }

    /**
     * Lets the load run for {@code length}, updating the progress line; when {@code latency} is given, moves
     * the recorded latencies into it as it goes (and shows its p99), telling {@code window} of each interval.
     */
    private static void await(ConnectionBatch batch, ProgressLine progress, String phase, Duration length,
                              Histogram latency, LoadWindow window) throws InterruptedException {
        long begin = System.nanoTime();
        long end = begin + length.toNanos();
        long lastCount = batch.requests.sum();
        long lastTime = begin;
        for (long now = begin; now < end; ) {
            Thread.sleep(Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(end - now))));
            now = System.nanoTime();
            long count = batch.requests.sum();
            double rate = (count - lastCount) / ((now - lastTime) / 1e9);
            lastCount = count;
            lastTime = now;
            String p99 = "";
            if (latency != null) {
                Histogram interval = batch.latencies.getIntervalHistogram();
                latency.add(interval);
                window.interval((now - begin) / 1e9, interval);
                p99 = String.format("  p99 %,.0f µs", latency.getValueAtPercentile(99) / 1000.0);
            }
            if (progress != null) {
                progress.update(String.format("%s %.1f/%.1f s  %,.0f req/s%s  errors %d", phase,
                        (now - begin) / 1e9, length.toMillis() / 1000.0, rate, p99, batch.errors.get()));
            }
        }
    }

    /**
     * Opens {@code count} connections that send nothing, for weighing what an idle connection costs the server.
     *
     * @throws IOException when they cannot all be opened (nothing is left open)
     */
    public IdleConnections openIdle(InetSocketAddress server, int count) throws IOException, InterruptedException {
        ConnectionBatch batch = new ConnectionBatch();
        return new IdleConnections(batch, connect(server, count, i -> new IdleConnections.Idle(batch), batch));
    }

    /**
     * Opens {@code count} connections, at most {@link #CONNECTS_IN_FLIGHT} connecting at once and no faster than
     * the server accepts them ({@link AcceptQueue}), all within {@link #openingTimeoutNanos}.
     */
    private List<Connection> connect(InetSocketAddress server, int count, IntFunction<ProtocolHandler> handlers,
                                     ConnectionBatch batch) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + openingTimeoutNanos(count);
        List<CompletableFuture<Connection>> pending = new ArrayList<>(count);
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        AcceptQueue acceptQueue = new AcceptQueue(server.getPort());
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            if (i % CONNECTS_PER_QUEUE_CHECK == 0) {
                acceptQueue.awaitRoom(deadline - System.nanoTime());
            }
            if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            CompletableFuture<Connection> f = client.connect(server, handlers.apply(i));
            f.whenComplete((c, e) -> inFlight.release());
            pending.add(f);
        }
        List<Connection> open = new ArrayList<>(count);
        IOException failure = null;
        for (CompletableFuture<Connection> f : pending) {
            try {
                open.add(f.get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(
                        CONNECT_TIMEOUT_SECONDS), TimeUnit.NANOSECONDS));
            } catch (ExecutionException | TimeoutException e) {
                if (failure == null) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    failure = new IOException("cannot connect to " + server + " (" + open.size() + " of " + count
                            + " connections open): " + cause, cause);
                }
                f.thenAccept(late -> late.abort(null)); // opened after all: not left open
            }
        }
        if (failure == null && open.size() < count) {
            failure = new IOException("the server at " + server + " accepted only " + open.size() + " of " + count
                    + " connections in " + TimeUnit.NANOSECONDS.toSeconds(openingTimeoutNanos(count))
                    + " s: it accepts too slowly for this many");
        }
        if (failure != null) {
            batch.abortAll(open);
            throw failure;
        }
        return open;
    }

    /** Time for opening {@code count} connections: a minute, and a second more per 200 beyond 10,000. */
    static long openingTimeoutNanos(int count) {
        return TimeUnit.SECONDS.toNanos(60 + Math.max(0, count - 10_000) / 200);
    }

    @Override
    public void close() {
        client.close();
    }
}
