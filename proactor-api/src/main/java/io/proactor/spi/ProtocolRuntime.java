package io.proactor.spi;

import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;

/**
 * Runs the engine-neutral protocol handlers ({@link io.proactor.protocol.ProtocolHandler}) on one engine:
 * what {@code ProtocolServer.builder()} and {@code ProtocolClient.builder()} start. Every engine provides it.
 *
 * <p><b>Threading.</b> Any thread may call; the server or client returned has its own threads.
 */
public interface ProtocolRuntime {

    /** Starts a server running the protocol handlers of {@code spec}; bound and accepting on return. */
    ProtocolServer startServer(ServerSpec spec) throws IOException;

    /** Starts a client whose connections run protocol handlers. */
    ProtocolClient startClient(ClientSpec spec);
}
