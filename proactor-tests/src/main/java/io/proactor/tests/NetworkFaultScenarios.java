package io.proactor.tests;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Engines;
import io.proactor.ProactorGroup;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.spi.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child-JVM side of {@link NetworkFaultSuite}: runs one fault scenario on one engine inside the network
 * namespace the suite created, changing that namespace's firewall ({@code iptables}) and queueing
 * ({@code tc}) itself, so nothing outside the namespace is touched. Prints {@code ok ...} and exits 0 when
 * the scenario ends in its defined outcome with nothing leaked (descriptors, threads, direct buffers);
 * otherwise prints why and exits 1.
 *
 * <p>Usage: {@code NetworkFaultScenarios ENGINE SCENARIO}; scenarios: {@code reset-mid-transfer},
 * {@code black-holed-connect}, {@code black-holed-read}, {@code slow-link}.
 */
public final class NetworkFaultScenarios {

    static final List<String> SCENARIOS = List.of("reset-mid-transfer", "black-holed-connect", "black-holed-read",
            "slow-link");
    private static final long STEP_SECONDS = 20;

    private final Engine engine;

    private NetworkFaultScenarios(Engine engine) {
        this.engine = engine;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !SCENARIOS.contains(args[1])) {
            System.err.println("usage: NetworkFaultScenarios ENGINE " + String.join("|", SCENARIOS));
            System.exit(2);
        }
        LeakCheck leaks = new LeakCheck();
        NetworkFaultScenarios run = new NetworkFaultScenarios(Engines.require(args[0]));
        try {
            TestSupport.useEngineOnce(run.engine);
            leaks.beforeEach(null);
            String outcome = switch (args[1]) {
                case "reset-mid-transfer" -> run.resetMidTransfer();
                case "black-holed-connect" -> run.blackHoledConnect();
                case "black-holed-read" -> run.blackHoledRead();
                default -> run.slowLink();
            };
            leaks.verify(args[1]);
            System.out.println("ok " + outcome);
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("failed: " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** Records how a connection ended, and how often its end was reported (must be exactly once). */
    static final class Ending implements ProtocolHandler {
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger bytesRead = new AtomicInteger();
        final CompletableFuture<Connection> opened = new CompletableFuture<>();
        private final boolean echo;

        Ending(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void onOpen(Connection connection) {
            opened.complete(connection);
        }

        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            bytesRead.addAndGet(data.remaining());
            if (echo) {
                connection.write(data);
            } else {
                data.position(data.limit());
            }
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            closes.incrementAndGet();
            closed.complete(cause);
        }
    }

    /**
     * Every segment of a busy echo connection is rejected with a TCP reset: the client's handler hears of it
     * once, with an {@link IOException}, and so does the server's once it sends; the server carries on and
     * serves the next connection once the rule is gone.
     */
    String resetMidTransfer() throws Exception {
        CompletableFuture<Ending> serverSide = new CompletableFuture<>();
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).model(ThreadingModel.SINGLE)
                .handler(() -> {
                    Ending e = new Ending(true);
                    serverSide.complete(e);
                    return e;
                }).bind(new InetSocketAddress("127.0.0.1", 0));
             ProtocolClient client = ProtocolClient.builder().engine(engine).build()) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Ending clientSide = new Ending(false);
            Connection c = client.connect(server.localAddress(), clientSide).get(STEP_SECONDS, TimeUnit.SECONDS);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int i = 0; i < 16; i++) { // 1 MiB queued: the transfer is under way when the resets come
                c.write(ByteBuffer.wrap(chunk));
            }
            await(() -> clientSide.bytesRead.get() > 0, "echoed bytes before the fault");
            // every segment of the connection either way, except the resets REJECT itself sends
            String rule = "INPUT -p tcp ! --tcp-flags RST RST -m multiport --ports " + port
                    + " -j REJECT --reject-with tcp-reset";
            sh("iptables -A " + rule);
            for (int i = 0; i < 64; i++) { // keep traffic flowing into the rule
                c.write(ByteBuffer.wrap(chunk));
            }
            Throwable clientCause = ending("client", clientSide);
            // The server hears of the fault when it next sends (its segment is rejected with a reset); it may
            // have heard already, while echo data was still on its way. An idle server is not told: that is TCP.
            serverSide.get().opened.get().write(ByteBuffer.wrap("still there?".getBytes()));
            Throwable serverCause = ending("server", serverSide.get());
            expectIoError("client", clientCause);
            expectIoError("server", serverCause);
            Thread.sleep(200); // a second report, if any, would come now
            expectOnce("client", clientSide.closes.get());
            expectOnce("server", serverSide.get().closes.get());

