package io.proactor.reactor;

import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;
import java.util.Objects;

/**
 * The classic Reactor on {@link java.nio.channels.Selector} (epoll on Linux): a loop waits for readiness, then
 * performs the {@code read(2)}/{@code write(2)} itself and calls the protocol handler, the same handler the
 * Proactor engines complete into. Files go out with {@code FileChannel.transferTo} ({@code sendfile(2)}).
 *
 * <p>Runs protocol handlers only: a readiness engine has no asynchronous channel API, so
 * it implements no {@link io.proactor.spi.AsynchronousChannelProvider}. Always available; its priority is below the completion-based engines
 * so that {@link io.proactor.Engines#best()} stays a Proactor.
 *
 * <p><b>Threading.</b> Stateless; safe to use from any thread.
 */
public final class ReactorEngine extends ReadinessEngine {

    public static final String NAME = "reactor";

    /** For {@link java.util.ServiceLoader}; the engine is stateless. */
    public ReactorEngine() {
        super(NAME, 5);
    }

    @Override
    public ProtocolServer startServer(ServerSpec spec) throws IOException {
        return ReactorProtocolServer.start(this, Objects.requireNonNull(spec, "'spec' is null"));
    }

    @Override
    public ProtocolClient startClient(ClientSpec spec) {
        return new ReactorProtocolClient(this, Objects.requireNonNull(spec, "'spec' is null"));
    }
}
