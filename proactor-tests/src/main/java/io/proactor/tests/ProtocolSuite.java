package io.proactor.tests;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.core.ListenBacklog;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ConnectionOptions;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.StallReport;
import io.proactor.protocol.StallWatch;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine-neutral protocol-handler API on one server engine, in every threading model, against every
 * client engine on the class path. Subclass it per engine and supply {@link #engine()}.
 */
@Timeout(value = 180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProtocolSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The server engine under test. */
    protected abstract Engine engine();

    /** Client engines to pair with: by default every available engine on the class path. */
    protected List<Engine> clientEngines() {
        return Engines.available();
    }

    /**
     * Whether the engine runs callbacks on the threads the threading model names: one loop, N workers, N sub
     * loops, N reuseport loops. A thread-per-connection engine (virtual threads) has no such threads and returns
     * {@code false}; {@link #callbacksRunOnTheThreadsTheModelPromises} then checks that engine's own promise
     * instead: each connection's callbacks run on one virtual thread of its own.
     */
    protected boolean callbackThreadsFollowTheModel() {
        return true;
    }

    protected ProtocolServer server(ThreadingModel model, java.util.function.Supplier<? extends ProtocolHandler> handlers)
            throws IOException {
        return ProtocolServer.builder().engine(engine()).model(model).threads(2).handler(handlers)
                .bind(TestSupport.loopback(0));
    }

    protected ProtocolClient client(Engine clientEngine) {
        return ProtocolClient.builder().engine(clientEngine).build();
    }

    static Stream<Arguments> modelsAndSizes() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel m : ThreadingModel.values()) {
            for (int size : new int[] {1, 1000, 65_536, 4 * 1024 * 1024}) {
                list.add(Arguments.of(m, size));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("modelsAndSizes")
    void echoRoundTripIsByteExact(ThreadingModel model, int size) throws Throwable {
        try (ProtocolServer server = server(model, Handlers.Echo::new);
             ProtocolClient client = client(engine())) {
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = await(client.connect(server.localAddress(), collector));
            byte[] message = randomBytes(size, size);
            CompletableFuture<byte[]> echoed = collector.received(size);
            c.write(ByteBuffer.wrap(message));
            assertBytesEqual(message, ByteBuffer.wrap(await(echoed)));
            c.close();
            assertNull(await(collector.closed), "orderly close");
        }
    }

    /**
     * A server that cannot bind (the port is taken by a listener without SO_REUSEPORT) fails to start with the
     * bind error, and leaves nothing behind: no loop, worker or watchdog thread, no descriptor (the leak check
     * after each test counts them).
     */
    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aServerThatCannotBindFailsWithTheCauseAndLeavesNothingRunning(ThreadingModel model) throws Throwable {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(TestSupport.loopback(0));
            InetSocketAddress address = (InetSocketAddress) taken.getLocalAddress();
            ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
            IOException e = assertThrows(IOException.class, () -> ProtocolServer.builder().engine(engine())
                    .model(model).threads(2).handler(() -> echo).bind(address).close());
            assertTrue(e instanceof BindException || String.valueOf(e.getMessage()).contains("in use"),
                    "the bind failure is what is reported: " + e);
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void echoesOn200Connections(ThreadingModel model) throws Throwable {
        echoMany(model, engine(), 200, 4096);
    }

    Stream<Arguments> modelsAndClientEngines() {
        List<Arguments> list = new ArrayList<>();
        for (ThreadingModel m : ThreadingModel.values()) {
            for (Engine e : clientEngines()) {
                list.add(Arguments.of(m, e));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "server {0} × client {1}")
    @MethodSource("modelsAndClientEngines")
    void serverAndClientEnginePermutationsEcho(ThreadingModel model, Engine clientEngine) throws Throwable {
        echoMany(model, clientEngine, 20, 100_000);
    }

    private void echoMany(ThreadingModel model, Engine clientEngine, int connections, int size) throws Throwable {
        try (ProtocolServer server = server(model, Handlers.Echo::new);
             ProtocolClient client = ProtocolClient.builder().engine(clientEngine)
                     .model(ThreadingModel.MAIN_SUB).threads(2).build()) {
            List<Connection> conns = new ArrayList<>();
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Handlers.Collector collector = new Handlers.Collector();
                Connection c = await(client.connect(server.localAddress(), collector));
                conns.add(c);
                replies.add(collector.received(size));
                c.write(ByteBuffer.wrap(randomBytes(size, i)));
            }
            for (int i = 0; i < connections; i++) {
                assertBytesEqual(randomBytes(size, i), ByteBuffer.wrap(await(replies.get(i))));
            }
            assertEquals(connections, server.connectionCount());
            conns.forEach(Connection::close);
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void callbacksRunOnTheThreadsTheModelPromises(ThreadingModel model) throws Throwable {
        Set<String> serverThreads = ConcurrentHashMap.newKeySet();
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        Set<String> switchedThreads = ConcurrentHashMap.newKeySet();
        ProtocolHandler recorder = new ProtocolHandler() {
            @Override
            public void onOpen(Connection connection) {
                serverThreads.add(Thread.currentThread().getName());
                callbackThreads.add(Thread.currentThread());
                connection.attach(Thread.currentThread());
            }

            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                if (connection.attachment() != Thread.currentThread()) {
                    switchedThreads.add(connection.attachment() + " then " + Thread.currentThread());
                }
                connection.write(data);
            }
        };
        try (ProtocolServer server = server(model, () -> recorder)) {
            List<Socket> peers = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket s = new Socket();
                    s.connect(server.localAddress());
                    s.getOutputStream().write(1);
                    assertEquals(1, s.getInputStream().read(), "echo");
                    peers.add(s);
                }
            } finally {
                for (Socket s : peers) {
                    s.close();
                }
            }
        }
        assertTrue(switchedThreads.isEmpty(), "a connection's callbacks changed threads: " + switchedThreads);
        if (!callbackThreadsFollowTheModel()) {
            assertEquals(40, callbackThreads.size(), "one thread per connection: " + serverThreads);
            assertTrue(callbackThreads.stream().allMatch(Thread::isVirtual), "virtual threads: " + callbackThreads);
            return;
        }
        switch (model) {
            case SINGLE -> assertEquals(1, serverThreads.size(), "one loop: " + serverThreads);
            case WORKER_POOL -> {
                assertEquals(2, serverThreads.size(), "two workers: " + serverThreads);
                assertTrue(serverThreads.stream().allMatch(n -> n.contains("worker")), serverThreads.toString());
            }
            case MAIN_SUB -> {
                assertEquals(2, serverThreads.size(), "two sub loops: " + serverThreads);
                assertTrue(serverThreads.stream().noneMatch(n -> n.endsWith("-0")), "not on the acceptor: " + serverThreads);
            }
            case REUSEPORT -> assertEquals(2, serverThreads.size(),
                    "the kernel spreads connections over both listeners: " + serverThreads);
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void halfCloseReachesTheHandlerWhichCanStillReply(ThreadingModel model) throws Throwable {
        ProtocolHandler replyOnEnd = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                data.position(data.limit());
            }

            @Override
            public void onInputClosed(Connection connection) {
                connection.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
                connection.close();
            }
        };
        try (ProtocolServer server = server(model, () -> replyOnEnd);
             ProtocolClient client = client(engine())) {
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = await(client.connect(server.localAddress(), collector));
            CompletableFuture<byte[]> reply = collector.received(3);
            c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            c.shutdownOutput();
            assertEquals("bye", new String(await(reply), StandardCharsets.US_ASCII));
            await(collector.inputClosed);
            assertNull(await(collector.closed));
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void readsPauseWhileTooMuchOutputIsQueued(ThreadingModel model) throws Throwable {
        ConnectionOptions options = ConnectionOptions.DEFAULT.withWaterMarks(64 * 1024, 256 * 1024);
        AtomicLong maxQueued = new AtomicLong();
        ProtocolHandler echo = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                connection.write(data);
                maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
            }
        };
        int total = 32 * 1024 * 1024;
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(model).threads(2)
                .options(options).handler(() -> echo).bind(TestSupport.loopback(0));
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(64 * 1024);
            peer.connect(server.localAddress());
            // Send 32 MiB without reading: the echo can only queue up, so the server must stop reading.
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    byte[] chunk = randomBytes(64 * 1024, 9);
                    for (int sent = 0; sent < total; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500);
            assertTrue(!sender.isDone(), "the sender is blocked: the server stopped reading");
            long bound = options.highWaterMark() + 2L * options.readBufferSize();
            assertTrue(maxQueued.get() <= bound, "queued output " + maxQueued.get() + " exceeds " + bound);
            // Now drain: everything comes back, byte for byte, and the sender finishes.
            InputStream in = peer.getInputStream();
            byte[] chunk = randomBytes(64 * 1024, 9);
            byte[] got = new byte[chunk.length];
            for (int read = 0; read < total; read += chunk.length) {
                assertEquals(chunk.length, in.readNBytes(got, 0, got.length));
                assertBytesEqual(chunk, ByteBuffer.wrap(got));
            }
            await(sender);
            assertTrue(maxQueued.get() <= bound, "queued output " + maxQueued.get() + " exceeds " + bound);
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aHandlerThatThrowsAbortsOnlyItsOwnConnection(ThreadingModel model) throws Throwable {
        CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        ProtocolHandler fragile = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                if (data.get(data.position()) == 'X') {
                    throw new IllegalStateException("handler bug");
                }
                connection.write(data);
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                if (cause != null) {
                    closeCause.complete(cause);
                }
            }
        };
        try (ProtocolServer server = server(model, () -> fragile);
             ProtocolClient client = client(engine())) {
            Handlers.Collector good = new Handlers.Collector();
            Handlers.Collector bad = new Handlers.Collector();
            Connection goodConn = await(client.connect(server.localAddress(), good));
            Connection badConn = await(client.connect(server.localAddress(), bad));
            badConn.write(ByteBuffer.wrap("X".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("handler bug", await(closeCause).getMessage());
            await(bad.closed);
            CompletableFuture<byte[]> echoed = good.received(5);
            goodConn.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("hello", new String(await(echoed), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aHandlerThatBlocksIsReportedByTheStallWatchdogAndTheServerCarriesOn(ThreadingModel model) throws Throwable {
        List<StallReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProtocolHandler blocking = new ProtocolHandler() {
            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                if (data.get(data.position()) == 'B') {
                    try {
                        Thread.sleep(600); // what a handler must not do on a loop
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                connection.write(data);
            }
        };
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(model).threads(2)
                .handler(() -> blocking).stallWatch(new StallWatch(Duration.ofMillis(100), reports::add))
                .bind(TestSupport.loopback(0))) {
            for (String message : List.of("B", "after")) {
                try (Socket s = new Socket()) {
                    s.connect(server.localAddress());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
                    byte[] echo = s.getInputStream().readNBytes(message.length());
                    assertEquals(message, new String(echo, StandardCharsets.US_ASCII), "echo");
                }
            }
        }
        if (!callbackThreadsFollowTheModel()) {
            assertTrue(reports.isEmpty(), "a thread per connection has no shared thread to stall: " + reports);
            return;
        }
        // On a contended machine another loop may also be kept from its queue past 100 ms and be reported; the
        // blocking handler's stall must be reported exactly once, with its stack
        List<StallReport> ofTheHandler = reports.stream().filter(r -> r.stack().stream()
                .anyMatch(f -> f.getClassName().startsWith(ProtocolSuite.class.getName()))).toList();
        assertEquals(1, ofTheHandler.size(), "one report, showing the blocking handler, for one stall: " + reports);
        StallReport report = ofTheHandler.get(0);
        assertTrue(report.busyFor().compareTo(Duration.ofMillis(100)) > 0, "busy for " + report.busyFor());
    }

    @Test
    void aClientWhoseOnOpenThrowsFailsItsConnectFutureWithThatException() throws Throwable {
        IllegalStateException thrown = new IllegalStateException("refused by onOpen (test)");
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        ProtocolHandler refusing = new ProtocolHandler() {
            @Override
            public void onOpen(Connection connection) {
                throw thrown;
            }

            @Override
            public void onRead(Connection connection, ByteBuffer data) {
                data.position(data.limit());
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                closed.complete(cause);
            }
        };
        try (ProtocolServer server = server(ThreadingModel.SINGLE, Handlers.Echo::new);
             ProtocolClient client = client(engine())) {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> client.connect(server.localAddress(), refusing).get(10, TimeUnit.SECONDS));
            assertSame(thrown, failure.getCause());
            assertSame(thrown, await(closed), "the connection is aborted with what onOpen threw");
        }
    }

    @Test
    void closingTheServerClosesItsConnections() throws Throwable {
        ProtocolServer server = server(ThreadingModel.MAIN_SUB, Handlers.Echo::new);
        try (ProtocolClient client = client(engine())) {
            List<Handlers.Collector> collectors = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Handlers.Collector collector = new Handlers.Collector();
                await(client.connect(server.localAddress(), collector));
                collectors.add(collector);
            }
            // the client's connect completes once the kernel has the connection; the server accepts it a bit later
            TestSupport.eventually(() -> server.connectionCount() == 10, "the server has all 10 connections");
            server.close();
            for (Handlers.Collector collector : collectors) {
                await(collector.closed);
            }
            assertEquals(0, server.connectionCount());
        } finally {
            server.close();
        }
    }

    @Test
    void connectingToAClosedPortFails() throws Throwable {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (ProtocolClient client = client(engine())) {
            Throwable failure = awaitFailure(client.connect(TestSupport.loopback(port), new Handlers.Collector()));
            assertInstanceOf(ConnectException.class, failure);
        }
    }

    @Test
    void reuseportListenersShareOnePort() throws Throwable {
        try (ProtocolServer a = server(ThreadingModel.REUSEPORT, Handlers.Echo::new)) {
            assertNotEquals(0, a.localAddress().getPort());
            try (Socket s = new Socket()) {
                s.connect(a.localAddress());
                s.getOutputStream().write(7);
                assertEquals(7, s.getInputStream().read());
            }
        }
    }

    /** Clients of the burst test: twenty times the JDK's default backlog (50), a quarter of Linux's somaxconn. */
    static final int BURST = 1000;
    /** How long the server's accepting threads stay busy once the burst has begun. */
    static final long BUSY_MILLIS = 300;

    /**
     * A burst of connects to a server that is busy for a moment: the kernel completes each connection and queues
     * it until the server accepts, so with a listen backlog as long as the burst no SYN is dropped (its client
     * would try again only a second later) and none is refused or reset. The server's accepting threads are held
     * by {@link #holdAcceptingThreads} while every connect starts, and for {@value #BUSY_MILLIS} ms in all.
     */
    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void aBurstOfConnectsToABusyServerConnectsEveryClientWithinASecond(ThreadingModel model) throws Throwable {
        AcceptorHold hold = new AcceptorHold();
        List<Socket> primers = new ArrayList<>();
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(model).threads(2)
                .handler(hold.factory(Handlers.Echo::new)).bind(TestSupport.loopback(0));
             ConnectBurst burst = new ConnectBurst(BURST)) {
            try {
                holdAcceptingThreads(server, model, hold, primers);
                long releaseAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BUSY_MILLIS);
                // called only once every connect has started: the whole burst meets the busy server
                burst.connect(server.localAddress(), () -> {
                    if (System.nanoTime() >= releaseAt) {
                        hold.release();
                    }
                });
                hold.release();
                assertEquals(List.of(), burst.failures(), "no connect refused or reset");
                int slow = burst.connectsOver(1000);
                assertEquals(0, slow, slow + " of " + BURST + " connects took a second or more (a dropped SYN is"
                        + " retried after 1 s); the slowest took " + burst.worstConnectMillis() + " ms");
                int expected = BURST + primers.size();
                TestSupport.eventually(() -> server.connectionCount() == expected,
                        "the server has all " + expected + " connections, has " + server.connectionCount());
                burst.echoOneByteEach();
                assertEquals(List.of(), burst.failures(), "every connection is served, none reset");
                assertEquals(BURST, burst.connectedCount());
            } finally {
                hold.release();
                for (Socket s : primers) {
                    s.close();
                }
            }
        }
    }

    /**
     * Keeps every thread that accepts connections for {@code server} (REUSEPORT: the thread of each of its two
     * listeners) busy until {@code hold} is released, and returns once they all are; connections it opens for that
     * go to {@code opened}, which the caller closes. The server was built with {@code hold.factory(...)} as its
     * handler factory.
     *
     * <p>By default the hold is armed in that factory and connections are opened one at a time until each
     * accepting thread is held making a handler: right for servers that make a connection's handler on the thread
     * that accepted it. A server that makes it elsewhere overrides this, e.g. running {@link AcceptorHold#hold} as
     * a task on each accepting loop.
     */
    protected void holdAcceptingThreads(ProtocolServer server, ThreadingModel model, AcceptorHold hold,
                                        List<Socket> opened) throws Exception {
        int acceptors = model == ThreadingModel.REUSEPORT ? 2 : 1;
        hold.holdInFactory();
        for (int i = 0; i < 64 && hold.heldThreads() < acceptors; i++) {
            int before = hold.heldThreads();
            Socket s = new Socket();
            opened.add(s);
            s.connect(server.localAddress(), 10_000);
            // REUSEPORT: the kernel may give it to a listener already held, where it waits like the burst will
            hold.awaitHeld(before + 1, 200);
        }
        assertEquals(acceptors, hold.heldThreads(), "accepting threads held");
    }

    /**
     * Every listener of a server (each {@code SO_REUSEPORT} one too) listens with the kernel's {@code somaxconn}
     * unless the builder asks for another backlog: read back from the kernel with {@code ss} (iproute2), which
     * shows a listener's backlog in its Send-Q column.
     */
    @ParameterizedTest
    @EnumSource(ThreadingModel.class)
    void everyListenerHasTheKernelsSomaxconnAsBacklogUnlessTheBuilderSetsOne(ThreadingModel model) throws Throwable {
        int listeners = model == ThreadingModel.REUSEPORT ? 2 : 1;
        try (ProtocolServer server = server(model, Handlers.Echo::new)) {
            assertEquals(Collections.nCopies(listeners, ListenBacklog.defaultBacklog()),
                    TestSupport.listenBacklogs(server.localAddress().getPort()));
        }
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(model).threads(2).backlog(100)
                .handler(Handlers.Echo::new).bind(TestSupport.loopback(0))) {
            assertEquals(Collections.nCopies(listeners, 100),
                    TestSupport.listenBacklogs(server.localAddress().getPort()));
        }
    }
}