            sh("iptables -D " + rule);
            Handlers.Collector again = new Handlers.Collector();
            Connection next = client.connect(server.localAddress(), again).get(STEP_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<byte[]> echoed = again.received(5);
            next.write(ByteBuffer.wrap("hello".getBytes()));
            if (!new String(echoed.get(STEP_SECONDS, TimeUnit.SECONDS)).equals("hello")) {
                throw new AssertionError("the server did not echo after the fault");
            }
            next.close();
            again.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
            return "client: " + clientCause + "; server: " + serverCause;
        }
    }

    /** SYNs to a port are dropped: the connect fails after the client's connect timeout, once. */
    String blackHoledConnect() throws Exception {
        int port = 9; // nothing listens; without the rule the connect would be refused at once
        sh("iptables -A INPUT -p tcp --dport " + port + " -j DROP");
        try (ProtocolClient client = ProtocolClient.builder().engine(engine)
                .connectTimeout(Duration.ofMillis(300)).build()) {
            Ending never = new Ending(false);
            long start = System.nanoTime();
            CompletableFuture<Connection> connect = client.connect(new InetSocketAddress("127.0.0.1", port), never);
            Throwable cause;
            try {
                connect.get(STEP_SECONDS, TimeUnit.SECONDS);
                throw new AssertionError("connected through a black hole");
            } catch (ExecutionException e) {
                cause = e.getCause();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!(cause instanceof InterruptedByTimeoutException) && !(cause instanceof java.net.SocketTimeoutException)) {
                throw new AssertionError("expected a connect timeout, got " + cause, cause);
            }
            if (millis < 250 || millis > 5000) {
                throw new AssertionError("the 300 ms connect timeout fired after " + millis + " ms");
            }
            if (never.closes.get() != 0) {
                throw new AssertionError("onClose of a connection that never opened");
            }
            return cause + " after " + millis + " ms";
        }
    }

    /**
     * An established connection goes silent (every packet dropped): a read with a timeout fails with
     * {@link InterruptedByTimeoutException} and closes the socket, and the write pending on it fails once.
     * The raw channel API has per-operation timeouts; Reactor engines offer only protocol handlers, so there
     * the suite checks connect timeouts instead.
     */
    String blackHoledRead() throws Exception {
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(new InetSocketAddress("127.0.0.1", 0), 8);
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            AsyncSocket client = group.next().openSocket();
            client.connect(listener.localAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
            AsyncSocket server = accepted.get(STEP_SECONDS, TimeUnit.SECONDS);
            sh("iptables -A INPUT -p tcp -m multiport --ports " + port + " -j DROP");

            // keep writing: once the socket buffers are full (nothing is acknowledged any more) a write stays pending
            CompletableFuture<Integer> write = new CompletableFuture<>();
            AtomicInteger writeFailures = new AtomicInteger();
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            client.write(chunk, null, new io.proactor.CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    client.write(chunk.clear(), null, this);
                }

                @Override
                public void failed(Throwable exc, Void a) {
                    writeFailures.incrementAndGet();
                    write.completeExceptionally(exc);
                }
            });
            long start = System.nanoTime();
            CompletableFuture<Integer> read = new CompletableFuture<>();
            client.read(ByteBuffer.allocate(100), 300, TimeUnit.MILLISECONDS, null,
                    new io.proactor.CompletionHandler<Integer, Void>() {
                        @Override
                        public void completed(Integer n, Void a) {
                            read.complete(n);
                        }

                        @Override
                        public void failed(Throwable exc, Void a) {
                            read.completeExceptionally(exc);
                        }
                    });
            Throwable readFailure = failureOf(read);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!(readFailure instanceof InterruptedByTimeoutException)) {
                throw new AssertionError("expected the read to time out, got " + readFailure, readFailure);
            }
            if (millis < 250 || millis > 5000) {
                throw new AssertionError("the 300 ms read timeout fired after " + millis + " ms");
            }
            Throwable writeFailure = failureOf(write);
            if (!(writeFailure instanceof AsynchronousCloseException) && !(writeFailure instanceof ClosedChannelException)) {
                throw new AssertionError("the timeout closes the socket, failing the pending write; got "
                        + writeFailure, writeFailure);
            }
            Thread.sleep(200);
            expectOnce("pending write", writeFailures.get());
            if (client.isOpen()) {
                throw new AssertionError("a timed-out read leaves the socket open");
            }
            server.close();
            listener.close();
            return "read: " + readFailure + " after " + millis + " ms; write: " + writeFailure;
        }
    }

    /**
     * A slow link (token bucket at 16 Mbit/s on the namespace's loopback): a 1 MiB echo arrives whole and in
     * order, taking about the time the rate implies; reading pauses under backpressure rather than buffering.
     */
    String slowLink() throws Exception {
        // the bucket must hold a whole loopback packet (64 KiB MTU), or tbf drops every large one
        sh("tc qdisc add dev lo root tbf rate 16mbit burst 128kb latency 1s");
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).handler(Handlers.Echo::new)
                .bind(new InetSocketAddress("127.0.0.1", 0));
             ProtocolClient client = ProtocolClient.builder().engine(engine).build()) {
            int size = 1 << 20;
            byte[] data = TestSupport.randomBytes(size, 7);
            Handlers.Collector collector = new Handlers.Collector();
            Connection c = client.connect(server.localAddress(), collector).get(STEP_SECONDS, TimeUnit.SECONDS);
            long start = System.nanoTime();
            CompletableFuture<byte[]> echoed = collector.received(size);
            c.write(ByteBuffer.wrap(data));
            byte[] got = echoed.get(60, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!Arrays.equals(data, Arrays.copyOf(got, size)) || got.length != size) {
                throw new AssertionError("the echo over the slow link differs");
            }
            // 2 MiB cross the shaped loopback (there and back) at 2 MB/s: about a second, not milliseconds
            if (millis < 600) {
                throw new AssertionError("1 MiB echoed in " + millis + " ms: the link was not slowed");
            }
            c.close();
            collector.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
            return "1 MiB echoed intact in " + millis + " ms";
        }
    }

    private static Throwable ending(String side, Ending connection) throws Exception {
        try {
            return connection.closed.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the " + side + " connection was never told it ended (read "
                    + connection.bytesRead.get() + " bytes)");
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.get());
    }

    private static void expectIoError(String side, Throwable cause) {
        if (!(cause instanceof IOException)) {
            throw new AssertionError(side + ": expected an IOException for the reset, got " + cause, cause);
        }
    }

    private static void expectOnce(String what, int times) {
        if (times != 1) {
            throw new AssertionError(what + ": its end was reported " + times + " times, not once");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Runs a command (in this process's network namespace); fails with its output if it fails. */
    static void sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("sh", "-c", command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(STEP_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("'" + command + "' failed: " + out);
        }
    }
}
