package io.proactor.protocol;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything an engine needs to run a protocol server; built by {@link ProtocolServer#builder()}.
 *
 * @param bindAddress where to listen (port 0: any free port)
 * @param model       threading model
 * @param threads     I/O loops (or workers for {@link ThreadingModel#WORKER_POOL}); ignored by SINGLE
 * @param handlers    makes the handler of each new connection
 * @param options     per-connection options
 * @param backlog     listen backlog of each listener (0: the default, the kernel's {@code somaxconn}; see
 *                    {@code ListenBacklog.forListen})
 * @param stallWatch  how threads kept busy by a blocking callback are reported
 * @param sendTimeout how long a connection's queued output may make no progress (not one byte reaching the
 *                    socket) before the connection is closed ({@link SendTimeoutException}); {@link Duration#ZERO}
 *                    turns the timeout off; see {@link ProtocolServer.Builder#sendTimeout}
 */
public record ServerSpec(InetSocketAddress bindAddress, ThreadingModel model, int threads,
                         Supplier<? extends ProtocolHandler> handlers, ConnectionOptions options, int backlog,
                         StallWatch stallWatch, Duration sendTimeout) {

    /** The send timeout of a server that does not set one: 60 s, nginx's {@code send_timeout}. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);

    /** The shortest send timeout accepted (other than zero, off): shorter ones cannot be timed that finely. */
    public static final Duration MIN_SEND_TIMEOUT = Duration.ofMillis(10);

    public ServerSpec {
        Objects.requireNonNull(bindAddress, "'bindAddress' is null");
        Objects.requireNonNull(model, "'model' is null");
        Objects.requireNonNull(handlers, "'handlers' is null: give a supplier of protocol handlers");
        Objects.requireNonNull(options, "'options' is null");
        Objects.requireNonNull(stallWatch, "'stallWatch' is null: use StallWatch.OFF to turn it off");
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("'threads' must be between 1 and 1024, was " + threads);
        }
        if (backlog < 0) {
            throw new IllegalArgumentException("'backlog' must be >= 0, was " + backlog);
        }
        checkSendTimeout(sendTimeout);
    }

    /** A spec with the {@linkplain #DEFAULT_SEND_TIMEOUT default send timeout}. */
    public ServerSpec(InetSocketAddress bindAddress, ThreadingModel model, int threads,
                      Supplier<? extends ProtocolHandler> handlers, ConnectionOptions options, int backlog,
                      StallWatch stallWatch) {
        this(bindAddress, model, threads, handlers, options, backlog, stallWatch, DEFAULT_SEND_TIMEOUT);
    }

    /** Whether connections are closed when their output makes no progress. */
    public boolean sendTimeoutOn() {
        return !sendTimeout.isZero();
    }

    static void checkSendTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "'sendTimeout' is null: use Duration.ZERO to turn the send timeout off");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("'sendTimeout' must not be negative (Duration.ZERO: off), was "
                    + timeout);
        }
        if (!timeout.isZero() && timeout.compareTo(MIN_SEND_TIMEOUT) < 0) {
            throw new IllegalArgumentException("'sendTimeout' must be at least " + MIN_SEND_TIMEOUT.toMillis()
                    + " ms, or Duration.ZERO for off, was " + timeout);
        }
        if (timeout.getSeconds() > 365L * 24 * 3600) { // past this, toNanos() would come near overflowing
            throw new IllegalArgumentException("'sendTimeout' must be at most 365 days, was " + timeout);
        }
    }

    /** Loops the server runs for I/O: 1 for SINGLE and WORKER_POOL, otherwise {@code threads}. */
    public int ioThreads() {
        return model == ThreadingModel.SINGLE || model == ThreadingModel.WORKER_POOL ? 1 : threads;
    }
}
