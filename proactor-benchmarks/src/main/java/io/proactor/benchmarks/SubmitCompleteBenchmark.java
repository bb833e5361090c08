package io.proactor.benchmarks;

import io.proactor.AsyncFile;
import io.proactor.CompletionHandler;
import io.proactor.Engines;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The engine's operation path, submit to completion handler, on the cheapest operation the API has: a one-byte
 * positional read of a file in the page cache (the API has no no-op; the kernel serves this read from memory,
 * so what is left is the engine's own cost). {@value #OPERATIONS} operations per invocation, all started and
 * completed on the proactor thread:
 * <ul>
 *   <li>{@code inFlight=1}: each completion starts the next: submit + complete of one operation at a time
 *       (on io_uring one SQE and one {@code io_uring_enter} each; on NIO.2 a {@code pread} on the JDK's pool and
 *       a hand-off back to the proactor);</li>
 *   <li>{@code inFlight=64}: 64 operations started together, each completion restarting one, so completions
 *       arrive in batches and their dispatch dominates (io_uring sends a whole batch in one
 *       {@code io_uring_enter} and reaps it from the completion ring in one pass).</li>
 * </ul>
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes allocated per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SubmitCompleteBenchmark {

    static final int OPERATIONS = 4096;

    @Param({"io_uring", "nio2"})
    public String engine;

    @Param({"1", "64"})
    public int inFlight;

    private Path file;
    private ProactorGroup group;
    private AsyncFile asyncFile;
    private Reads reads;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // tmpfs when there is one: the read never waits for a disk
        Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        file = Files.createTempFile(dir, "submit-complete", ".bin");
        Files.write(file, new byte[4096]);
        group = ProactorGroup.open(Engines.require(engine), 1);
        Proactor proactor = group.next();
        asyncFile = proactor.openFile(file).get(10, TimeUnit.SECONDS);
        reads = new Reads(proactor, asyncFile, inFlight);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        asyncFile.close();
        group.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    @OperationsPerInvocation(OPERATIONS)
    public void readOneCachedByte() {
        reads.run(OPERATIONS);
    }

    /** Keeps {@code inFlight} reads going until the count is reached; buffers and handlers made once. */
    static final class Reads implements Runnable {
        private final Proactor proactor;
        private final AsyncFile file;
        private final ByteBuffer[] buffers;
        private final CompletionHandler<Integer, ByteBuffer> handler;
        private volatile Thread waiter;
        private volatile boolean done;
        private int toStart;
        private int toFinish;

        Reads(Proactor proactor, AsyncFile file, int inFlight) {
            this.proactor = proactor;
            this.file = file;
            this.buffers = new ByteBuffer[inFlight];
            for (int i = 0; i < inFlight; i++) {
                buffers[i] = ByteBuffer.allocateDirect(1);
            }
            this.handler = new CompletionHandler<>() {
                @Override
                public void completed(Integer n, ByteBuffer buffer) {
                    if (--toFinish == 0) {
                        finish();
                    } else if (toStart > 0) {
                        start(buffer);
                    }
                }

                @Override
                public void failed(Throwable e, ByteBuffer buffer) {
                    finish();
                }
            };
        }

        void run(int operations) {
            toStart = operations;
            toFinish = operations;
            done = false;
            waiter = Thread.currentThread();
            proactor.execute(this);
            while (!done) {
                LockSupport.park(this);
            }
        }

        @Override
        public void run() {
            for (ByteBuffer b : buffers) {
                start(b);
            }
        }

        private void start(ByteBuffer buffer) {
            toStart--;
            buffer.clear();
            file.read(buffer, 0, buffer, handler);
        }

        private void finish() {
            done = true;
            LockSupport.unpark(waiter);
        }
    }
}
