package io.proactor.protocol;

import java.net.InetSocketAddress;
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
 */
public record ServerSpec(InetSocketAddress bindAddress, ThreadingModel model, int threads,
                         Supplier<? extends ProtocolHandler> handlers, ConnectionOptions options, int backlog,
                         StallWatch stallWatch) {

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
    }

    /** Loops the server runs for I/O: 1 for SINGLE and WORKER_POOL, otherwise {@code threads}. */
    public int ioThreads() {
        return model == ThreadingModel.SINGLE || model == ThreadingModel.WORKER_POOL ? 1 : threads;
    }
}
