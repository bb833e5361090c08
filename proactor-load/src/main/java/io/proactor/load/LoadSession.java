package io.proactor.load;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;

/**
 * One loaded connection, whatever it sends: keeps {@code depth} requests in flight, records the latency of each
 * answer in its {@link ConnectionBatch}, and counts a connection lost or a wrong answer as an error. A
 * {@link Workload} supplies what a request is ({@link #send}) and how an answer is checked ({@code onRead},
 * which calls {@link #answered} for each verified answer and {@link #fail} for a wrong one). Its callbacks run on
 * the client's single proactor thread.
 */
abstract class LoadSession implements ProtocolHandler {

    final ConnectionBatch batch;
    final int id;
    /** Send times of the requests in flight, in order (answers come back in the order sent). */
    private final long[] sentAt;
    private long sent;
    long received;
    /** Set when we abort it for a wrong answer: its closing is then not a second error. */
    boolean abandoned;

    LoadSession(ConnectionBatch batch, int id, int depth) {
        this.batch = batch;
        this.id = id;
        this.sentAt = new long[depth];
    }

    /** Writes one request. */
    abstract void send(Connection c);

    /** How far it got, for the error of a connection the server closed. */
    abstract String progress();

    /**
     * Sends the first {@code depth} requests, on the connection's thread. The load calls it once every connection
     * of the run is open, so that a server accepting its last connections is not already loaded by the first.
     */
    final void start(Connection c) {
        c.executor().execute(() -> {
            for (int i = 0; i < sentAt.length; i++) {
                sendOne(c);
            }
        });
    }

    private void sendOne(Connection c) {
        sentAt[(int) (sent++ % sentAt.length)] = System.nanoTime();
        send(c);
    }

    /** The oldest request in flight is answered, and verified: record it and send the next. */
    final void answered(Connection c) {
        batch.answered(System.nanoTime() - sentAt[(int) (received++ % sentAt.length)]);
        sendOne(c);
    }

    /** A wrong answer: counted, and the connection aborted. */
    final void fail(Connection c, String message) {
        batch.error(message);
        abandoned = true;
        c.abort(null);
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
        batch.closed.incrementAndGet();
        if (!batch.stopping && !abandoned) {
            batch.error("connection " + id + " closed by the server after " + progress()
                    + (cause == null ? "" : ": " + cause));
        }
    }
}
