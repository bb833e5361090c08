package io.proactor.reactor;

import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.Handlers;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the protocol suite does not cover: the engines' own promises and the Reactor's interest handling. */
@Timeout(120)
class ReactorEnginesTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void refusesProactorGroupsSayingWhy(String name) {
        Engine engine = Engines.require(name);
        assertTrue(!engine.features().completionBased() && engine.features().zeroCopyTransfer());
        assertFalse(engine instanceof io.proactor.spi.AsynchronousChannelProvider,
                "a readiness engine provides no asynchronous channels, so it has nothing to refuse");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProactorGroup.open(engine, ProactorGroupConfig.of(1)));
        assertTrue(e.getMessage().contains("readiness") && e.getMessage().contains("completion-based"), e.getMessage());
    }

    @Test
    void bestEngineStaysAProactor() {
        assertTrue(Engines.best().features().completionBased(), Engines.best().name());
    }

    /** A write that the socket cannot take registers OP_WRITE; once the peer drained it, OP_WRITE is gone. */
    @Test
    void writeInterestIsRegisteredOnlyWhileOutputIsPending() throws Throwable {
        int size = 8 * 1024 * 1024;
        CompletableFuture<Connection> server = new CompletableFuture<>();
        ProtocolHandler blast = new ProtocolHandler() {
            @Override
            public void onOpen(Connection connection) {
                server.complete(connection);
            }

            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                data.position(data.limit());
                connection.write(ByteBuffer.wrap(TestSupport.randomBytes(size, 3)));
            }
        };
        try (ProtocolServer s = ProtocolServer.builder().engine(Engines.require(ReactorEngine.NAME))
                .model(ThreadingModel.SINGLE).handler(() -> blast).bind(TestSupport.loopback(0));
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(32 * 1024);
            peer.connect(s.localAddress());
            ReactorConnection c = (ReactorConnection) await(server);
            eventually(() -> c.interestOps() == SelectionKey.OP_READ, "an idle connection waits for input only");
            peer.getOutputStream().write('?');
            eventually(() -> (c.interestOps() & SelectionKey.OP_WRITE) != 0, "a full socket registers OP_WRITE");
            assertTrue(c.queuedBytes() > 0, "the rest is queued");
            InputStream in = peer.getInputStream();
            byte[] got = in.readNBytes(size);
            TestSupport.assertBytesEqual(TestSupport.randomBytes(size, 3), ByteBuffer.wrap(got));
            eventually(() -> c.interestOps() == SelectionKey.OP_READ, "drained output drops OP_WRITE");
            assertEquals(0, c.queuedBytes());
        }
    }

    /**
     * A write in a callback waits for the callback's end (so that what else it writes leaves in the same write),
     * registers no write interest meanwhile, and is sent when the callback returns: nothing stays queued.
     */
    @Test
    void aWriteInACallbackLeavesWhenItReturnsWithoutWriteInterest() throws Throwable {
        List<Integer> interest = new ArrayList<>();
        AtomicReference<ReactorConnection> connection = new AtomicReference<>();
        ProtocolHandler echo = new ProtocolHandler() {
            @Override
            public void onRead(Connection c, ByteBuffer data) {
                connection.set((ReactorConnection) c);
                c.write(data);
                synchronized (interest) {
                    interest.add(((ReactorConnection) c).interestOps());
                }
            }
        };
        try (ProtocolServer s = ProtocolServer.builder().engine(Engines.require(ReactorEngine.NAME))
                .model(ThreadingModel.SINGLE).handler(() -> echo).bind(TestSupport.loopback(0));
             Socket peer = new Socket()) {
            peer.connect(s.localAddress());
            for (int i = 0; i < 100; i++) {
                peer.getOutputStream().write(i);
                assertEquals(i, peer.getInputStream().read());
                eventually(() -> connection.get().queuedBytes() == 0, "nothing queued once the echo arrived");
            }
        }
        synchronized (interest) {
            assertEquals(100, interest.size());
            assertTrue(interest.stream().allMatch(ops -> ops == SelectionKey.OP_READ), interest.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void aPortInUseFailsTheBindAndLeavesNothingRunning(String name) throws Throwable {
        Engine engine = Engines.require(name);
        try (ProtocolServer first = ProtocolServer.builder().engine(engine).model(ThreadingModel.SINGLE)
                .handler(Handlers.Echo::new).bind(TestSupport.loopback(0))) {
            for (ThreadingModel model : ThreadingModel.values()) {
                // REUSEPORT too: the first listener did not set SO_REUSEPORT, so the kernel refuses to share
                java.net.BindException e = assertThrows(java.net.BindException.class, () -> ProtocolServer.builder()
                        .engine(engine).model(model).threads(2).handler(Handlers.Echo::new).bind(first.localAddress()));
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), model + ": says why");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void connectTimesOutWithInterruptedByTimeout(String name) throws Throwable {
        // A listener that never accepts: once its accept queue is full, Linux drops further SYNs, so the next
        // connect neither succeeds nor fails until the client gives up.
        try (ServerSocket full = new ServerSocket(0, 1, TestSupport.loopback(0).getAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket f = new Socket();
                    try {
                        f.connect(full.getLocalSocketAddress(), 200);
                    } catch (java.net.SocketTimeoutException queueFull) {
                        // the queue is full already
                    }
                    fillers.add(f);
                }
                try (ProtocolClient client = ProtocolClient.builder().engine(Engines.require(name))
                        .connectTimeout(Duration.ofMillis(300)).build()) {
                    long start = System.nanoTime();
                    Throwable failure = awaitFailure(client.connect(full.getLocalSocketAddress(), new Handlers.Collector()));
                    assertInstanceOf(InterruptedByTimeoutException.class, failure);
                    assertTrue(System.nanoTime() - start >= 250_000_000L, "not before the timeout");
                }
            } finally {
                for (Socket f : fillers) {
                    f.close();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void connectingToAnUnresolvedAddressFailsWithoutLeaking(String name) throws Throwable {
        try (ProtocolClient client = ProtocolClient.builder().engine(Engines.require(name)).build()) {
            Throwable failure = awaitFailure(client.connect(
                    InetSocketAddress.createUnresolved("no-such-host.invalid", 80), new Handlers.Collector()));
            assertTrue(failure instanceof java.nio.channels.UnresolvedAddressException
                    || failure instanceof java.net.UnknownHostException, failure.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void aThrowingOnOpenFailsTheConnectFuture(String name) throws Throwable {
        try (ProtocolServer s = ProtocolServer.builder().engine(Engines.require(name)).model(ThreadingModel.SINGLE)
                .handler(Handlers.Echo::new).bind(TestSupport.loopback(0));
             ProtocolClient client = ProtocolClient.builder().engine(Engines.require(name)).build()) {
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            ProtocolHandler broken = new ProtocolHandler() {
                @Override
                public void onOpen(Connection connection) {
                    throw new IllegalStateException("open bug");
                }

                @Override
                public void onRead(Connection connection, ByteBuffer data) {
                }

                @Override
                public void onClose(Connection connection, Throwable cause) {
                    closed.complete(cause);
                }
            };
            Throwable failure = awaitFailure(client.connect(s.localAddress(), broken));
            assertEquals("open bug", failure.getMessage());
            assertEquals("open bug", await(closed).getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ReactorEngine.NAME, VirtualThreadEngine.NAME})
    void executorTasksRunAfterTheCallbackThatPostedThem(String name) throws Throwable {
        StringBuffer log = new StringBuffer();
        ProtocolHandler handler = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                connection.executor().execute(() -> {
                    log.append('t');
                    connection.write(ByteBuffer.wrap(new byte[] {'!'}));
                });
                log.append((char) data.get()); // after execute(): the task must still run after this callback
            }
        };
        try (ProtocolServer s = ProtocolServer.builder().engine(Engines.require(name)).model(ThreadingModel.SINGLE)
                .handler(() -> handler).bind(TestSupport.loopback(0));
             Socket peer = new Socket()) {
            peer.connect(s.localAddress());
            for (char ch : "abc".toCharArray()) {
                peer.getOutputStream().write(ch);
                assertEquals('!', peer.getInputStream().read());
            }
            assertEquals("atbtct", log.toString());
        }
    }
}
