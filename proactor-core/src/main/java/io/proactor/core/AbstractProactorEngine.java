package io.proactor.core;

import io.proactor.EngineUnavailableException;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import io.proactor.spi.AsynchronousChannelProvider;
import io.proactor.spi.EngineProvider;
import java.io.IOException;
import java.util.Objects;

/**
 * Base of completion-based engines: availability is checked once, groups are opened by the engine, and
 * protocol handlers run on the engine-independent Proactor runner ({@link ProactorProtocolServer},
 * {@link ProactorProtocolClient}), which uses nothing but the public asynchronous channel API.
 */
public abstract class AbstractProactorEngine implements EngineProvider, AsynchronousChannelProvider {

    /** Opens a group; availability was already checked. */
    protected abstract DefaultProactorGroup openGroup(ProactorGroupConfig config);

    /**
     * {@inheritDoc} Typed as the group of {@link ProactorLoop}s it is, for the protocol runtime, which runs its
     * connections on those loops.
     */
    @Override
    public final DefaultProactorGroup openProactorGroup(ProactorGroupConfig config) {
        Objects.requireNonNull(config, "'config' is null");
        if (!isAvailable()) {
            Throwable cause = unavailabilityCause();
            throw new EngineUnavailableException("engine '" + name() + "' is not available: "
                    + (cause == null ? "no reason given" : cause.getMessage()), cause);
        }
        return openGroup(config);
    }

    @Override
    public ProtocolServer startServer(ServerSpec spec) throws IOException {
        return ProactorProtocolServer.start(this, spec);
    }

    @Override
    public ProtocolClient startClient(ClientSpec spec) {
        return ProactorProtocolClient.start(this, spec);
    }

    @Override
    public String toString() {
        return name();
    }
}
