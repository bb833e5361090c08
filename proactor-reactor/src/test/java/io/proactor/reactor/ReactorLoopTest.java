package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.tests.LeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The loop's hand-over of tasks: ordered, never lost, and waking the selector only when it sleeps. */
@Timeout(60)
class ReactorLoopTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @Test
    void tasksFromManyThreadsRunOnceEachInEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        ReactorLoop loop = new ReactorLoop("test-loop-0", 64);
        try {
            int[] last = new int[threads]; // loop thread only
            AtomicLong outOfOrder = new AtomicLong();
            AtomicLong ran = new AtomicLong();
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                producers.add(Thread.ofPlatform().name("producer-" + t).start(() -> {
                    for (int i = 1; i <= perThread; i++) {
                        int seq = i;
                        loop.execute(() -> {
                            if (!loop.inLoop() || last[id] != seq - 1) {
                                outOfOrder.incrementAndGet();
                            }
                            last[id] = seq;
                            ran.incrementAndGet();
                        });
                    }
                }));
            }
            for (Thread p : producers) {
                p.join();
            }
            CompletableFuture<Void> drained = new CompletableFuture<>();
            loop.execute(() -> drained.complete(null));
            drained.get(30, TimeUnit.SECONDS);
            assertEquals((long) threads * perThread, ran.get());
            assertEquals(0, outOfOrder.get());
        } finally {
            loop.close();
        }
    }

    @Test
    void aBusyLoopIsNotWokenAndTheLoopNeverWakesItself() throws Exception {
        ReactorLoop loop = new ReactorLoop("test-loop-0", 64);
        try {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                busy.countDown();
                await(release);
                for (int i = 0; i < 1000; i++) {
                    loop.execute(() -> { }); // from the loop itself: it is awake
                }
            });
            busy.await();
            long before = loop.wakeups();
            for (int i = 0; i < 1000; i++) {
                loop.execute(() -> { }); // the loop is running a task, not selecting
            }
            assertEquals(before, loop.wakeups(), "no wakeup while the loop is busy");
            release.countDown();
            CompletableFuture<Void> drained = new CompletableFuture<>();
            loop.execute(() -> drained.complete(null));
            drained.get(30, TimeUnit.SECONDS);
            assertTrue(loop.wakeups() <= before + 1, "at most the last hand-over found it asleep: " + loop.wakeups());
        } finally {
            loop.close();
        }
    }

    @Test
    void aTaskHandedOverWhileTheLoopEndsEitherRunsOrIsRejected() throws Exception {
        for (int round = 0; round < 20; round++) {
            ReactorLoop loop = new ReactorLoop("test-loop-0", 64);
            AtomicLong ran = new AtomicLong();
            AtomicLong rejected = new AtomicLong();
            AtomicLong submitted = new AtomicLong();
            Thread producer = Thread.ofPlatform().name("producer").start(() -> {
                while (true) {
                    submitted.incrementAndGet();
                    try {
                        loop.execute(ran::incrementAndGet);
                    } catch (RejectedExecutionException e) {
                        rejected.incrementAndGet();
                        return;
                    }
                }
            });
            Thread.sleep(2);
            loop.close();
            producer.join();
            assertEquals(submitted.get(), ran.get() + rejected.get(), "every task ran or was refused");
            assertEquals(1, rejected.get());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
