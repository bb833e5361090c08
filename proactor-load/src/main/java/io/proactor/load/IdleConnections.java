package io.proactor.load;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Connections that send nothing, held open until closed: for weighing what an idle connection costs the server.
 * Opened by {@link LoadGenerator#openIdle}.
 */
public final class IdleConnections implements AutoCloseable {

    private final ConnectionBatch batch;
    private final List<Connection> connections;

    IdleConnections(ConnectionBatch batch, List<Connection> connections) {
        this.batch = batch;
        this.connections = connections;
    }

    /** Bytes received or connections lost so far (an echo server sends nothing unasked). */
    public long errors() {
        return batch.errors.get();
    }

    /** What went wrong first, or {@code null}. */
    public String firstError() {
        return batch.firstError.get();
    }

    /** Aborts them all (a reset: the server sees the end at once). */
    @Override
    public void close() throws InterruptedException {
        batch.abortAll(connections);
    }

    /** An idle connection: sends nothing, expects nothing. */
    static final class Idle implements ProtocolHandler {
        private final ConnectionBatch batch;

        Idle(ConnectionBatch batch) {
            this.batch = batch;
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            batch.error("an idle connection received " + data.remaining() + " bytes");
        }

        @Override
        public void onClose(Connection c, Throwable cause) {
            batch.closed.incrementAndGet();
            if (!batch.stopping) {
                batch.error("an idle connection was closed by the server" + (cause == null ? "" : ": " + cause));
            }
        }
    }
}
