package io.proactor.reactor;

import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import java.io.IOException;
import java.util.Objects;

/**
 * The classic first server model: blocking thread-per-connection on <em>platform</em> threads, a reader and a
 * writer thread per connection, each blocking in the kernel. The same code as {@link VirtualThreadEngine}
 * with the other kind of thread, so that the two compare on threads alone: a platform thread costs a kernel
 * task and a stack, and a blocking file read stalls only its own connection.
 *
 * <p>Not registered with {@link java.util.ServiceLoader} (not in {@link io.proactor.Engines}): it exists as a
 * baseline for the demo's measurements, and listing it would pair it with every engine in every protocol test
 * suite. Create it with {@code new PlatformThreadEngine()}.
 *
 * <p><b>Threading.</b> Stateless; safe to use from any thread.
 */
public final class PlatformThreadEngine extends ReadinessEngine {

    public static final String NAME = "platform-threads";

    /** The engine is stateless: any instance serves. */
    public PlatformThreadEngine() {
        super(NAME, 0);
    }

    @Override
    public ProtocolServer startServer(ServerSpec spec) throws IOException {
        return VirtualThreadProtocolServer.start(this, Objects.requireNonNull(spec, "'spec' is null"), false);
    }

    @Override
    public ProtocolClient startClient(ClientSpec spec) {
        return new VirtualThreadProtocolClient(this, Objects.requireNonNull(spec, "'spec' is null"), false);
    }
}
