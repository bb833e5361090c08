package io.proactor.tests;

import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Engine;
import io.proactor.OperationKind;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.ProactorMetrics;
import io.proactor.ProactorMetrics.OperationCounts;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of a {@link Proactor} and a {@link ProactorGroup} on one completion-based engine: each kind of
 * operation is counted once when submitted and once when completed, so in-flight returns to 0; tasks, loop
 * iterations and loop lag are counted; a group sums its proactors. Subclass it per engine and supply
 * {@link #engine()}. ({@link ServerMetricsSuite} covers servers and stalls on every loop-based engine.)
 */
@Timeout(120)
public abstract class MetricsSuite {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @TempDir
    Path dir;

    /** The engine under test. */
    protected abstract Engine engine();

    @Test
    void anEchoRoundTripCountsEachOperationOnceAndLeavesNoneInFlight() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            Proactor proactor = group.next();
            AsyncServerSocket listener = proactor.openServerSocket().bind(loopback(0), 0);
            AsyncSocket client = proactor.openSocket();
            ProactorMetrics before = proactor.metrics();

            CompletableFuture<AsyncSocket> accepted = listener.accept();
            await(client.connect(listener.localAddress()));
            AsyncSocket server = await(accepted);
            await(client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
            ByteBuffer in = ByteBuffer.allocate(4);
            while (in.hasRemaining()) {
                await(server.read(in));
            }
            await(server.write(in.flip()));
            ByteBuffer back = ByteBuffer.allocate(4);
            while (back.hasRemaining()) {
                await(client.read(back));
            }

            ProactorMetrics after = proactor.metrics();
            Map<OperationKind, Long> submitted = delta(before, after, OperationCounts::submitted);
            Map<OperationKind, Long> completed = delta(before, after, OperationCounts::completed);
            long reads = submitted.get(OperationKind.READ);
            assertTrue(reads >= 2, "a read on each side: " + reads); // a read may return part of the 4 bytes
            assertEquals(1L, submitted.get(OperationKind.ACCEPT));
            assertEquals(1L, submitted.get(OperationKind.CONNECT));
            assertEquals(2L, submitted.get(OperationKind.WRITE));
            assertEquals(0L, submitted.get(OperationKind.SHUTDOWN_OUTPUT));
            assertEquals(submitted, completed, "every operation submitted was completed");
            assertEquals(0, after.inFlight(), "nothing in flight: " + after.operations());
            assertEquals(1, after.proactors());
            // published as each iteration ends, which may come just after the work is seen done
            TestSupport.eventually(() -> proactor.metrics().loopIterations() > before.loopIterations()
                    && proactor.metrics().eventsDispatched() > before.eventsDispatched(),
                    "the loop went round and counted the completions it dispatched");

            client.close();
            server.close();
            listener.close();
        }
    }

    @Test
    void anOperationOnAClosedChannelIsSubmittedAndCompletedAsAFailure() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            Proactor proactor = group.next();
            AsyncServerSocket listener = proactor.openServerSocket().bind(loopback(0), 0);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            AsyncSocket client = proactor.openSocket();
            await(client.connect(listener.localAddress()));
            AsyncSocket server = await(accepted);
            ProactorMetrics before = proactor.metrics();
            CompletableFuture<Integer> pending = server.read(ByteBuffer.allocate(8));
            server.close(); // fails the pending read
            TestSupport.awaitFailure(pending);
            assertTrue(TestSupport.awaitFailure(server.read(ByteBuffer.allocate(8))) instanceof ClosedChannelException);
            ProactorMetrics after = proactor.metrics();
            assertEquals(2L, delta(before, after, OperationCounts::submitted).get(OperationKind.READ));
            assertEquals(2L, delta(before, after, OperationCounts::completed).get(OperationKind.READ));
            assertEquals(0, after.inFlight());
            client.close();
            listener.close();
        }
    }

    @Test
    void fileOperationsAreCountedByKind() throws Throwable {
        Path file = Files.writeString(dir.resolve("f.txt"), "0123456789");
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            Proactor proactor = group.next();
            ProactorMetrics before = proactor.metrics();
            try (var f = await(proactor.openFile(file, StandardOpenOption.READ, StandardOpenOption.WRITE))) {
                await(f.read(ByteBuffer.allocate(4), 0));
                await(f.write(ByteBuffer.wrap(new byte[] {9}), 0));
                await(f.force(false));
            }
            ProactorMetrics after = proactor.metrics();
            Map<OperationKind, Long> completed = delta(before, after, OperationCounts::completed);
            assertEquals(1L, completed.get(OperationKind.FILE_READ));
            assertEquals(1L, completed.get(OperationKind.FILE_WRITE));
            assertEquals(1L, completed.get(OperationKind.FILE_FORCE));
            assertEquals(completed, delta(before, after, OperationCounts::submitted));
        }
    }

    @Test
    void tasksAndTheirLagAreCountedAndTheQueueDepthIsSeen() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            Proactor proactor = group.next();
            ProactorMetrics before = proactor.metrics();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            proactor.execute(() -> {
                blocked.countDown();
                try {
                    release.await(TestSupport.STEP_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocked.await(TestSupport.STEP_SECONDS, TimeUnit.SECONDS));
            int tasks = 3 * ProactorMetrics.LAG_SAMPLE_INTERVAL;
            CountDownLatch ran = new CountDownLatch(tasks);
            for (int i = 0; i < tasks; i++) {
                proactor.execute(ran::countDown);
            }
            assertEquals(tasks, proactor.metrics().taskQueueDepth(), "the tasks wait behind the blocked one");
            Thread.sleep(20); // every queued task waits at least this long: its lag
            release.countDown();
            assertTrue(ran.await(TestSupport.STEP_SECONDS, TimeUnit.SECONDS));
            await(CompletableFuture.runAsync(() -> { }, proactor)); // the counters of the tasks above are written

            ProactorMetrics after = proactor.metrics();
            assertTrue(after.tasksExecuted() - before.tasksExecuted() >= tasks + 1,
                    "tasks run: " + (after.tasksExecuted() - before.tasksExecuted()));
            long samples = after.lagSamples() - before.lagSamples();
            assertTrue(samples >= 2, "one task in " + ProactorMetrics.LAG_SAMPLE_INTERVAL + " is measured: " + samples);
            assertTrue(after.lagNanosMax() >= TimeUnit.MILLISECONDS.toNanos(20), "lag max " + after.lagNanosMax());
            assertTrue(after.lagNanosMean() > 0);
            assertEquals(ProactorMetrics.NOT_AVAILABLE, after.stalls(), "no watchdog watches a plain group");
            assertEquals(ProactorMetrics.NOT_AVAILABLE, after.ringEnters(), "no engine counts io_uring_enter");
        }
    }

    @Test
    void aGroupSumsItsProactors() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine(), 2)) {
            for (Proactor p : group.proactors()) {
                for (int i = 0; i < 10; i++) {
                    await(CompletableFuture.runAsync(() -> { }, p));
                }
            }
            ProactorMetrics sum = group.metrics();
            assertEquals(2, sum.proactors());
            assertEquals(engine().name(), sum.name());
            long tasks = group.proactors().stream().mapToLong(p -> p.metrics().tasksExecuted()).sum();
            assertTrue(sum.tasksExecuted() >= 20 && sum.tasksExecuted() <= tasks, sum + " vs " + tasks);
            assertEquals(OperationKind.values().length, sum.operations().size());
        }
    }

    private static Map<OperationKind, Long> delta(ProactorMetrics before, ProactorMetrics after,
                                                  java.util.function.ToLongFunction<OperationCounts> figure) {
        Map<OperationKind, Long> d = new java.util.EnumMap<>(OperationKind.class);
        after.operations().forEach((kind, counts) ->
                d.put(kind, figure.applyAsLong(counts) - figure.applyAsLong(before.operations().get(kind))));
        return d;
    }
}
