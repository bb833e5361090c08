package io.proactor.samples.http;

import io.proactor.Engine;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static file server: one {@link HttpConnection} protocol handler per connection, on any engine and
 * threading model, plus one timer thread that enforces the timeouts.
 *
 * <p><b>Timeouts.</b> The {@code Connection} API has no timer, so the server owns one thread that every
 * {@code tick} looks at each connection's deadline (a volatile field the connection sets on its own thread)
 * and hands an expired one back to that connection's thread through {@code Connection.executor()}, where it
 * is checked again and acted on. Requests never touch the timer thread: arming a timeout costs a field write.
 *
 * <p><b>Threading.</b> {@link #close()} may be called from any thread; it stops the engine's server (every
 * connection closed) and then ends the timer thread, waiting for both.
 */
public final class HttpFileServer implements AutoCloseable {

    /** The SLF4J logger of the access log (one INFO line per request, when the config turns it on). */
    public static final String ACCESS_LOGGER = "io.proactor.http.access";

    private static final Logger LOG = LoggerFactory.getLogger(HttpFileServer.class);

    final HttpServerConfig config;
    final HttpPathResolver resolver;
    final Logger accessLog;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admitted = new AtomicInteger();
    private final ScheduledExecutorService timer;
    private final ProtocolServer server;

    private HttpFileServer(HttpServerConfig config, HttpPathResolver resolver, ScheduledExecutorService timer,
                           Engine engine, ThreadingModel model, int threads, InetSocketAddress address)
            throws IOException {
        this.config = config;
        this.resolver = resolver;
        this.accessLog = config.accessLog() ? LoggerFactory.getLogger(ACCESS_LOGGER) : null;
        this.timer = timer;
        this.server = ProtocolServer.builder().engine(engine).model(model).threads(threads).backlog(config.backlog())
                .sendTimeout(config.sendTimeout()).handler(() -> new HttpConnection(this)).bind(address);
    }

    /**
     * Starts serving {@code config.root()} on {@code address}.
     *
     * @throws IOException the root is not a readable directory, or the address cannot be bound
     */
    public static HttpFileServer start(HttpServerConfig config, Engine engine, ThreadingModel model, int threads,
                                       InetSocketAddress address) throws IOException {
        Objects.requireNonNull(config, "'config' is null");
        Objects.requireNonNull(engine, "'engine' is null");
        Objects.requireNonNull(model, "'model' is null");
        Objects.requireNonNull(address, "'address' is null");
        HttpPathResolver resolver = new HttpPathResolver(config.root(), config.fileCacheValidity());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http-timeouts");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpFileServer s = new HttpFileServer(config, resolver, timer, engine, model, threads, address);
            long tick = tickMillis(config);
            timer.scheduleWithFixedDelay(s::expireDeadlines, tick, tick, TimeUnit.MILLISECONDS);
            return s;
        } catch (IOException | RuntimeException | Error e) {
            stop(timer);
            throw e;
        }
    }

    /** A quarter of the shortest timeout, between 5 ms and 1 s: a timeout fires at most 25% late. */
    private static long tickMillis(HttpServerConfig config) {
        long shortest = Math.min(config.headerTimeout().toMillis(), config.idleTimeout().toMillis());
        return Math.max(5, Math.min(1000, shortest / 4));
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public ProtocolServer protocolServer() {
        return server;
    }

    public HttpServerConfig config() {
        return config;
    }

    /** Connections open right now (including any being refused with 503). */
    public int connectionCount() {
        return connections.size();
    }

    /** Registers a new connection; {@code false} when it is over {@code maxConnections} and must be refused. */
    boolean admit(HttpConnection c) {
        connections.add(c);
        return admitted.incrementAndGet() <= config.maxConnections();
    }

    void closed(HttpConnection c) {
        if (connections.remove(c)) {
            admitted.decrementAndGet();
        }
    }

    private void expireDeadlines() {
        long now = System.nanoTime();
        for (HttpConnection c : connections) {
            if (c.expiredAt(now)) {
                try {
                    c.connection().executor().execute(c::onDeadline);
                } catch (RejectedExecutionException e) {
                    LOG.debug("connection's loop has ended; its close is under way", e);
                }
            }
        }
    }

    /** Runs {@code task} every {@code period} on the server's timer thread until the server closes. */
    public void every(Duration period, Runnable task) {
        long millis = period.toMillis();
        timer.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("a periodic task of the file server failed", e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.close();
        stop(timer);
        resolver.close(); // after the connections: each send holds its own reference, so none is cut short
    }

    private static void stop(ScheduledExecutorService timer) {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the http-timeouts thread did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
