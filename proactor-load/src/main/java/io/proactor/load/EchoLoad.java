package io.proactor.load;

import io.proactor.protocol.Connection;
import java.nio.ByteBuffer;

/**
 * The echo workload: each connection sends messages of {@code size} bytes, each a run of the connection's own
 * {@link StreamPattern}, and checks every echoed byte against it; a message is answered when its last byte
 * came back.
 */
public final class EchoLoad extends Workload {

    private final int size;

    /** Messages of {@code size} bytes (1 to 1 MiB). */
    public EchoLoad(int size) {
        LoadSettings.check("size", size, 1, 1 << 20);
        this.size = size;
    }

    /** Bytes per message. */
    public int size() {
        return size;
    }

    @Override
    LoadSession newSession(ConnectionBatch batch, int connection, int depth) {
        return new EchoSession(batch, connection, size, depth);
    }

    private static final class EchoSession extends LoadSession {
        private final int size;
        private final ByteBuffer out;
        private long sentBytes;
        private long receivedBytes;

        EchoSession(ConnectionBatch batch, int id, int size, int depth) {
            super(batch, id, depth);
            this.size = size;
            this.out = ByteBuffer.allocate(size);
        }

        @Override
        void send(Connection c) {
            out.clear();
            for (int i = 0; i < size; i++) {
                out.put(StreamPattern.at(id, sentBytes + i));
            }
            sentBytes += size;
            c.write(out.flip());
        }

        @Override
        String progress() {
            return receivedBytes + " bytes";
        }

        @Override
        public void onRead(Connection c, ByteBuffer data) {
            batch.bytes.add(data.remaining()); // a mismatch fails the run, so counting them all up front is fine
            while (data.hasRemaining()) {
                byte b = data.get();
                byte expected = StreamPattern.at(id, receivedBytes);
                if (b != expected) {
                    fail(c, "echo mismatch on connection " + id + " at byte " + receivedBytes + ": expected "
                            + expected + ", got " + b);
                    return;
                }
                receivedBytes++;
                if (receivedBytes % size == 0) {
                    answered(c);
                }
            }
        }
    }
}
