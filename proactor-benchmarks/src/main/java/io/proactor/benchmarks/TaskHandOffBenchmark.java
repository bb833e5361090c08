package io.proactor.benchmarks;

import io.proactor.Engines;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The proactor's task queue ({@code ProactorLoop}'s MPSC queue, {@code Proactor.execute}), engine as a
 * parameter because waking the loop is the engine's part (an eventfd write on io_uring, a wake-up of the NIO.2
 * completion queue): {@value #TASKS} tasks per invocation, one preallocated task object.
 * <ul>
 *   <li>{@code fromOtherThread}: the benchmark thread hands every task over; the cross-thread hand-off,
 *       including the wake-ups of a loop that went to sleep between tasks;</li>
 *   <li>{@code onLoop}: a task on the proactor queues the tasks itself (no wake-up needed): the queue alone.</li>
 * </ul>
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes allocated per task (the unbounded queue links a
 * new chunk of slots as it grows).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TaskHandOffBenchmark {

    static final int TASKS = 4096;

    @Param({"io_uring", "nio2"})
    public String engine;

    private ProactorGroup group;
    private Counter counter;

    @Setup(Level.Trial)
    public void setUp() {
        group = ProactorGroup.open(Engines.require(engine), 1);
        counter = new Counter(group.next());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        group.close();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void fromOtherThread() {
        counter.expect(TASKS);
        for (int i = 0; i < TASKS; i++) {
            counter.proactor.execute(counter);
        }
        counter.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void onLoop() {
        counter.expect(TASKS);
        counter.proactor.execute(counter.fanOut);
        counter.await();
    }

    /** Counts the runs of itself on the proactor; the last one wakes the benchmark thread. */
    static final class Counter implements Runnable {
        final Proactor proactor;
        final Runnable fanOut;
        private volatile Thread waiter;
        private volatile boolean done;
        private int remaining;

        Counter(Proactor proactor) {
            this.proactor = proactor;
            this.fanOut = () -> {
                for (int i = 0; i < TASKS; i++) {
                    proactor.execute(this);
                }
            };
        }

        void expect(int tasks) {
            remaining = tasks; // published to the loop by the queue's offer
            done = false;
            waiter = Thread.currentThread();
        }

        @Override
        public void run() {
            if (--remaining == 0) {
                done = true;
                LockSupport.unpark(waiter);
            }
        }

        void await() {
            while (!done) {
                LockSupport.park(this);
            }
        }
    }
}
