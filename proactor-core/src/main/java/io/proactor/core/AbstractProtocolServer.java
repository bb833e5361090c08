package io.proactor.core;

import io.proactor.Engine;
import io.proactor.ProactorMetrics;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ServerSpec;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every engine's {@link ProtocolServer} keeps the same way: its spec, the connections it serves (each
 * removes itself when it closes), its send timeout, the address it listens on, and the flag that turns new
 * connections away once {@code close} began. {@link LoopProtocolServer} adds what the loop-based engines share.
 *
 * <p><b>Threading.</b> Any thread may call any method.
 */
public abstract class AbstractProtocolServer implements ProtocolServer {

    protected final Engine engine;
    protected final ServerSpec spec;
    protected final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** The send timeout its connections are watched by (see {@link SendTimeouts}), and its count. */
    protected final SendTimeouts sendTimeouts;
    protected volatile boolean closing;
    private volatile InetSocketAddress localAddress;

    protected AbstractProtocolServer(Engine engine, ServerSpec spec) {
        this.engine = engine;
        this.spec = spec;
        this.sendTimeouts = new SendTimeouts(spec.sendTimeout());
    }

    /** How many event loops the threading model asks for. */
    protected final int loopCount() {
        return switch (spec.model()) {
            case SINGLE, WORKER_POOL -> 1;
            case MAIN_SUB -> 1 + spec.threads();
            case REUSEPORT -> spec.threads();
        };
    }

    /** Binds the listeners (and makes the loops that serve them); on failure {@link #started} closes the server. */
    protected abstract void listen() throws IOException;

    /** {@code server}, listening; or, if it cannot listen, closed with what it made so far, and the failure thrown. */
    protected static ProtocolServer started(AbstractProtocolServer server) throws IOException {
        try {
            server.listen();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** A listener was bound to {@code address}: the first one is the server's address. */
    protected final void bound(InetSocketAddress address) {
        if (localAddress == null) {
            localAddress = address;
        }
    }

    @Override
    public final InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public final Engine engine() {
        return engine;
    }

    @Override
    public final ThreadingModel model() {
        return spec.model();
    }

    @Override
    public final int connectionCount() {
        return connections.size();
    }

    /** A server without event loops reports its send timeouts only. */
    @Override
    public ProactorMetrics metrics() {
        return ProactorMetrics.notAvailable(engine.name()).withSendTimeouts(sendTimeouts.expired());
    }

    @Override
    public String toString() {
        return "ProtocolServer[" + engine.name() + ", " + spec.model().label() + ", " + localAddress + "]";
    }
}
