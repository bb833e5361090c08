package io.proactor.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything an engine needs to run protocol clients; built by {@link ProtocolClient#builder()}.
 * {@link ThreadingModel#MAIN_SUB} means {@code threads} I/O loops with connections spread over them;
 * {@link ThreadingModel#REUSEPORT} is a server-side model and is refused.
 *
 * @param model          threading model
 * @param threads        I/O loops (or workers for WORKER_POOL); ignored by SINGLE
 * @param options        per-connection options
 * @param connectTimeout how long a connect may take
 */
public record ClientSpec(ThreadingModel model, int threads, ConnectionOptions options, Duration connectTimeout) {

    public ClientSpec {
        Objects.requireNonNull(model, "'model' is null");
        Objects.requireNonNull(options, "'options' is null");
        Objects.requireNonNull(connectTimeout, "'connectTimeout' is null");
        if (model == ThreadingModel.REUSEPORT) {
            throw new IllegalArgumentException(
                    "REUSEPORT is a server-side model; use MAIN_SUB for a client with several I/O loops");
        }
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("'threads' must be between 1 and 1024, was " + threads);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("'connectTimeout' must be positive, was " + connectTimeout);
        }
    }

    /** I/O loops: 1 for SINGLE and WORKER_POOL, otherwise {@code threads}. */
    public int ioThreads() {
        return model == ThreadingModel.SINGLE || model == ThreadingModel.WORKER_POOL ? 1 : threads;
    }
}
