package io.proactor.iouring;

import static io.proactor.tests.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proactor.AsyncFile;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.Engine;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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
        Path file = Files.createTempFile(Files.createDirectories(Path.of("target")), "reuse-", ".bin");
        try {
            Files.write(file, TestSupport.randomBytes(4096, 7));
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
        } finally {
            Files.deleteIfExists(file);
        }
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
        p.execute(() -> result.complete(query.get()));
        return await(result);
    }
}
