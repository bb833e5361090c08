package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Echo soak: the echo protocol handler on one server engine under continuous load with connection churn.
 * Client sessions run back to back on {@link #CLIENTS} virtual threads with plain JDK sockets (so the server
 * engine is checked against a client it does not share code with), each session one of:
 * <ul>
 *   <li>{@code ORDERLY}: sends while reading the echo concurrently, checks every byte, then closes;</li>
 *   <li>{@code HALF_CLOSE}: sends, shuts its output down, reads and checks the echo up to the server's FIN;</li>
 *   <li>{@code RESET}: sends part of its data, then resets the connection ({@code SO_LINGER} 0);</li>
 *   <li>{@code VANISH}: sends part of a message and closes without reading anything.</li>
 * </ul>
 * After a warm-up, the process's resources are taken at a quiet point (no session running, the server holding
 * no connection) and again at the end of the run; they must be flat ({@link ProcessResources#assertFlatSince}).
 * The run lasts {@code -Dproactor.soak.seconds} (default 10) after
 * {@code -Dproactor.soak.warmupSeconds} (default 2): the normal build runs the short soak, a long soak is the
 * same test with a larger duration. {@code -Dproactor.soak.clients} (default 16) sets the concurrent
 * sessions, {@code -Dproactor.soak.receiveBuffers} the receive-buffer cap per proactor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EchoSoakSuite {

    static final int CLIENTS = Integer.getInteger("proactor.soak.clients", 16);
    static final long SECONDS = Long.getLong("proactor.soak.seconds", 10);
    static final long WARMUP_SECONDS = Long.getLong("proactor.soak.warmupSeconds", 2);
    static final int MAX_SESSION_BYTES = 256 * 1024;
    /** Receive buffers per proactor: a low {@code -Dproactor.soak.receiveBuffers} makes pools run dry. */
    static final int RECEIVE_BUFFERS = Integer.getInteger("proactor.soak.receiveBuffers",
            ConnectionOptions.DEFAULT.receiveBufferCount());

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The server engine under test. */
    protected abstract Engine engine();

    /** Engine-specific figures for the soak's summary line, e.g. how often receive buffers ran out. */
    protected String engineReport() {
        return "";
    }

    enum Kind { ORDERLY, HALF_CLOSE, RESET, VANISH }

    /** The session kinds to run: {@code -Dproactor.soak.kinds=ORDERLY,RESET} narrows a run down to some. */
    static final List<Kind> KINDS = java.util.Arrays.stream(
            System.getProperty("proactor.soak.kinds", "ORDERLY,HALF_CLOSE,RESET,VANISH").split(","))
            .map(String::trim).map(Kind::valueOf).toList();

    /** What the server's connections ended with, other than nothing or an I/O error from a peer's reset. */
    private final ConcurrentLinkedQueue<Throwable> unexpectedServerCloses = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> clientFailures = new ConcurrentLinkedQueue<>();
    private final Map<Kind, LongAdder> sessions = new EnumMap<>(Kind.class);
    private final LongAdder bytesVerified = new LongAdder();

    private final class RecordingEcho implements ProtocolHandler {
        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            connection.write(data);
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            if (cause != null && !(cause instanceof IOException)) {
                unexpectedServerCloses.add(cause);
            }
        }
    }

    @BeforeAll
    void useTheEngineOnce() throws Throwable {
        TestSupport.useEngineOnce(engine());
    }

    @Test
    void echoUnderChurnLosesNoByteAndHoldsResourcesFlat() throws Throwable {
        for (Kind k : Kind.values()) {
            sessions.put(k, new LongAdder());
        }
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(ThreadingModel.MAIN_SUB)
                .threads(2).handler(RecordingEcho::new)
                .options(ConnectionOptions.DEFAULT.withReceiveBufferCount(RECEIVE_BUFFERS))
                .bind(TestSupport.loopback(0))) {
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            runLoad(address, WARMUP_SECONDS, 1);
            ProcessResources before = ProcessResources.atQuietPoint(server::connectionCount);
            long sessionsBefore = totalSessions();
            runLoad(address, SECONDS, 2);
            ProcessResources after = ProcessResources.atQuietPoint(server::connectionCount);

            long run = totalSessions() - sessionsBefore;
            System.out.printf("soak %s: %d s, %d clients, %d sessions (with warm-up: %s), %,d bytes verified; "
                    + "before %s; after %s%s%n", engine().name(), SECONDS, CLIENTS, run, sessions,
                    bytesVerified.sum(), before, after, engineReport());
            assertTrue(clientFailures.isEmpty(), clientFailures.size() + " client sessions failed, e.g. "
                    + clientFailures.stream().limit(5).toList());
            assertTrue(unexpectedServerCloses.isEmpty(), "server connections ended by " + unexpectedServerCloses);
            for (Kind k : KINDS) {
                assertTrue(sessions.get(k).sum() > 0, "no " + k + " session ran");
            }
            after.assertFlatSince(before);
        }
    }

    private long totalSessions() {
        return sessions.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Runs sessions on {@link #CLIENTS} virtual threads for {@code seconds}; returns once all have ended. */
    private void runLoad(InetSocketAddress address, long seconds, long seedBase) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> clients = new ArrayList<>();
        AtomicLong sessionIds = new AtomicLong(seedBase << 40);
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(Thread.ofVirtual().name("soak-client-" + i).start(() -> {
                while (System.nanoTime() < deadline) {
                    long id = sessionIds.incrementAndGet();
                    SplittableRandom random = new SplittableRandom(id);
                    Kind kind = KINDS.get(random.nextInt(KINDS.size()));
                    try {
                        session(address, kind, id, random);
                        sessions.get(kind).increment();
                    } catch (Throwable t) {
                        clientFailures.add(kind + " session " + id + ": " + t);
                    }
                }
            }));
        }
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + TestSupport.STEP_SECONDS));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running: a session hangs");
            }
        }
    }

    private void session(InetSocketAddress address, Kind kind, long id, SplittableRandom random) throws Exception {
        int length = 1 + random.nextInt(MAX_SESSION_BYTES);
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSupport.STEP_SECONDS));
            socket.connect(address);
            OutputStream out = socket.getOutputStream();
            switch (kind) {
                case ORDERLY -> {
                    SplittableRandom writerRandom = random.split();
                    CompletableFuture<Void> writer = CompletableFuture.runAsync(
                            () -> send(out, id, length, writerRandom), Thread::startVirtualThread);
                    readAndVerify(socket.getInputStream(), id, length);
                    writer.get(TestSupport.STEP_SECONDS, TimeUnit.SECONDS);
                }
                case HALF_CLOSE -> {
                    send(out, id, length, random.split());
                    socket.shutdownOutput();
                    readAndVerify(socket.getInputStream(), id, length);
                    if (socket.getInputStream().read() != -1) {
                        throw new AssertionError("more bytes than sent, or no FIN after the echo");
                    }
                }
                case RESET -> {
                    // at most what the socket buffers hold, as nothing reads the echo
                    send(out, id, Math.min(length, 64 * 1024), random.split());
                    socket.setSoLinger(true, 0);
                }
                case VANISH -> send(out, id, Math.min(length, 1000), random.split());
            }
        }
    }

    /** The session's bytes: a stream computed from its id, so the reader can check it without storing it. */
    static byte pattern(long id, long offset) {
        return (byte) (id * 31 + offset * 7 + (offset >>> 9));
    }

    private static void send(OutputStream out, long id, int length, SplittableRandom random) {
        byte[] chunk = new byte[16 * 1024];
        try {
            for (int offset = 0; offset < length; ) {
                int n = Math.min(length - offset, 1 + random.nextInt(chunk.length));
                for (int i = 0; i < n; i++) {
                    chunk[i] = pattern(id, offset + i);
                }
                out.write(chunk, 0, n);
                offset += n;
            }
        } catch (IOException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    private void readAndVerify(InputStream in, long id, int length) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        for (int offset = 0; offset < length; ) {
            int n = in.read(chunk, 0, Math.min(chunk.length, length - offset));
            if (n < 0) {
                throw new AssertionError("end of stream after " + offset + " of " + length + " bytes");
            }
            for (int i = 0; i < n; i++) {
                if (chunk[i] != pattern(id, offset + i)) {
                    throw new AssertionError("byte " + (offset + i) + " of " + length + " differs");
                }
            }
            offset += n;
        }
        bytesVerified.add(length);
    }
}
