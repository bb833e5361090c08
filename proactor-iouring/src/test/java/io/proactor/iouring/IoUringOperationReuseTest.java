package io.proactor.iouring;

import static io.proactor.tests.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.Engine;
import io.proactor.SharedFile;
import io.proactor.core.ProactorLoop;
import io.proactor.protocol.Connection;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.SteadyFileResponses;
import io.proactor.tests.TestSupport;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operation objects of a channel are made once per kind (per operation in flight, for a file) and reused:
 * many operations attach no new one to the channel's ring handle, so the steady state allocates none.
 */
@Timeout(60)
class IoUringOperationReuseTest {

    static {
        Engines.require(IoUringEngine.NAME); // the availability probe's ring, before any leak count
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private final Engine engine = Engines.require(IoUringEngine.NAME);

    @TempDir
    Path dir;

    /** A file in this test's directory, of {@code size} random bytes. */
    private Path file(int size, long seed) throws Exception {
        return Files.write(dir.resolve("file-" + seed + ".bin"), TestSupport.randomBytes(size, seed));
    }

    private static IoUringOperationProcessor processorOf(Proactor p) {
        return (IoUringOperationProcessor) ((ProactorLoop) p).processor();
    }

    @Test
    void aSocketMakesOneOperationPerKindAndReusesIt() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine, 1);
             ServerSocketChannel peerListener = ServerSocketChannel.open().bind(TestSupport.loopback(0))) {
            Proactor p = group.next();
            AsyncSocket s = p.openSocket();
            await(s.connect(peerListener.getLocalAddress()));
            try (SocketChannel peer = peerListener.accept()) {
                ByteBuffer out = ByteBuffer.allocateDirect(64);
                ByteBuffer in = ByteBuffer.allocateDirect(64);
                ByteBuffer echo = ByteBuffer.allocate(64);
                int afterFirstTwo = 0;
                for (int i = 0; i < 200; i++) {
                    out.clear();
                    await(s.write(out));
                    echo.clear();
                    while (echo.hasRemaining()) {
                        peer.read(echo);
                    }
                    echo.flip();
                    peer.write(echo);
                    int received = 0;
                    if (i % 2 == 0) {
                        in.clear();
                        while (in.hasRemaining()) {
                            received += await(s.read(in)); // the first through a RECV, later ones the multishot
                        }
                    } else {
                        while (received < 64) {
                            LeasedBuffer lease = await(s.receive());
                            received += lease.buffer().remaining();
                            lease.release();
                        }
                    }
                    assertEquals(64, received);
                    if (i == 1) {
                        afterFirstTwo = onLoop(p, () -> ((IoUringAsyncSocket) s).handle().attached());
                        assertEquals(4, afterFirstTwo, "connect, read, receive and send: one operation each");
                    }
                }
                assertEquals(afterFirstTwo, onLoop(p, () -> ((IoUringAsyncSocket) s).handle().attached()),
                        "200 round trips made no new operation");
            } finally {
                s.close();
            }
        }
    }

    @Test
    void aFileMakesOneOperationPerOperationInFlightAndReusesThem() throws Throwable {
        Path file = file(4096, 7);
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            Proactor p = group.next();
            AsyncFile f = await(p.openFile(file, StandardOpenOption.READ));
            try {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < 100; i++) {
                    b.clear();
                    assertEquals(64, await(f.read(b, 64L * (i % 64))));
                }
                RingHandle handle = onLoop(p, () -> ((IoUringAsyncFile) f).handle());
                assertEquals(1, onLoop(p, handle::attached), "100 reads one after the other: one operation");
                for (int round = 0; round < 2; round++) {
                    readConcurrently(p, f, 16);
                    assertEquals(16, onLoop(p, handle::attached), "16 reads in flight at once: 16 operations");
                }
            } finally {
                f.close();
            }
        }
    }

    /**
     * Every send of a shared file on a loop borrows the loop's one view of it: no file, ring handle or
     * registration per send. The view holds a reference only while it is used, is kept for the next send
     * while the file is open, and is dropped once the file's last reference is gone; a view with
     * {@link IoUringOperationProcessor#MAX_SENDS_PER_VIEW} users lends a view made for one send.
     */
    @Test
    void sendsOfASharedFileBorrowOneViewPerLoop() throws Throwable {
        Path file = file(1000, 8);
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            Proactor p = group.next();
            IoUringOperationProcessor processor = processorOf(p);
            SharedFile shared = SharedFile.open(file);
            AsyncFile first = onLoop(p, () -> processor.adoptFile(shared));
            AsyncFile second = onLoop(p, () -> processor.adoptFile(shared));
            assertSame(first, second, "two sends, one view");
            assertEquals(2, shared.references(), "the opener's and the view's");
            onLoop(p, () -> end(processor, first));
            assertEquals(2, shared.references(), "still used by one send");
            onLoop(p, () -> end(processor, second));
            assertEquals(1, shared.references(), "unused: the view holds no reference");
            assertTrue(first.isOpen(), "kept for the next send");
            assertSame(first, onLoop(p, () -> processor.adoptFile(shared)), "the kept view is lent again");
            onLoop(p, () -> end(processor, first));

            List<AsyncFile> busy = new ArrayList<>();
            for (int i = 0; i < IoUringOperationProcessor.MAX_SENDS_PER_VIEW + 1; i++) {
                busy.add(onLoop(p, () -> processor.adoptFile(shared)));
            }
            AsyncFile ownView = busy.get(busy.size() - 1);
            assertNotSame(first, ownView, "a full view lends a view of one send's own");
            assertEquals(3, shared.references(), "the opener's, the kept view's, the own view's");
            for (AsyncFile f : busy) {
                onLoop(p, () -> end(processor, f));
            }
            assertFalse(ownView.isOpen(), "a view of one send's own is closed when it ends");
            assertEquals(1, shared.references());

            AsyncFile last = onLoop(p, () -> processor.adoptFile(shared));
            shared.release(); // the opener's: a cache evicting the file during the send
            assertTrue(shared.isOpen(), "the send's view still holds it");
            onLoop(p, () -> end(processor, last));
            assertFalse(shared.isOpen(), "the view's reference was the last");
            assertEquals(0, onLoop(p, processor::views), "the view of a closed file is dropped");
            assertFalse(last.isOpen());
            assertThrows(IllegalStateException.class, () -> onLoop(p, () -> processor.adoptFile(shared)));
            assertEquals(0, onLoop(p, processor::views), "a closed file makes no view");
        }
    }

    /** Views of files that are still open but unused are dropped when the loop holds too many. */
    @Test
    void viewsPerLoopAreBounded() throws Throwable {
        Path file = file(100, 9);
        List<SharedFile> files = new ArrayList<>();
        try {
            try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
                Proactor p = group.next();
                IoUringOperationProcessor processor = processorOf(p);
                for (int i = 0; i < IoUringOperationProcessor.MAX_VIEWS + 50; i++) {
                    SharedFile shared = SharedFile.open(file);
                    files.add(shared);
                    AsyncFile view = onLoop(p, () -> processor.adoptFile(shared));
                    onLoop(p, () -> end(processor, view));
                    assertTrue(onLoop(p, processor::views) <= IoUringOperationProcessor.MAX_VIEWS);
                }
                for (SharedFile shared : files) {
                    assertEquals(1, shared.references(), "no view holds a reference while unused");
                }
            }
        } finally {
            files.forEach(SharedFile::release);
        }
    }

    /**
     * The file server's steady state, on one loop: a response head and a small shared file per request, copied
     * (linked read and send) or spliced. The loop thread allocates a few bytes per request (Netty's lambda per
     * loop iteration), below any object of ours: a view, send, SQE or queue iterator per request would exceed
     * the bound.
     */
    @ParameterizedTest
    @EnumSource(value = Connection.FileSendMode.class, names = {"COPY", "ZERO_COPY"})
    void sendingASharedFileAgainAllocatesAlmostNothing(Connection.FileSendMode mode) throws Throwable {
        long perRequest = SteadyFileResponses.loopBytesPerRequest(engine, file(1024, 10), mode);
        assertTrue(perRequest < 48, perRequest + " B per request");
    }

    private static Void end(IoUringOperationProcessor processor, AsyncFile adopted) {
        processor.endAdoption(adopted);
        return null;
    }

    /** Starts {@code n} reads in one loop task, so that all are in flight together, and waits for them. */
    private static void readConcurrently(Proactor p, AsyncFile f, int n) throws Throwable {
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger done = new AtomicInteger();
        p.execute(() -> {
            for (int i = 0; i < n; i++) {
                f.read(ByteBuffer.allocateDirect(64), 64L * i, null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer read, Object a) {
                        if (read != 64) {
                            all.completeExceptionally(new AssertionError("read " + read + " bytes"));
                        } else if (done.incrementAndGet() == n) {
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
    }

    private static <T> T onLoop(Proactor p, Supplier<T> query) throws Throwable {
        CompletableFuture<T> result = new CompletableFuture<>();
        p.execute(() -> {
            try {
                result.complete(query.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return await(result);
    }
}
