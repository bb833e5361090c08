package io.proactor.protocol;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.ProactorMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A running server whose connections are served by protocol handlers on one engine.
 *
 * <pre>{@code
 * try (ProtocolServer server = ProtocolServer.builder()
 *         .engine(Engines.best())
 *         .model(ThreadingModel.MAIN_SUB).threads(2)
 *         .handler(EchoHandler::new)
 *         .bind(new InetSocketAddress("127.0.0.1", 7007))) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Any thread may call any method. {@link #close()} stops accepting, closes every
 * connection (handlers see {@code onClose}), and waits for the engine's threads to end.
 */
public interface ProtocolServer extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /** The address the server listens on (with the real port when bound to port 0). */
    InetSocketAddress localAddress();

    Engine engine();

    ThreadingModel model();

    /** Connections open right now. */
    int connectionCount();

    /**
     * The sum of the {@linkplain io.proactor.Proactor#metrics() metrics} of the server's event loops, with the
     * stalls its watchdog reported on loops and workers and the connections its send timeout closed
     * ({@link ProactorMetrics#sendTimeouts()}). Any thread. A server without event loops (the
     * {@code virtual-threads} engine) reports {@link ProactorMetrics#notAvailable every other figure as -1}.
     */
    default ProactorMetrics metrics() {
        return ProactorMetrics.notAvailable(engine().name());
    }

    /** Stops the server and waits until all its threads have ended. Idempotent. */
    @Override
    void close();

    /** Collects the settings of a server; {@link #bind} starts it. */
    final class Builder {
        private Engine engine;
        private ThreadingModel model = ThreadingModel.SINGLE;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Supplier<? extends ProtocolHandler> handlers;
        private ConnectionOptions options = ConnectionOptions.DEFAULT;
        private int backlog;
        private StallWatch stallWatch = StallWatch.DEFAULT;
        private Duration sendTimeout = ServerSpec.DEFAULT_SEND_TIMEOUT;

        Builder() {
        }

        /** The engine; by default {@link Engines#best()}. */
        public Builder engine(Engine e) {
            this.engine = Objects.requireNonNull(e, "'engine' is null");
            return this;
        }

        public Builder model(ThreadingModel m) {
            this.model = Objects.requireNonNull(m, "'model' is null");
            return this;
        }

        /** I/O loops (MAIN_SUB, REUSEPORT) or workers (WORKER_POOL); default: available processors. */
        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        /** Makes the handler of each new connection. */
        public Builder handler(Supplier<? extends ProtocolHandler> factory) {
            this.handlers = Objects.requireNonNull(factory, "'handler' factory is null");
            return this;
        }

        public Builder options(ConnectionOptions o) {
            this.options = Objects.requireNonNull(o, "'options' is null");
            return this;
        }

        /**
         * The listen backlog of the server's listener (REUSEPORT: of each of them): how many connections the kernel
         * may complete and queue before the server accepts them. By default (and for 0) the kernel's own limit,
         * {@code net.core.somaxconn}, read once from {@code /proc/sys/net/core/somaxconn} (4096 on Linux since
         * 5.4), or 4096 where that cannot be read ({@code ListenBacklog}); a burst of connects
         * longer than the queue while the server is busy loses SYNs, which clients retry only after a second. A
         * value above the kernel's limit is clamped by the kernel (logged once at debug level). Negative values
         * are refused by {@link #bind}.
         */
        public Builder backlog(int n) {
            this.backlog = n;
            return this;
        }

        /** How the server reports threads kept busy by a blocking callback; {@link StallWatch#DEFAULT} by default. */
        public Builder stallWatch(StallWatch watch) {
            this.stallWatch = Objects.requireNonNull(watch, "'stallWatch' is null: use StallWatch.OFF to turn it off");
            return this;
        }

        /**
         * The send timeout, nginx's {@code send_timeout}: a connection whose queued output (bytes written or a file
         * being sent) makes no progress for this long, because the peer stopped reading, is closed at once: its
         * queued output is discarded, the socket closed (no {@code SO_LINGER} reset: what the kernel already holds is
         * its own business), the handler's {@code onClose} receives a {@link SendTimeoutException}, and
         * {@link ProactorMetrics#sendTimeouts()} counts it. The timer runs only while output is pending and restarts
         * whenever any of it reaches the socket, so a slow reader that keeps reading is never closed however long
         * its response takes. Checked by a periodic sweep (an event-loop timer per loop, a thread on the thread-per-
         * connection engines) every tenth of the timeout (at most every second), not a timer per write: a connection
         * is closed between the timeout and the timeout plus a fifth of it (2 s at most) after its last progress.
         * Default 60 s ({@link ServerSpec#DEFAULT_SEND_TIMEOUT}); {@link Duration#ZERO} turns it off; otherwise at
         * least 10 ms: a negative or shorter value is refused by {@link #bind}.
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = Objects.requireNonNull(timeout,
                    "'sendTimeout' is null: use Duration.ZERO to turn the send timeout off");
            return this;
        }

        /** Validates the settings, binds and starts accepting. */
        public ProtocolServer bind(InetSocketAddress address) throws IOException {
            ServerSpec spec = new ServerSpec(address, model, threads, handlers, options, backlog, stallWatch,
                    sendTimeout);
            return ProtocolLookups.get().startServer(engine == null ? Engines.best() : engine, spec);
        }

        /** Binds to {@code 127.0.0.1:port}. */
        public ProtocolServer bind(int port) throws IOException {
            return bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }

        /** Like {@link #bind(InetSocketAddress)}, with an unchecked exception for use in lambdas. */
        public ProtocolServer start(InetSocketAddress address) {
            try {
                return bind(address);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start server on " + address + ": " + e.getMessage(), e);
            }
        }
    }
}
