package io.proactor.spi;

import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;

/**
 * An I/O engine, discovered with {@link java.util.ServiceLoader} (register the implementation in
 * {@code META-INF/services/io.proactor.spi.Engine}); users pick one through {@link io.proactor.Engines}.
 *
 * <p>A completion-based engine ({@link EngineFeatures#completionBased()}) supplies proactor groups, whose
 * proactors run on its {@link AsynchronousOperationProcessor} and {@link CompletionEventQueue}. Every engine
 * runs the engine-neutral protocol handlers through {@link #startServer} and {@link #startClient}.
 *
 * <p><b>Threading.</b> Implementations are stateless singletons, safe to use from any thread.
 */
public interface Engine {

    /** A short lower-case name users type, e.g. {@code nio2} or {@code io_uring}. */
    String name();

    /** Preference when several engines are available: higher wins. */
    int priority();

    /** {@code true} when this engine works on this machine right now. */
    boolean isAvailable();

    /** Why this engine is not available (with what to change), or {@code null} when it is. */
    Throwable unavailabilityCause();

    EngineFeatures features();

    /**
     * What this engine found on this machine that users may want to know (for example how an io_uring engine
     * provides receive buffers), for {@code ./proactor engines} and logs; {@code null} when there is nothing
     * to add.
     */
    default String details() {
        return null;
    }

    /**
     * Opens a proactor group.
     *
     * @throws UnsupportedOperationException for a readiness-based engine
     * @throws io.proactor.EngineUnavailableException if the engine cannot run here
     */
    ProactorGroup newProactorGroup(ProactorGroupConfig config);

    /** Starts a server running the protocol handlers of {@code spec}; bound and accepting on return. */
    ProtocolServer startServer(ServerSpec spec) throws IOException;

    /** Starts a client whose connections run protocol handlers. */
    ProtocolClient startClient(ClientSpec spec);
}
