package io.proactor.tests;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** Protocol handlers used by the protocol suite. */
public final class Handlers {

    private Handlers() {
    }

    /** Writes back what it reads. */
    public static final class Echo implements ProtocolHandler {
        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            connection.write(data);
        }
    }

    /** Collects what it reads; {@link #received(int)} completes once that many bytes arrived. */
    public static final class Collector implements ProtocolHandler {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private CompletableFuture<byte[]> waiting;
        private int wanted;
        public final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        public final CompletableFuture<Void> inputClosed = new CompletableFuture<>();
        public volatile String callbackThread;

        public synchronized CompletableFuture<byte[]> received(int size) {
            waiting = new CompletableFuture<>();
            wanted = size;
            check();
            return waiting;
        }

        private void check() {
            if (waiting != null && bytes.size() >= wanted) {
                waiting.complete(bytes.toByteArray());
                waiting = null;
            }
        }

        @Override
        public void onOpen(Connection connection) {
            callbackThread = Thread.currentThread().getName();
        }

        @Override
        public synchronized void onRead(Connection connection, ByteBuffer data) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            bytes.writeBytes(chunk);
            check();
        }

        @Override
        public void onInputClosed(Connection connection) {
            inputClosed.complete(null);
            connection.close();
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            closed.complete(cause);
            synchronized (this) {
                if (waiting != null) {
                    waiting.completeExceptionally(new AssertionError("closed after " + bytes.size()
                            + " of " + wanted + " bytes", cause));
                }
            }
        }
    }
}
