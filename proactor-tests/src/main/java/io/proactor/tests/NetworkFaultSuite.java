package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.ProactorGroup;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on the wire, in process and without privileges or system tools: the engine's connections cross a
 * {@link FaultProxy} on loopback, which resets them mid-transfer ({@code SO_LINGER} 0 on both sides),
 * black-holes them (stops reading and forwarding while they stay open) or carries them over a rate-limited
 * link; a connect timeout is provoked by a {@link FullAcceptQueue} (Linux drops a SYN to a full accept queue).
 * Each test checks the defined outcome, that every end is reported exactly once, and (the {@link LeakCheck})
 * that no descriptor, thread or direct buffer is left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
public abstract class NetworkFaultSuite {

    private static final long STEP_SECONDS = 20;
    /** The slow link: 16 Mbit/s, a 128 KiB bucket (what {@code tc tbf rate 16mbit burst 128kb} gave). */
    static final long SLOW_LINK_BYTES_PER_SECOND = 2_000_000;
    static final long SLOW_LINK_BURST = 128 * 1024;

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The engine under test. */
    protected abstract Engine engine();

    /** An engine's libraries may allocate process-wide memory once, on first use: before the first count. */
    @BeforeAll
    void useTheEngineOnce() throws Throwable {
        TestSupport.useEngineOnce(engine());
    }

    /**
     * Adds the scenarios of the raw channel API (per-operation timeouts), for engines that offer it: the
     * Reactor engines run protocol handlers only.
     */
    public abstract static class WithChannelApi extends NetworkFaultSuite {
        @Test
        void aBlackHoledReadTimesOutAndFailsThePendingWriteOnce() throws Exception {
            report("black-holed read", blackHoledRead());
        }
    }

    final void report(String scenario, String outcome) {
        System.out.println("[" + engine().name() + " " + scenario + "] ok " + outcome);
    }

    /** Records how a connection ended, and how often its end was reported (must be exactly once). */
    static final class Ending implements ProtocolHandler {
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger bytesRead = new AtomicInteger();
        final CompletableFuture<Connection> opened = new CompletableFuture<>();
        private final boolean echo;

        Ending(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void onOpen(Connection connection) {
            opened.complete(connection);
        }

        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            bytesRead.addAndGet(data.remaining());
            if (echo) {
                connection.write(data);
            } else {
                data.position(data.limit());
            }
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            closes.incrementAndGet();
            closed.complete(cause);
        }
    }

    /**
     * A busy echo connection (5 MiB each way) is reset by the proxy after 1 MiB has crossed it: the client's
     * handler hears of it once, with an {@link IOException}, and so does the server's; the server carries on
     * and echoes on the next connection through the same proxy. The counts of ends are read after the server
     * and the client are closed, so a second report, at any time, would be seen.
     */
    @Test
    void resetsMidTransferEndBothSidesOnceWithAnIoError() throws Exception {
        CompletableFuture<Ending> serverSide = new CompletableFuture<>();
        Ending clientSide = new Ending(false);
        int total = 80 * 64 * 1024;
        Throwable clientCause;
        Throwable serverCause;
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(ThreadingModel.SINGLE)
                .handler(() -> {
                    Ending e = new Ending(true);
                    serverSide.complete(e);
                    return e;
                }).bind(TestSupport.loopback(0));
             ProtocolClient client = ProtocolClient.builder().engine(engine()).build();
             FaultProxy proxy = FaultProxy.start((InetSocketAddress) server.localAddress())) {
            proxy.resetAfter(1 << 20);
            Connection c = client.connect(proxy.address(), clientSide).get(STEP_SECONDS, TimeUnit.SECONDS);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int i = 0; i < total / chunk.length; i++) {
                c.write(ByteBuffer.wrap(chunk));
            }
            clientCause = ending("client", clientSide);
            // Told already by the reset it received, or when it next sends: either way, once.
            serverSide.get(STEP_SECONDS, TimeUnit.SECONDS).opened.get().write(ByteBuffer.wrap("still there?".getBytes()));
            serverCause = ending("server", serverSide.get());
            assertInstanceOf(IOException.class, clientCause, "client: the reset ends the connection with an I/O error");
            assertInstanceOf(IOException.class, serverCause, "server: the reset ends the connection with an I/O error");
            assertTrue(clientSide.bytesRead.get() < total, "the reset came mid-transfer, yet all "
                    + clientSide.bytesRead.get() + " bytes were echoed");

