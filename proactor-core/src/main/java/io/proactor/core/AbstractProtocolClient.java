package io.proactor.core;

import io.proactor.Engine;
import io.proactor.protocol.ClientSpec;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * What every engine's {@link ProtocolClient} keeps the same way: its spec, its connections (each removes
 * itself when it closes), the worker pool of the WORKER_POOL model, and the flag that refuses new connects
 * once {@code close} began.
 *
 * <p><b>Threading.</b> Any thread may call any method.
 */
public abstract class AbstractProtocolClient implements ProtocolClient {

    protected final Engine engine;
    protected final ClientSpec spec;
    protected final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** The callback threads of the WORKER_POOL model, or {@code null} (and always for engines without loops). */
    protected final WorkerPool workers;
    protected volatile boolean closing;

    protected AbstractProtocolClient(Engine engine, ClientSpec spec, boolean usesWorkers) {
        this.engine = engine;
        this.spec = spec;
        this.workers = usesWorkers && spec.model() == ThreadingModel.WORKER_POOL
                ? new WorkerPool(spec.threads(), "client-" + engine.name() + "-worker") : null;
    }

    /** Checks {@code connect}'s arguments and that the client is not closed. */
    protected final void checkConnect(SocketAddress remote, ProtocolHandler handler) {
        Objects.requireNonNull(remote, "'remote' is null");
        Objects.requireNonNull(handler, "'handler' is null");
        if (closing) {
            throw new IllegalStateException("the client is closed");
        }
    }

    /** The worker for a new connection's callbacks, or {@code null}: they run on its loop. */
    protected final Executor nextWorker() {
        return workers == null ? null : workers.next();
    }

    /** Stops the workers, if any; after the loops, so that callbacks they queued still run. */
    protected final void closeWorkers() {
        if (workers != null) {
            workers.close();
        }
    }

    @Override
    public final Engine engine() {
        return engine;
    }
}
