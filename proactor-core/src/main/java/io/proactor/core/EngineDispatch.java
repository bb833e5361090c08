package io.proactor.core;

import io.proactor.Engine;
import io.proactor.EngineLookup;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolLookup;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import io.proactor.spi.AsynchronousChannelProvider;
import io.proactor.spi.EngineProvider;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The API's way to the engines ({@link EngineLookup}, {@link ProtocolLookup}): loads every
 * {@link EngineProvider} with {@link ServiceLoader} and hands each call to the provider behind the
 * {@link Engine} it is given. Registered for both services in this module's {@code module-info} and
 * {@code META-INF/services}; the engines a user holds are the providers themselves, so an engine made with
 * {@code new} (a baseline not registered, such as {@code PlatformThreadEngine}) works too.
 *
 * <p><b>Threading.</b> Stateless apart from the provider list, loaded once; any thread.
 */
public final class EngineDispatch implements EngineLookup, ProtocolLookup {

    private static final class Loaded {
        static final List<Engine> ALL = ServiceLoader.load(EngineProvider.class, EngineDispatch.class.getClassLoader())
                .stream()
                .map(ServiceLoader.Provider::get)
                .map(Engine.class::cast)
                .toList();
    }

    /** For {@link ServiceLoader}. */
    public EngineDispatch() {
    }

    @Override
    public List<Engine> engines() {
        return Loaded.ALL;
    }

    @Override
    public ProactorGroup openProactorGroup(Engine engine, ProactorGroupConfig config) {
        if (provider(engine) instanceof AsynchronousChannelProvider channels) {
            return channels.openProactorGroup(Objects.requireNonNull(config, "'config' is null"));
        }
        throw new IllegalArgumentException("engine '" + engine.name() + "' is a readiness engine: it runs protocol "
                + "handlers (ProtocolServer, ProtocolClient) only and has no asynchronous channels; use a "
                + "completion-based engine (features().completionBased()) such as nio2 or io_uring");
    }

    @Override
    public ProtocolServer startServer(Engine engine, ServerSpec spec) throws IOException {
        return provider(engine).startServer(Objects.requireNonNull(spec, "'spec' is null"));
    }

    @Override
    public ProtocolClient startClient(Engine engine, ClientSpec spec) {
        return provider(engine).startClient(Objects.requireNonNull(spec, "'spec' is null"));
    }

    private static EngineProvider provider(Engine engine) {
        Objects.requireNonNull(engine, "'engine' is null");
        if (engine instanceof EngineProvider provider) {
            return provider;
        }
        throw new IllegalArgumentException("'" + engine.name() + "' (" + engine.getClass().getName()
                + ") is not an engine: an engine implements io.proactor.spi.EngineProvider; get one from Engines");
    }
}
