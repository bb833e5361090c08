package io.proactor.nio2;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The alarms that wake a driven NIO.2 loop for its timers. */
class Nio2CompletionEventQueueTest {

    /**
     * An alarm's future is not done until its wake-up returns, and the loop can be called back and ask for its
     * next timer before that: the queue must set a new alarm then, not keep the one that is ringing. Here the
     * group runs the call back on the alarm's own thread, inside its wake-up, which makes that order certain
     * (on a busy machine it happens when the scheduler's thread is preempted right after waking the loop).
     */
    @Test
    void aTimerAskedForWhileTheAlarmIsStillRingingGetsAnAlarmOfItsOwn() throws Exception {
        ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1);
        try {
            Nio2CompletionEventQueue queue = new Nio2CompletionEventQueue(alarms);
            AtomicInteger callBacks = new AtomicInteger();
            CountDownLatch secondCallBack = new CountDownLatch(1);
            queue.drivenBy(() -> {
                if (callBacks.incrementAndGet() == 1) {
                    queue.awaitAndDispatch(TimeUnit.MILLISECONDS.toNanos(50)); // the loop's next timer
                } else {
                    secondCallBack.countDown();
                }
            }, Runnable::run);
            queue.awaitAndDispatch(TimeUnit.MILLISECONDS.toNanos(10)); // the first timer
            assertTrue(secondCallBack.await(5, TimeUnit.SECONDS),
                    "the loop was not called back for its second timer (call backs: " + callBacks.get() + ")");
        } finally {
            alarms.shutdownNow();
        }
    }
}
