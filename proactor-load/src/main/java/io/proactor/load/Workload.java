package io.proactor.load;

/**
 * What each connection of a load sends and how it checks the answers: echo messages ({@link EchoLoad}) or HTTP
 * GETs ({@link HttpLoad}). Immutable: one workload can drive many runs.
 */
public abstract sealed class Workload permits EchoLoad, HttpLoad {

    Workload() {
    }

    /** The handler of connection number {@code connection} of {@code batch}, keeping {@code depth} in flight. */
    abstract LoadSession newSession(ConnectionBatch batch, int connection, int depth);
}
