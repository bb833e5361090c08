package io.proactor.iouring;

import static io.proactor.tests.TestSupport.assertBytesEqual;
import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.awaitFailure;
import static io.proactor.tests.TestSupport.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncFile;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorGroupConfig;
import io.proactor.ProactorOpenOption;
import io.proactor.core.ProactorLoop;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    void aSmallCompletionQueueUnderManyOperationsLosesNoCompletion() throws Throwable {
        Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "cq-", ".bin");
        String previous = System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, "8"); // CQ of 32 entries
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
                // 32-entry completion ring; whether the kernel parks some in its overflow list or Netty drains
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

    @ParameterizedTest(name = "ringSize={0}")
    @ValueSource(strings = {"abc", "0", "-4", "40000", ""})
    void anInvalidRingSizeIsRefusedWithTheRangeThatWorks(String value) {
        String previous = System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, value);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProactorGroup.open(engine, 1).close());
            assertTrue(e.getMessage().contains("-D" + IoUringEngine.RING_SIZE_PROPERTY + "=" + value + " is not")
                    && e.getMessage().contains("from 1 to 32768"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(IoUringEngine.RING_SIZE_PROPERTY);
            } else {
                System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, previous);
            }
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
