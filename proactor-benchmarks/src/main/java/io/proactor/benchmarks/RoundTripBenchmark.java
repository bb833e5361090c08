package io.proactor.benchmarks;

import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.Proactor;
import io.proactor.ProactorGroup;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
 * Echo round trips over loopback, engine as a parameter: a raw-API client on one proactor (write 64 bytes,
 * receive the echo into a lent buffer, repeat) against the library's echo protocol handler on the same
 * engine. Each invocation runs {@value #ROUND_TRIPS} round trips on the client's proactor thread, so the
 * benchmark thread's hand-off is amortised; with {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes
 * allocated per round trip by both sides together, in steady state.
 *
 * <pre>
 *   java -cp 'proactor-benchmarks/target/classes:proactor-benchmarks/target/lib/*' org.openjdk.jmh.Main \
 *        RoundTripBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RoundTripBenchmark {

    static final int ROUND_TRIPS = 1000;
    private static final int SIZE = 64;

    @Param({"io_uring", "nio2"})
    public String engine;

    private ProtocolServer server;
    private ProactorGroup group;
    private AsyncSocket client;
    private PingPong pingPong;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
        server = ProtocolServer.builder().engine(Engines.require(engine)).model(ThreadingModel.SINGLE)
                .handler(() -> echo).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        group = ProactorGroup.open(Engines.require(engine), 1);
        client = group.next().openSocket();
        client.connect(server.localAddress()).get(10, TimeUnit.SECONDS);
        pingPong = new PingPong(client);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        group.close();
        server.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void echoRoundTrip() {
        pingPong.run(ROUND_TRIPS);
    }

    /** Drives the round trips on the client's proactor thread with preallocated handlers and buffers. */
    static final class PingPong implements Runnable {
        private final AsyncSocket socket;
        private final Proactor proactor;
        private final ByteBuffer message = ByteBuffer.allocateDirect(SIZE);
        private final CompletionHandler<Integer, Void> written;
        private final CompletionHandler<LeasedBuffer, Void> echoed;
        private volatile Thread waiter;
        private volatile boolean done;
        private int remaining;
        private int pendingBytes;

        PingPong(AsyncSocket socket) {
            this.socket = socket;
            this.proactor = socket.proactor();
            this.written = new CompletionHandler<>() {
                @Override
                public void completed(Integer n, Void a) {
                    if (message.hasRemaining()) {
                        socket.write(message, null, this);
                    }
                }

                @Override
                public void failed(Throwable exc, Void a) {
                    finish();
                }
            };
            this.echoed = new CompletionHandler<>() {
                @Override
                public void completed(LeasedBuffer lease, Void a) {
                    if (lease == null) {
                        finish();
                        return;
                    }
                    pendingBytes -= lease.buffer().remaining();
                    lease.release();
                    if (pendingBytes > 0) {
                        socket.receive(null, this);
                    } else if (--remaining == 0) {
                        finish();
                    } else {
                        send();
                    }
                }

                @Override
                public void failed(Throwable exc, Void a) {
                    finish();
                }
            };
        }

        void run(int roundTrips) {
            remaining = roundTrips;
            done = false;
            waiter = Thread.currentThread();
            proactor.execute(this);
            while (!done) {
                LockSupport.park(this);
            }
        }

        @Override
        public void run() {
            send();
        }

        private void send() {
            message.clear();
            pendingBytes = SIZE;
            socket.write(message, null, written);
            socket.receive(null, echoed);
        }

        private void finish() {
            done = true;
            LockSupport.unpark(waiter);
        }
    }
}
