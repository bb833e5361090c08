package io.proactor.tests;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.loopback;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.core.ListenBacklog;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritePendingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The asynchronous channel API on one completion-based engine: sockets, server sockets, the handler
 * contract, timeouts, tasks and timers, and closing a channel ({@link GroupShutdownSuite} shuts whole groups
 * down). Subclass it per engine and supply {@link #engine()}.
 */
@Timeout(value = 120)
public abstract class AsyncSocketSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    protected ProactorGroup group;

    /** The engine under test. */
    protected abstract Engine engine();

    @BeforeEach
    void openGroup() {
        group = ProactorGroup.open(engine(), 2);
    }

    @AfterEach
    void closeGroup() {
        group.close();
    }

    private AsyncSocket connectTo(InetSocketAddress address) throws Throwable {
        AsyncSocket socket = group.next().openSocket();
        await(socket.connect(address));
        return socket;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 1000, 65_536, 4 * 1024 * 1024})
    void echoRoundTripIsByteExact(int size) throws Throwable {
        try (SocketPeers.EchoServer server = new SocketPeers.EchoServer(group);
             AsyncSocket client = connectTo(server.address())) {
            byte[] message = randomBytes(size, size);
            CompletableFuture<ByteBuffer> echoed = SocketPeers.readFully(client, size);
            await(SocketPeers.writeFully(client, ByteBuffer.wrap(message)));
            assertBytesEqual(message, await(echoed));
        }
    }

    @Test
    void echoesOn200ConcurrentConnections() throws Throwable {
        try (SocketPeers.EchoServer server = new SocketPeers.EchoServer(group)) {
            List<AsyncSocket> clients = new ArrayList<>();
            List<CompletableFuture<ByteBuffer>> replies = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    clients.add(connectTo(server.address()));
                }
                for (int i = 0; i < clients.size(); i++) {
                    AsyncSocket c = clients.get(i);
                    replies.add(SocketPeers.readFully(c, 8192));
                    SocketPeers.writeFully(c, ByteBuffer.wrap(randomBytes(8192, i)));
                }
                for (int i = 0; i < clients.size(); i++) {
                    assertBytesEqual(randomBytes(8192, i), await(replies.get(i)));
                }
            } finally {
                clients.forEach(AsyncSocket::close);
            }
        }
    }

    @Test
    void halfCloseDeliversEndOfStreamAndStillCarriesTheReply() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
                 AsyncSocket server = await(accepted)) {
                await(SocketPeers.writeFully(client, ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))));
                await(client.shutdownOutput());
                assertEquals("ping", StandardCharsets.US_ASCII.decode(await(SocketPeers.readFully(server, 4))).toString());
                assertEquals(-1, await(server.read(ByteBuffer.allocate(16))), "server sees end of stream");
                await(SocketPeers.writeFully(server, ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII))));
                await(server.shutdownOutput());
                assertEquals("bye", StandardCharsets.US_ASCII.decode(await(SocketPeers.readFully(client, 3))).toString());
                assertEquals(-1, await(client.read(ByteBuffer.allocate(16))), "client sees end of stream");
            }
        }
    }

    @Test
    void peerResetFailsThePendingReadWithAnIoError() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            Socket peer = new Socket();
            peer.connect(listener.localAddress());
            try (AsyncSocket server = await(accepted)) {
                CompletableFuture<Integer> read = server.read(ByteBuffer.allocate(64));
                peer.setSoLinger(true, 0);
                peer.close(); // RST
                Throwable failure = awaitFailure(read);
                assertInstanceOf(IOException.class, failure);
                assertFalse(failure instanceof AsynchronousCloseException, "a reset is not a local close: " + failure);
            }
        }
    }

    /** {@code bind(address, 0)} listens with the kernel's somaxconn, not the JDK's 50; another backlog is kept. */
    @Test
    void bindWithBacklogZeroListensWithTheKernelsSomaxconn() throws Throwable {
        try (AsyncServerSocket byDefault = group.next().openServerSocket().bind(loopback(0), 0);
             AsyncServerSocket seven = group.next().openServerSocket().bind(loopback(0), 7)) {
            assertEquals(List.of(ListenBacklog.defaultBacklog()), TestSupport.listenBacklogs(
                    ((InetSocketAddress) byDefault.localAddress()).getPort()));
            assertEquals(List.of(7), TestSupport.listenBacklogs(((InetSocketAddress) seven.localAddress()).getPort()));
        }
        try (AsyncServerSocket negative = group.next().openServerSocket()) {
            assertThrows(IllegalArgumentException.class, () -> negative.bind(loopback(0), -1));
        }
    }

    @Test
    void connectToAClosedPortIsRefused() throws Throwable {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (AsyncSocket socket = group.next().openSocket()) {
            assertInstanceOf(ConnectException.class, awaitFailure(socket.connect(loopback(port))));
        }
    }

    @Test
    void connectTimeoutFailsAndClosesTheSocket() throws Throwable {
        // A listener with a full accept queue drops further SYNs, so the next connect hangs.
        try (ServerSocket full = new ServerSocket(0, 1, loopback(0).getAddress())) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                fillAcceptQueue(full, fillers);
                AsyncSocket socket = group.next().openSocket();
                long start = System.nanoTime();
                Throwable failure = awaitFailure(socket.connect(
                        new InetSocketAddress(full.getInetAddress(), full.getLocalPort()), 300, TimeUnit.MILLISECONDS));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertInstanceOf(InterruptedByTimeoutException.class, failure);
                assertTrue(tookMillis >= 250, "timed out after only " + tookMillis + " ms");
                assertFalse(socket.isOpen(), "a timed-out socket is closed");
            } finally {
                for (SocketChannel f : fillers) {
                    f.close();
                }
            }
        }
    }

    private static void fillAcceptQueue(ServerSocket full, List<SocketChannel> fillers) throws IOException, InterruptedException {
        for (int i = 0; i < 64; i++) {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            fillers.add(c);
            if (!c.connect(full.getLocalSocketAddress())) {
                long deadline = System.currentTimeMillis() + 200;
                while (!c.finishConnect()) {
                    if (System.currentTimeMillis() > deadline) {
                        return; // this SYN was dropped: the queue is full
                    }
                    Thread.sleep(5);
                }
            }
        }
        throw new AssertionError("could not fill the accept queue of a backlog-1 listener");
    }

    @Test
    void readTimeoutFailsWithInterruptedByTimeoutAndClosesTheSocket() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
                 AsyncSocket server = await(accepted)) {
                Throwable failure = awaitFailure(server.read(ByteBuffer.allocate(8), 100, TimeUnit.MILLISECONDS));
                assertInstanceOf(InterruptedByTimeoutException.class, failure);
                assertFalse(server.isOpen());
                assertEquals(-1, await(client.read(ByteBuffer.allocate(8))), "the peer sees the close");
            }
        }
    }

    @Test
    void closeFailsEveryPendingOperationExactlyOnce() throws Throwable {
        AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0);
        CompletableFuture<AsyncSocket> accepted = listener.accept();
        AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
        AsyncSocket server = await(accepted);
        try {
            OnceHandler<Integer> read = new OnceHandler<>();
            OnceHandler<AsyncSocket> accept = new OnceHandler<>();
            client.read(ByteBuffer.allocate(16), null, read);
            OnceHandler<Integer> write = writeUntilPending(client);
            listener.accept(null, accept);
            Thread.sleep(100);
            client.close();
            listener.close();
            for (OnceHandler<?> h : List.of(read, write, accept)) {
                Throwable failure = await(h.first);
                assertInstanceOf(AsynchronousCloseException.class, failure, "pending operation fails with");
            }
            // once the group has terminated no thread is left to call a handler a second time
            await(group.shutdownGracefully(Duration.ofSeconds(5)));
            for (OnceHandler<?> h : List.of(read, write, accept)) {
                h.assertCalledOnce();
            }
        } finally {
            server.close();
            client.close();
            listener.close();
        }
    }

    /**
     * Writes to a peer that never reads until a write stays pending (the socket buffers are full), and
     * returns that write's handler. A write completes as soon as some bytes went out, so one big write is
     * not enough.
     */
    static OnceHandler<Integer> writeUntilPending(AsyncSocket socket) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1024 * 1024);
        for (int i = 0; i < 512; i++) {
            OnceHandler<Integer> h = new OnceHandler<>();
            socket.write(chunk.clear(), null, h);
            try {
                h.first.get(200, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException pending) {
                return h;
            }
        }
        throw new AssertionError("512 MiB went out to a peer that does not read");
    }

    @Test
    void handlerRunsOnTheProactorThreadAndNeverInsideTheInitiatingCall() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
                 AsyncSocket server = await(accepted)) {
                await(SocketPeers.writeFully(client, ByteBuffer.wrap(new byte[64])));
                Thread.sleep(50); // the bytes are in the server's receive buffer: a read could finish at once
                ThreadLocal<Boolean> initiating = ThreadLocal.withInitial(() -> false);
                List<String> violations = new CopyOnWriteArrayList<>();
                CountDownLatch done = new CountDownLatch(2);
                CompletionHandler<Integer, String> check = new CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, String from) {
                        verify(from);
                    }

                    @Override
                    public void failed(Throwable exc, String from) {
                        violations.add(from + ": failed " + exc);
                        done.countDown();
                    }

                    private void verify(String from) {
                        if (initiating.get()) {
                            violations.add(from + ": handler ran inside the initiating call");
                        }
                        if (!server.proactor().inProactorThread()) {
                            violations.add(from + ": handler ran on " + Thread.currentThread().getName());
                        }
                        done.countDown();
                    }
                };
                Proactor p = server.proactor();
                CompletableFuture<Void> onLoop = new CompletableFuture<>();
                p.execute(() -> {
                    initiating.set(true);
                    try {
                        server.read(ByteBuffer.allocate(32), "from the proactor thread", new CompletionHandler<Integer, String>() {
                            @Override
                            public void completed(Integer n, String from) {
                                check.completed(n, from);
                                // second read, initiated by a foreign thread this time
                                CompletableFuture.runAsync(() -> {
                                    initiating.set(true);
                                    try {
                                        server.read(ByteBuffer.allocate(32), "from another thread", check);
                                    } finally {
                                        initiating.set(false);
                                    }
                                });
                            }

                            @Override
                            public void failed(Throwable exc, String from) {
                                check.failed(exc, from);
                            }
                        });
                    } finally {
                        initiating.set(false);
                        onLoop.complete(null);
                    }
                });
                await(onLoop);
                assertTrue(done.await(TestSupport.STEP_SECONDS, TimeUnit.SECONDS), "both reads completed");
                assertEquals(List.of(), violations);
            }
        }
    }

    @Test
    void aSecondPendingOperationOfTheSameKindThrowsAtOnce() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            assertThrows(AcceptPendingException.class, listener::accept);
            try (AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
                 AsyncSocket server = await(accepted)) {
                CompletableFuture<Integer> first = server.read(ByteBuffer.allocate(8));
                assertThrows(ReadPendingException.class, () -> server.read(ByteBuffer.allocate(8)));
                assertThrows(ReadPendingException.class, server::receive);
                OnceHandler<Integer> pendingWrite = writeUntilPending(client);
                assertThrows(WritePendingException.class, () -> client.write(ByteBuffer.allocate(1)));
                client.close();
                assertInstanceOf(AsynchronousCloseException.class, await(pendingWrite.first));
                assertTrue(await(first) > 0, "the first read still gets the bytes sent before the close");
            }
        }
    }

    @Test
    void receiveLendsABufferThatCanBeReleasedOnlyOnce() throws Throwable {
        try (AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0)) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (AsyncSocket client = connectTo((InetSocketAddress) listener.localAddress());
                 AsyncSocket server = await(accepted)) {
                byte[] message = randomBytes(100, 7);
                await(SocketPeers.writeFully(client, ByteBuffer.wrap(message)));
                int got = 0;
                while (got < message.length) {
                    LeasedBuffer lease = await(server.receive());
                    assertNotNull(lease);
                    ByteBuffer b = lease.buffer();
                    while (b.hasRemaining()) {
                        assertEquals(message[got++], b.get(), "byte " + (got - 1));
                    }
                    lease.release();
                    assertThrows(IllegalStateException.class, lease::release);
                }
                client.close();
                assertEquals(null, await(server.receive()), "end of stream is a null lease");
            }
        }
    }

    @Test
    void operationsOnAClosedSocketFailWithClosedChannelException() throws Throwable {
        AsyncSocket socket = group.next().openSocket();
        socket.close();
        socket.close(); // idempotent
        assertFalse(socket.isOpen());
        assertInstanceOf(ClosedChannelException.class, awaitFailure(socket.connect(loopback(9))));
        assertInstanceOf(ClosedChannelException.class, awaitFailure(socket.read(ByteBuffer.allocate(1))));
        assertInstanceOf(ClosedChannelException.class, awaitFailure(socket.write(ByteBuffer.allocate(1))));
    }

    @Test
    void misuseThrowsAtOnceWithAMessage() throws Throwable {
        try (AsyncSocket socket = group.next().openSocket()) {
            NullPointerException npe = assertThrows(NullPointerException.class,
                    () -> socket.read(ByteBuffer.allocate(1), null, null));
            assertTrue(npe.getMessage().contains("handler"), npe.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> socket.read(ByteBuffer.allocate(1), -1, TimeUnit.SECONDS, null, new OnceHandler<>()));
            assertThrows(IllegalArgumentException.class, () -> socket.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
            assertThrows(NotYetConnectedException.class, () -> socket.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> socket.write(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void tasksRunInOrderOnTheProactorAndTimersFireUnlessCancelled() throws Throwable {
        Proactor p = group.next();
        List<Integer> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            p.execute(() -> {
                if (!p.inProactorThread()) {
                    done.completeExceptionally(new AssertionError("task ran on " + Thread.currentThread()));
                }
                order.add(n);
            });
        }
        AtomicInteger cancelledRuns = new AtomicInteger();
        p.schedule(cancelledRuns::incrementAndGet, 50, TimeUnit.MILLISECONDS).cancel();
        long start = System.nanoTime();
        p.schedule(() -> done.complete(null), 100, TimeUnit.MILLISECONDS);
        await(done);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(95), "timer fired early");
        assertEquals(1000, order.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, order.get(i));
        }
        assertEquals(0, cancelledRuns.get(), "a cancelled timer ran");
    }

    @Test
    void closeRacingWithACompletionEndsTheOperationOnce() throws Throwable {
        AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 64);
        try (Socket peer = new Socket()) {
            CompletableFuture<AsyncSocket> first = listener.accept();
            peer.connect(listener.localAddress());
            await(first).close();
        }
        int completedWithData = 0;
        List<OnceHandler<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket peer = new Socket()) {
                peer.connect(listener.localAddress());
                AsyncSocket server = await(accepted);
                OnceHandler<Integer> read = new OnceHandler<>();
                reads.add(read);
                server.read(ByteBuffer.allocate(16), null, read);
                peer.getOutputStream().write(1); // the read's completion and the close below race
                if (i % 2 == 0) {
                    server.close();
                } else {
                    server.proactor().execute(server::close);
                }
                Throwable failure = await(read.first);
                if (failure == null) {
                    assertEquals(1, read.result, "a read that won the race got the byte");
                    completedWithData++;
                } else {
                    assertInstanceOf(AsynchronousCloseException.class, failure, "a read that lost the race");
                }
            }
        }
        listener.close();
        // once the group has terminated no thread is left to call a handler a second time
        await(group.shutdownGracefully(Duration.ofSeconds(5)));
        for (OnceHandler<Integer> read : reads) {
            read.assertCalledOnce();
        }
        System.out.println(engine().name() + ": close raced a completion 300 times; the read won " + completedWithData);
    }
}
