package io.proactor.reactor;

import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;
import java.util.Objects;

/**
 * Thread-per-connection on virtual threads with blocking socket calls, the reference point for both the
 * Reactor and the Proactor: the JDK parks a virtual thread whose socket is not ready and its poller (epoll)
 * unparks it, so each connection reads like blocking code. Files go out with {@code FileChannel.transferTo}.
 *
 * <p>The threading model only shapes accepting (REUSEPORT: one listener per thread; otherwise one); callbacks
 * always run on the connection's own virtual thread. Runs protocol handlers only: it implements no
 * {@link io.proactor.spi.AsynchronousChannelProvider}. Always available (Java 21+), lowest priority.
 *
 * <p><b>Threading.</b> Stateless; safe to use from any thread.
 */
public final class VirtualThreadEngine extends ReadinessEngine {

    public static final String NAME = "virtual-threads";

    /** For {@link java.util.ServiceLoader}; the engine is stateless. */
    public VirtualThreadEngine() {
        super(NAME, 1);
    }

    @Override
    public ProtocolServer startServer(ServerSpec spec) throws IOException {
        return VirtualThreadProtocolServer.start(this, Objects.requireNonNull(spec, "'spec' is null"));
    }

    @Override
    public ProtocolClient startClient(ClientSpec spec) {
        return new VirtualThreadProtocolClient(this, Objects.requireNonNull(spec, "'spec' is null"));
    }
}
