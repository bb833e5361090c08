package io.proactor.iouring;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.ProactorOpenOption;
import io.proactor.core.ProactorLoop;
import io.proactor.spi.Engine;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** io_uring-specific behaviour the shared suites cannot see: multishot, provided buffers, CQ overflow, O_DIRECT. */
@Timeout(120)
class IoUringEngineTest {

    static {
        Engines.require(IoUringEngine.NAME); // the availability probe's ring, before any leak count
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private final Engine engine = Engines.require(IoUringEngine.NAME);

    @Test
    void oneMultishotAcceptTakesABurstOf1000Connects() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 2048);
            ConcurrentLinkedQueue<AsyncSocket> accepted = new ConcurrentLinkedQueue<>();
            CompletableFuture<Void> all = new CompletableFuture<>();
            listener.accept(null, new CompletionHandler<AsyncSocket, Object>() {
                @Override
                public void completed(AsyncSocket s, Object a) {
                    accepted.add(s);
                    if (accepted.size() == 1000) {
                        all.complete(null);
                    } else {
                        listener.accept(null, this);
                    }
                }

                @Override
                public void failed(Throwable exc, Object a) {
                    all.completeExceptionally(exc);
                }
            });
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    clients.add(SocketChannel.open(listener.localAddress()));
                }
                await(all);
                CompletableFuture<Integer> submissions = new CompletableFuture<>();
                group.next().execute(() -> submissions.complete(((IoUringAsyncServerSocket) listener).acceptSubmissions()));
                assertEquals(1, await(submissions), "one ACCEPT SQE served all 1000 connections");
                assertEquals(1000, accepted.size());
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
                accepted.forEach(AsyncSocket::close);
                listener.close();
            }
        }
    }

    @Test
    void idleConnectionsWithAReceivePendingHoldNoBuffer() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine, ProactorGroupConfig.of(1).withReceiveBuffers(4096, 8))) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 512);
            List<SocketChannel> clients = new ArrayList<>();
            List<AsyncSocket> servers = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    CompletableFuture<AsyncSocket> a = listener.accept();
                    clients.add(SocketChannel.open(listener.localAddress()));
                    AsyncSocket s = await(a);
                    servers.add(s);
                    s.receive(); // stays pending: the client sends nothing
                }
                assertEquals(0, lentBuffers(group), "200 pending receives, 8 buffers in the group, none taken");
            } finally {
                servers.forEach(AsyncSocket::close);
                for (SocketChannel c : clients) {
                    c.close();
                }
                listener.close();
            }
        }
    }

    private static int lentBuffers(ProactorGroup group) throws Throwable {
        ProactorLoop loop = (ProactorLoop) group.next();
        CompletableFuture<Integer> n = new CompletableFuture<>();
        loop.execute(() -> n.complete(((IoUringOperationProcessor) loop.processor()).buffers().lent()));
        return await(n);
    }

    @Test
    void exhaustedProvidedBuffersRecoverWithNoDataLost() throws Throwable {
        int buffers = 4;
        int connections = 8;
        int perConnection = 4096;
        try (ProactorGroup group = ProactorGroup.open(engine,
                ProactorGroupConfig.of(1).withReceiveBuffers(1024, buffers))) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 64);
            List<Socket> clients = new ArrayList<>();
            List<AsyncSocket> servers = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    CompletableFuture<AsyncSocket> a = listener.accept();
                    Socket c = new Socket();
                    c.connect(listener.localAddress());
                    clients.add(c);
                    servers.add(await(a));
                    OutputStream out = c.getOutputStream();
                    out.write(randomBytes(perConnection, i));
                    out.flush();
                }
                Thread.sleep(100); // all the bytes are in the server's socket buffers
                // Phase 1: one receive per connection, nothing released: the group runs dry (a multishot receive
                // may take several buffers for one connection), and the other receives wait instead of failing.
                List<CompletableFuture<LeasedBuffer>> first = new ArrayList<>();
                for (AsyncSocket s : servers) {
                    first.add(s.receive());
                }
                Thread.sleep(300);
                long done = first.stream().filter(CompletableFuture::isDone).count();
                assertEquals(buffers, lentBuffers(group), "every buffer of the group is taken");
                assertTrue(done >= 1 && done <= buffers, "receives completed with the group dry: " + done);
                assertTrue(first.stream().noneMatch(CompletableFuture::isCompletedExceptionally), "none failed");
                // Phase 2: consume and give back every lease as soon as it arrives (as a handler would); the
                // waiting receives resume and every byte arrives, in order.
                ByteBuffer[] got = new ByteBuffer[connections];
                for (int i = 0; i < connections; i++) {
                    got[i] = ByteBuffer.allocate(perConnection);
                }
                List<CompletableFuture<LeasedBuffer>> current = new ArrayList<>(first);
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
                int complete = 0;
                while (complete < connections) {
                    boolean progress = false;
                    for (int i = 0; i < connections; i++) {
                        if (got[i].hasRemaining() && current.get(i).isDone()) {
                            take(current.get(i), got[i]);
                            progress = true;
                            if (got[i].hasRemaining()) {
                                current.set(i, servers.get(i).receive());
                            } else {
                                complete++;
                            }
                        }
                    }
                    if (!progress) {
                        assertTrue(System.nanoTime() < deadline, "receives stalled; complete: " + complete);
                        Thread.sleep(1);
                    }
                }
                for (int i = 0; i < connections; i++) {
                    assertBytesEqual(randomBytes(perConnection, i), got[i].flip());
                }
                assertEquals(0, lentBuffers(group));
            } finally {
                servers.forEach(AsyncSocket::close);
                for (Socket c : clients) {
                    c.close();
                }
                listener.close();
            }
        }
    }

    @Test
    void aQuietRingGivesEachReleasedBufferBackAtOnce() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine,
                ProactorGroupConfig.of(1).withReceiveBuffers(1024, 2))) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 8);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                AsyncSocket server = await(accepted);
                // with two buffers, ten messages go through only if every release reaches the kernel
                for (int i = 0; i < 10; i++) {
                    client.getOutputStream().write(randomBytes(100, i));
                    LeasedBuffer lease = await(server.receive());
                    assertBytesEqual(randomBytes(100, i), lease.buffer());
                    long before = provideSubmissions(group);
                    lease.release();
                    assertEquals(before + 1, provideSubmissions(group), "given back by the release itself");
                }
                server.close();
            } finally {
                listener.close();
            }
        }
    }

    @Test
    void aBusyRingGivesReleasedBuffersBackInRuns() throws Throwable {
        int connections = 16;
        try (ProactorGroup group = ProactorGroup.open(engine,
                ProactorGroupConfig.of(1).withReceiveBuffers(1024, 64))) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 64);
            List<Socket> clients = new ArrayList<>();
            List<AsyncSocket> servers = new ArrayList<>();
            AtomicInteger buffersReceived = new AtomicInteger();
            try {
                for (int i = 0; i < connections; i++) {
                    CompletableFuture<AsyncSocket> a = listener.accept();
                    Socket c = new Socket();
                    c.connect(listener.localAddress());
                    clients.add(c);
                    AsyncSocket s = await(a);
                    servers.add(s);
                    echoWithLeases(s, buffersReceived);
                }
                for (int round = 0; round < 3; round++) {
                    long before = provideSubmissions(group);
                    // hold the loop while every client sends, so one ring run hands out all the receives
                    CountDownLatch sent = new CountDownLatch(1);
                    group.next().execute(() -> awaitQuietly(sent));
                    for (int i = 0; i < connections; i++) {
                        clients.get(i).getOutputStream().write(randomBytes(100, round * connections + i));
                    }
                    Thread.sleep(20);
                    sent.countDown();
                    for (int i = 0; i < connections; i++) {
                        byte[] echo = clients.get(i).getInputStream().readNBytes(100);
                        assertBytesEqual(randomBytes(100, round * connections + i), ByteBuffer.wrap(echo));
                    }
                    long provides = provideSubmissions(group) - before;
                    assertTrue(provides <= connections / 2, provides + " PROVIDE_BUFFERS for " + connections
                            + " buffers released in one busy run: they were not given back together");
                }
                assertEquals(3 * connections, buffersReceived.get(), "one buffer per message");
            } finally {
                servers.forEach(AsyncSocket::close);
                for (Socket c : clients) {
                    c.close();
                }
                listener.close();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Echoes what {@code s} receives: copies each lease, releases it at once, writes the copy, receives again. */
    private static void echoWithLeases(AsyncSocket s, AtomicInteger buffersReceived) {
        s.receive(null, new CompletionHandler<LeasedBuffer, Void>() {
            @Override
            public void completed(LeasedBuffer lease, Void a) {
                if (lease == null) {
                    return;
                }
                buffersReceived.incrementAndGet();
                ByteBuffer copy = ByteBuffer.allocate(lease.buffer().remaining()).put(lease.buffer()).flip();
                lease.release();
                CompletionHandler<LeasedBuffer, Void> next = this;
                s.write(copy, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void b) {
                        if (copy.hasRemaining()) {
                            s.write(copy, null, this);
                        } else {
                            s.receive(null, next);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Void b) {
                    }
                });
            }

            @Override
            public void failed(Throwable exc, Void a) {
            }
        });
    }

    private static long provideSubmissions(ProactorGroup group) throws Throwable {
        ProactorLoop loop = (ProactorLoop) group.next();
        CompletableFuture<Long> n = new CompletableFuture<>();
        loop.execute(() -> n.complete(((IoUringOperationProcessor) loop.processor()).buffers().provideSubmissions()));
        return await(n);
    }

    /** Copies a received lease into {@code into} and gives the buffer back. */
    private static void take(CompletableFuture<LeasedBuffer> receive, ByteBuffer into) throws Throwable {
        LeasedBuffer lease = await(receive);
        assertNotNull(lease, "end of stream before all bytes arrived");
        into.put(lease.buffer());
        lease.release();
    }

    @Test
    void aSmallCompletionQueueUnderManyOperationsLosesNoCompletion() throws Throwable {
        Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "cq-", ".bin");
        String previous = System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, "8"); // CQ of 16 entries
        try {
            byte[] content = randomBytes(4096, 42);
            Files.write(file, content);
            try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
                Proactor p = group.next();
                AsyncFile f = await(p.openFile(file, StandardOpenOption.READ));
                int ops = 2000;
                AtomicInteger correct = new AtomicInteger();
                CompletableFuture<Void> all = new CompletableFuture<>();
                AtomicInteger finished = new AtomicInteger();
                // queued in one loop iteration: 2000 SQEs through an 8-entry submission ring, 2000 CQEs through a
                // 16-entry completion ring; whether the kernel parks some in its overflow list or Netty drains
                // them in time, every one must reach its handler
                p.execute(() -> {
                    for (int i = 0; i < ops; i++) {
                        int offset = (i * 8) % 4096;
                        ByteBuffer b = ByteBuffer.allocateDirect(8);
                        f.read(b, offset, null, new CompletionHandler<Integer, Object>() {
                            @Override
                            public void completed(Integer n, Object a) {
                                b.flip();
                                boolean same = n == 8;
                                for (int k = 0; same && k < 8; k++) {
                                    same = b.get(k) == content[offset + k];
                                }
                                if (same) {
                                    correct.incrementAndGet();
                                }
                                if (finished.incrementAndGet() == ops) {
                                    all.complete(null);
                                }
                            }

                            @Override
                            public void failed(Throwable exc, Object a) {
                                all.completeExceptionally(exc);
                            }
                        });
                    }
                });
                await(all);
                assertEquals(ops, correct.get(), "every read completed with the right bytes");
                f.close();
            }
        } finally {
            if (previous == null) {
                System.clearProperty(IoUringEngine.RING_SIZE_PROPERTY);
            } else {
                System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, previous);
            }
            Files.deleteIfExists(file);
        }
    }

    @Test
    void directIoMisalignmentIsReportedWithWhatIsWrong() throws Throwable {
        Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "direct-", ".bin");
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            Files.write(file, randomBytes(16384, 1));
            AsyncFile f = await(group.next().openFile(file, StandardOpenOption.READ, ProactorOpenOption.DIRECT));
            ByteBuffer aligned = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096);
            assertEquals(8192, await(f.read(aligned.limit(8192), 4096)));
            assertMessage(f.read(aligned.clear().position(1).limit(4097).slice(), 0), "buffer address");
            assertMessage(f.read(aligned.clear().limit(4096), 100), "file position 100 is not a multiple of 4096");
            assertMessage(f.read(aligned.clear().limit(100), 0), "length 100 is not a multiple of 4096");
            assertMessage(f.read(ByteBuffer.allocate(4096), 0), "needs a direct buffer");
            f.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void assertMessage(CompletableFuture<?> op, String expected) throws Exception {
        Throwable failure = awaitFailure(op);
        assertInstanceOf(IOException.class, failure);
        assertTrue(failure.getMessage().contains(expected), failure.getMessage());
    }
}