            Handlers.Collector again = new Handlers.Collector();
            Connection next = client.connect(proxy.address(), again).get(STEP_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<byte[]> echoed = again.received(5);
            next.write(ByteBuffer.wrap("hello".getBytes()));
            assertEquals("hello", new String(echoed.get(STEP_SECONDS, TimeUnit.SECONDS)),
                    "the server echoes on a new connection after the fault");
            next.close();
            again.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
            assertEquals(2, proxy.accepted(), "both connections crossed the proxy");
        }
        assertEquals(1, clientSide.closes.get(), "client: its end was reported once");
        assertEquals(1, serverSide.get().closes.get(), "server: its end was reported once");
        report("reset mid-transfer", "client: " + clientCause + "; server: " + serverCause + " after "
                + clientSide.bytesRead.get() + " of " + total + " bytes echoed");
    }

    /**
     * A connect to a listener whose accept queue is full (its SYN is dropped) fails after the client's connect
     * timeout of 300 ms, with a timeout exception, and no {@code onClose} is reported for a connection that
     * never opened.
     */
    @Test
    void aBlackHoledConnectTimesOut() throws Exception {
        Ending never = new Ending(false);
        Throwable cause;
        long millis;
        int queued;
        try (FullAcceptQueue full = FullAcceptQueue.open();
             ProtocolClient client = ProtocolClient.builder().engine(engine())
                     .connectTimeout(Duration.ofMillis(300)).build()) {
            queued = full.queued();
            long start = System.nanoTime();
            CompletableFuture<Connection> connect = client.connect(full.address(), never);
            cause = failureOf(connect);
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        if (!(cause instanceof InterruptedByTimeoutException) && !(cause instanceof java.net.SocketTimeoutException)) {
            fail("expected a connect timeout, got " + cause, cause);
        }
        assertTrue(millis >= 250 && millis <= 5000, "the 300 ms connect timeout fired after " + millis + " ms");
        assertFalse(never.opened.isDone(), "onOpen of a connection that never opened");
        assertEquals(0, never.closes.get(), "onClose of a connection that never opened");
        report("black-holed connect", cause + " after " + millis + " ms (accept queue full with " + queued
                + " connections)");
    }

    /**
     * An established connection goes silent (the proxy stops reading and forwarding; the connection stays
     * open): a read with a timeout fails with {@link InterruptedByTimeoutException} and closes the socket, and
     * the write pending on it (the socket buffers are full) fails once. The raw channel API has per-operation
     * timeouts; Reactor engines offer only protocol handlers, so there the suite checks connect timeouts only.
     */
    String blackHoledRead() throws Exception {
        AtomicInteger writeFailures = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<Integer> write = new CompletableFuture<>();
        Throwable readFailure;
        Throwable writeFailure;
        long millis;
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 8);
            try (FaultProxy proxy = FaultProxy.start((InetSocketAddress) listener.localAddress())) {
                CompletableFuture<AsyncSocket> accepted = listener.accept();
                AsyncSocket client = group.next().openSocket();
                client.connect(proxy.address()).get(STEP_SECONDS, TimeUnit.SECONDS);
                AsyncSocket server = accepted.get(STEP_SECONDS, TimeUnit.SECONDS);
                proxy.blackHole();

                // keep writing: once the socket buffers are full (nothing is read any more) a write stays pending
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                client.write(chunk, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void a) {
                        bytesWritten.addAndGet(n);
                        client.write(chunk.clear(), null, this);
                    }

                    @Override
                    public void failed(Throwable exc, Void a) {
                        writeFailures.incrementAndGet();
                        write.completeExceptionally(exc);
                    }
                });
                long start = System.nanoTime();
                CompletableFuture<Integer> read = new CompletableFuture<>();
                client.read(ByteBuffer.allocate(100), 300, TimeUnit.MILLISECONDS, null,
                        new CompletionHandler<Integer, Void>() {
                            @Override
                            public void completed(Integer n, Void a) {
                                read.complete(n);
                            }

                            @Override
                            public void failed(Throwable exc, Void a) {
                                read.completeExceptionally(exc);
                            }
                        });
                readFailure = failureOf(read);
                millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                writeFailure = failureOf(write);
                assertFalse(client.isOpen(), "a timed-out read closes the socket");
                server.close();
                listener.close();
            }
        }
        assertInstanceOf(InterruptedByTimeoutException.class, readFailure, "the read times out");
        assertTrue(millis >= 250 && millis <= 5000, "the 300 ms read timeout fired after " + millis + " ms");
        if (!(writeFailure instanceof AsynchronousCloseException) && !(writeFailure instanceof ClosedChannelException)) {
            fail("the timeout closes the socket, failing the pending write; got " + writeFailure, writeFailure);
        }
        assertEquals(1, writeFailures.get(), "the pending write failed once (counted after the group closed)");
        return "read: " + readFailure + " after " + millis + " ms; write: " + writeFailure + " after "
                + bytesWritten.get() / 1024 + " KiB written";
    }

    /**
     * A slow link (a token bucket at 16 Mbit/s, both directions together, as {@code tc tbf} on one loopback
     * device would shape them): a 1 MiB echo arrives whole and in order, taking at least the time the rate
     * implies for the 2 MiB that cross the link, less the bucket's first burst.
     */
    @Test
    void aSlowLinkDeliversEveryByteAtItsRate() throws Exception {
        int size = 1 << 20;
        byte[] data = TestSupport.randomBytes(size, 7);
        long millis;
        FaultProxy link;
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).handler(Handlers.Echo::new)
                .bind(TestSupport.loopback(0));
             ProtocolClient client = ProtocolClient.builder().engine(engine()).build();
             FaultProxy proxy = FaultProxy.rateLimited((InetSocketAddress) server.localAddress(),
                     SLOW_LINK_BYTES_PER_SECOND, SLOW_LINK_BURST)) {
            link = proxy;
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = client.connect(proxy.address(), collector).get(STEP_SECONDS, TimeUnit.SECONDS);
            long start = System.nanoTime();
            CompletableFuture<byte[]> echoed = collector.received(size);
            c.write(ByteBuffer.wrap(data));
            byte[] got = echoed.get(60, TimeUnit.SECONDS);
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(size, got.length, "no more than was sent");
            assertArrayEquals(data, got, "the echo over the slow link differs");
            c.close();
            collector.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
        }
        assertEquals(2L * size, link.forwarded(), "every byte, there and back, crossed the shaped link");
        long floor = (2L * size - SLOW_LINK_BURST) * 1000 / SLOW_LINK_BYTES_PER_SECOND;
        assertTrue(millis >= floor * 9 / 10, "2 MiB crossed a " + SLOW_LINK_BYTES_PER_SECOND
                + " B/s link in " + millis + " ms, faster than its rate allows (" + floor + " ms)");
        report("slow link", "1 MiB echoed intact in " + millis + " ms (the rate allows " + floor + " ms at best)");
    }

    private static Throwable ending(String side, Ending connection) throws Exception {
        try {
            return connection.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the " + side + " connection was never told it ended (read "
                    + connection.bytesRead.get() + " bytes)");
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.get());
    }
}
