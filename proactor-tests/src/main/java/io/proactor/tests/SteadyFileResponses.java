package io.proactor.tests;

import io.proactor.Engine;
import io.proactor.SharedFile;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A file server's steady state, on one loop and one connection: for each one-byte request, an 8-byte head and
 * a shared file. Measures what the loop thread allocates per request once pools, caches and the JIT are warm.
 */
public final class SteadyFileResponses {

    private static final int REQUESTS = 5000;

    private SteadyFileResponses() {
    }

    /**
     * Bytes the loop thread of a {@link ThreadingModel#SINGLE} server on {@code engine} allocates per request,
     * over {@value #REQUESTS} requests after as many of warm-up, sending {@code file} with {@code mode}.
     */
    public static long loopBytesPerRequest(Engine engine, Path file, Connection.FileSendMode mode) throws Exception {
        SharedFile shared = SharedFile.open(file);
        int size = (int) shared.size();
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        ByteBuffer head = ByteBuffer.allocateDirect(8).put("HEAD1234".getBytes(StandardCharsets.US_ASCII)).flip();
        ProtocolHandler sender = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                loopThread.set(Thread.currentThread());
                data.position(data.limit());
                connection.write(head.clear()); // copied before write returns
                connection.sendFile(shared, 0, size, mode);
            }
        };
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).model(ThreadingModel.SINGLE)
                .threads(1).handler(() -> sender).bind(TestSupport.loopback(0));
             Socket client = new Socket()) {
            client.connect(server.localAddress(), 5000);
            client.setSoTimeout(10_000);
            client.setTcpNoDelay(true);
            byte[] response = new byte[head.capacity() + size];
            for (int i = 0; i < REQUESTS; i++) { // warm-up: pools, caches and the JIT
                exchange(client, response);
            }
            long before = TestSupport.allocatedBytes(loopThread.get());
            for (int i = 0; i < REQUESTS; i++) {
                exchange(client, response);
            }
            long perRequest = (TestSupport.allocatedBytes(loopThread.get()) - before) / REQUESTS;
            System.out.println(engine.name() + ": loop thread allocated per request: " + perRequest + " B");
            return perRequest;
        } finally {
            TestSupport.eventually(() -> shared.references() == 1, "every send let go of " + shared);
            shared.release();
        }
    }

    private static void exchange(Socket client, byte[] response) throws IOException {
        client.getOutputStream().write('?');
        if (client.getInputStream().readNBytes(response, 0, response.length) != response.length) {
            throw new EOFException("the server closed the connection within a response");
        }
    }
}
