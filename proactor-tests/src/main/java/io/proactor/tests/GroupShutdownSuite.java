package io.proactor.tests;

import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.ProactorGroup;
import io.proactor.Engine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ShutdownChannelGroupException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shutting a whole proactor group down on one completion-based engine: a graceful shutdown ends every pending
 * operation exactly once within its deadline, under load too, ends every thread, and refuses new work; closing a
 * group from its own thread is refused. Each test opens a group of its own. Subclass it per engine and supply
 * {@link #engine()}.
 */
@Timeout(value = 120)
public abstract class GroupShutdownSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The engine under test. */
    protected abstract Engine engine();

    @Test
    void gracefulShutdownFailsPendingOperationsOnceAndEndsEveryThread() throws Throwable {
        ProactorGroup own = ProactorGroup.open(engine(), 2);
        AsyncServerSocket listener = own.next().openServerSocket().bind(loopback(0), 0);
        CompletableFuture<AsyncSocket> accepted = listener.accept(own.next());
        AsyncSocket client = own.next().openSocket();
        await(client.connect(listener.localAddress()));
        AsyncSocket server = await(accepted);
        OnceHandler<Integer> clientRead = new OnceHandler<>();
        OnceHandler<Integer> serverRead = new OnceHandler<>();
        OnceHandler<AsyncSocket> accept = new OnceHandler<>();
        client.read(ByteBuffer.allocate(8), null, clientRead);
        server.read(ByteBuffer.allocate(8), null, serverRead);
        listener.accept(null, accept);

        long start = System.nanoTime();
        await(own.shutdownGracefully(Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "shutdown met its deadline");
        // the future completes once every thread of the group has ended: no handler can be called any more
        for (OnceHandler<?> h : List.of(clientRead, serverRead, accept)) {
            Throwable failure = await(h.first);
            if (failure == null) {
                // the other end was closed first: the read saw end of stream, which is also a single outcome
                assertEquals(-1, h.result, "a read that completes during shutdown can only see end of stream");
            } else {
                assertInstanceOf(AsynchronousCloseException.class, failure);
            }
            h.assertCalledOnce();
        }
        assertFalse(client.isOpen());
        assertFalse(server.isOpen());
        assertFalse(listener.isOpen());
        assertTrue(own.isShuttingDown());
        assertThrows(ShutdownChannelGroupException.class, () -> own.next().openSocket());
        assertThrows(RejectedExecutionException.class, () -> own.next().execute(() -> { }));
        own.close(); // idempotent
    }

    @Test
    void shutdownUnderLoadEndsEveryOperationOnceWithinItsDeadline() throws Throwable {
        ProactorGroup own = ProactorGroup.open(engine(), 2);
        OperationLedger ledger = new OperationLedger();
        AsyncServerSocket listener = own.next().openServerSocket().bind(loopback(0), 64);
        for (int i = 0; i < 20; i++) {
            CompletableFuture<AsyncSocket> accepted = listener.accept(own.next());
            AsyncSocket client = own.next().openSocket();
            await(client.connect(listener.localAddress()));
            AsyncSocket server = await(accepted);
            ledger.echo(server, ByteBuffer.allocate(8192));
            ledger.writeForever(client, ByteBuffer.allocate(8192));
            ledger.readForever(client, ByteBuffer.allocate(8192));
        }
        TestSupport.eventually(() -> ledger.ended.get() > 2000, "operations completing under load");

        long start = System.nanoTime();
        await(own.shutdownGracefully(Duration.ofSeconds(5)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5000, "shutdown took " + millis + " ms, past its 5 s deadline");
        // the future completes once every thread of the group has ended: no handler can be called any more
        assertEquals(0, ledger.endedTwice.get(), "operations whose handler ran twice");
        assertEquals(ledger.started.get(), ledger.ended.get(), "every started operation ended");
        assertTrue(ledger.unexpected.isEmpty(), "unexpected failures: " + ledger.unexpected);
        assertFalse(listener.isOpen());
    }

    /**
     * Keeps operations going on sockets and accounts for each: started when initiated, ended when its handler
     * runs (or when initiating it threw), with a second handler call for one operation counted apart.
     */
    static final class OperationLedger {
        final AtomicLong started = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        final AtomicLong endedTwice = new AtomicLong();
        final java.util.Queue<Throwable> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();

        /** Reads into {@code buffer} and writes back what came, until the socket ends. */
        void echo(AsyncSocket socket, ByteBuffer buffer) {
            start(h -> socket.read(buffer.clear(), null, h), n -> {
                if (n >= 0) {
                    buffer.flip();
                    start(h -> socket.write(buffer, null, h), w -> echo(socket, buffer));
                }
            });
        }

        void writeForever(AsyncSocket socket, ByteBuffer buffer) {
            start(h -> socket.write(buffer.clear(), null, h), n -> writeForever(socket, buffer));
        }

        void readForever(AsyncSocket socket, ByteBuffer buffer) {
            start(h -> socket.read(buffer.clear(), null, h), n -> {
                if (n >= 0) {
                    readForever(socket, buffer);
                }
            });
        }

        private void start(java.util.function.Consumer<CompletionHandler<Integer, Object>> initiate,
                           java.util.function.IntConsumer next) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            started.incrementAndGet();
            try {
                initiate.accept(new CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, Object a) {
                        if (end(done)) {
                            next.accept(n);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Object a) {
                        if (end(done) && !expectedAtShutdown(exc)) {
                            unexpected.add(exc);
                        }
                    }
                });
            } catch (RuntimeException refused) { // initiated on a closed socket or a group shutting down
                end(done);
                if (!expectedAtShutdown(refused)) {
                    unexpected.add(refused);
                }
            }
        }

        private boolean end(java.util.concurrent.atomic.AtomicBoolean done) {
            if (!done.compareAndSet(false, true)) {
                endedTwice.incrementAndGet();
                return false;
            }
            ended.incrementAndGet();
            return true;
        }

        private static boolean expectedAtShutdown(Throwable t) {
            // closed by the shutdown, or the peer's socket was closed first (reset, broken pipe)
            return t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof ShutdownChannelGroupException || t instanceof IOException;
        }
    }

    @Test
    void groupCloseOnItsOwnThreadIsRefused() throws Throwable {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        try (ProactorGroup own = ProactorGroup.open(engine(), 2)) {
            own.next().execute(() -> {
                try {
                    own.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
                ran.complete(null);
            });
            await(ran);
            assertInstanceOf(IllegalStateException.class, thrown.get());
            assertFalse(own.isShuttingDown(), "the refused close began no shutdown");
        }
    }
}
