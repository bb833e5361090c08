package io.proactor.protocol;

import io.proactor.Engine;
import io.proactor.Engines;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens connections whose I/O runs on one engine and whose bytes go to protocol handlers.
 *
 * <p><b>Threading.</b> Any thread may call any method. The future of {@link #connect} completes after the
 * handler's {@code onOpen} ran. {@link #close()} closes every connection and waits for the threads to end.
 */
public interface ProtocolClient extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code remote}; the connection's bytes go to {@code handler}. Fails with
     * {@link java.net.ConnectException} when refused and
     * {@link java.nio.channels.InterruptedByTimeoutException} after the connect timeout.
     */
    CompletableFuture<Connection> connect(SocketAddress remote, ProtocolHandler handler);

    Engine engine();

    @Override
    void close();

    /** Collects the settings of a client; {@link #build} starts its threads. */
    final class Builder {
        private Engine engine;
        private ThreadingModel model = ThreadingModel.SINGLE;
        private int threads = 1;
        private ConnectionOptions options = ConnectionOptions.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(10);

        Builder() {
        }

        public Builder engine(Engine e) {
            this.engine = Objects.requireNonNull(e, "'engine' is null");
            return this;
        }

        public Builder model(ThreadingModel m) {
            this.model = Objects.requireNonNull(m, "'model' is null");
            return this;
        }

        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        public Builder options(ConnectionOptions o) {
            this.options = Objects.requireNonNull(o, "'options' is null");
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "'connectTimeout' is null");
            return this;
        }

        public ProtocolClient build() {
            ClientSpec spec = new ClientSpec(model, threads, options, connectTimeout);
            return ProtocolLookups.get().startClient(engine == null ? Engines.best() : engine, spec);
        }
    }
}
