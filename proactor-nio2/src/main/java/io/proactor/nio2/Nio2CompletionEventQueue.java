package io.proactor.nio2;

import io.proactor.core.Handlers;
import io.proactor.spi.CompletionEventQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * The NIO.2 Completion Event Queue. The proactor's thread is the one thread of its JDK channel group, so the
 * JDK waits for socket events and calls their completion handlers on it (see {@link Nio2Completion}); the
 * proactor loop is <em>driven</em> by the JDK's. What this queue holds is what arrives from other threads:
 * file completions from the file pool and completions of sockets another proactor's group owns. They are
 * {@link #post posted} here and run on the proactor thread in its next iteration.
 *
 * <p>Waiting is the JDK's. {@link #wakeup} makes it call back: it hands the group a task (the JDK queues it and
 * writes its own wake-up pipe), at most one outstanding. {@link #awaitAndDispatch} never blocks: it runs what
 * was posted and, when the loop has a timer due within {@code timeoutNanos}, sets an alarm on the group's
 * shared scheduler that wakes the loop then.
 *
 * <p><b>Threading.</b> {@link #post} and {@link #wakeup} from any thread; the rest on the proactor thread.
 */
final class Nio2CompletionEventQueue implements CompletionEventQueue {

    private static final long ALARM_SLACK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final MessagePassingQueue<Runnable> completions = new MpscUnboundedArrayQueue<>(1024);
    private final MessagePassingQueue.Consumer<Runnable> dispatcher = Handlers::run;
    private final ScheduledExecutorService alarms;
    private final Runnable ring = this::ring;
    /** A call back requested from the group and not yet begun. */
    private final AtomicBoolean callbackPending = new AtomicBoolean();
    private Executor group;
    private Runnable callback;
    private ScheduledFuture<?> alarm;
    /** When {@link #alarm} rings, by this queue's reading of the clock as it set it. */
    private long alarmDeadline;
    /**
     * Set by {@link #alarm} as it begins to ring, before it wakes the loop. The alarm's future is not done until
     * its wake-up returns, and the loop may already run, called back, by then: it must not keep that alarm.
     */
    private volatile boolean alarmRang;

    /** @param alarms the proactor group's scheduler, for timers */
    Nio2CompletionEventQueue(ScheduledExecutorService alarms) {
        this.alarms = alarms;
    }

    /**
     * Connects the queue to its loop and the JDK channel group that drives it; once, before the loop starts.
     *
     * @param loopStep runs the loop's iterations on the group's thread ({@code ProactorLoop.dispatchDriven(null)})
     */
    void drivenBy(Runnable loopStep, Executor group) {
        this.group = group;
        this.callback = () -> {
            callbackPending.set(false); // before the loop looks at its work: a later wake-up calls back again
            loopStep.run();
        };
    }

    /** Adds a finished operation, to be run on the proactor thread; any thread. */
    void post(Runnable completion) {
        completions.offer(completion);
        wakeup();
    }

    @Override
    public int awaitAndDispatch(long timeoutNanos) {
        int n = completions.drain(dispatcher);
        if (timeoutNanos > 0) {
            alarmIn(timeoutNanos);
        }
        return n;
    }

    /**
     * Makes sure the loop is called back within {@code nanos}: keeps an alarm set for the same deadline or a
     * sooner one. Each iteration asks again for the next timer, each time measured from a slightly later clock
     * reading, so an alarm up to {@link #ALARM_SLACK_NANOS} later than asked is kept too: setting a new one
     * takes the scheduler's lock and wakes its thread.
     */
    private void alarmIn(long nanos) {
        long deadline = System.nanoTime() + nanos;
        ScheduledFuture<?> current = alarm;
        if (current != null && !alarmRang && alarmDeadline - deadline <= ALARM_SLACK_NANOS) {
            return;
        }
        if (current != null) {
            current.cancel(false);
        }
        alarmRang = false; // before the new alarm can ring; an old one that rings late only costs a new alarm
        try {
            alarm = alarms.schedule(ring, nanos, TimeUnit.NANOSECONDS);
            alarmDeadline = deadline;
        } catch (RejectedExecutionException groupClosed) {
            alarm = null;
        }
    }

    private void ring() {
        alarmRang = true;
        wakeup();
    }

    @Override
    public void wakeup() {
        if (callbackPending.get() || callbackPending.getAndSet(true)) {
            return; // the call back to come will see what this caller added
        }
        try {
            group.execute(callback);
        } catch (RejectedExecutionException shutDown) {
            // the group shut down as its loop ended: nothing is left to run
        }
    }

    @Override
    public void close() {
        if (alarm != null) {
            alarm.cancel(false);
        }
        completions.clear();
    }
}
