package io.proactor.protocol;

import io.proactor.Engine;
import java.io.IOException;

/**
 * How the protocol builders reach an engine's protocol runtime without naming the provider types of
 * {@code io.proactor.spi} (a package that depends on this one and never the other way). Implemented once, by
 * {@code proactor-core}, which every engine module brings, and found with {@link java.util.ServiceLoader}. Applications
 * do not implement or call it.
 *
 * <p><b>Threading.</b> Stateless; any thread.
 */
public interface ProtocolLookup {

    /** Starts a server running the protocol handlers of {@code spec} on {@code engine}; bound on return. */
    ProtocolServer startServer(Engine engine, ServerSpec spec) throws IOException;

    /** Starts a client on {@code engine} whose connections run protocol handlers. */
    ProtocolClient startClient(Engine engine, ClientSpec spec);
}
