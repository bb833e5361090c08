package io.proactor.samples;

import io.proactor.Engine;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ThreadingModel;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The echo client: opens connections, sends messages one at a time on each (ping-pong), checks every echoed
 * byte, and prints round trips per second.
 */
public final class EchoClient {

    static final String USAGE = """
            usage: proactor echo-client [--host ADDRESS] [--port N] [--connections N] [--size BYTES]
                                        [--messages N] [--engine NAME] [--model MODEL] [--threads N]

              --host         server address (default 127.0.0.1)
              --port         server port (default 7007)
              --connections  concurrent connections (default 10)
              --size         bytes per message (default 64)
              --messages     messages per connection (default 1000)
              --engine       nio2 | io_uring | reactor | virtual-threads (default: the best available)
              --model        single | worker-pool | main-sub (default single)
              --threads      I/O loops for main-sub, workers for worker-pool (default 2)

            Exit status 0 when every echo matched, 1 on a mismatch or an I/O error, 2 on bad arguments.""";

    private EchoClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        InetSocketAddress server;
        int connections;
        int size;
        int messages;
        ThreadingModel model;
        int threads;
        Engine engine;
        try {
            CommandLine cl = new CommandLine(args,
                    Set.of("host", "port", "connections", "size", "messages", "engine", "model", "threads"));
            if (cl.help()) {
                out.println(USAGE);
                return 0;
            }
            server = new InetSocketAddress(cl.string("host", "127.0.0.1"), cl.integer("port", 7007, 1, 65535));
            if (server.isUnresolved()) {
                throw new CommandLine.UsageException("--host '" + server.getHostString() + "' cannot be resolved");
            }
            connections = cl.integer("connections", 10, 1, 100_000);
            size = cl.integer("size", 64, 1, 64 * 1024 * 1024);
            messages = cl.integer("messages", 1000, 1, Integer.MAX_VALUE);
            model = cl.model();
            if (model == ThreadingModel.REUSEPORT) {
                throw new CommandLine.UsageException("--model reuseport is a server-side model; use main-sub");
            }
            threads = cl.integer("threads", 2, 1, 1024);
            engine = cl.engine();
        } catch (CommandLine.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try (ProtocolClient client = ProtocolClient.builder().engine(engine).model(model).threads(threads)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            List<PingPong> sessions = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                PingPong p = new PingPong(size, messages, i);
                sessions.add(p);
                client.connect(server, p).whenComplete((c, t) -> {
                    if (t != null) {
                        p.done.completeExceptionally(t);
                    }
                });
            }
            for (PingPong p : sessions) {
                p.done.get(10, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = (long) connections * messages;
            out.printf("%d round trips of %d bytes on %d connections in %.2f s: %.0f round trips/s, all verified "
                    + "(engine %s, model %s)%n", total, size, connections, seconds, total / seconds, engine.name(),
                    model.label());
            return 0;
        } catch (ExecutionException e) {
            err.println("error: " + e.getCause().getMessage());
            return 1;
        } catch (TimeoutException e) {
            err.println("error: no reply within 10 minutes");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Sends one message, waits for its echo, checks it, sends the next. */
    private static final class PingPong implements ProtocolHandler {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final byte[] message;
        private final int messages;
        private int sent;
        private int matched;

        PingPong(int size, int messages, long seed) {
            this.message = new byte[size];
            new SplittableRandom(seed).nextBytes(message);
            this.messages = messages;
        }

        @Override
        public void onOpen(Connection connection) {
            sent = 1;
            connection.write(ByteBuffer.wrap(message));
        }

        @Override
        public void onRead(Connection connection, ByteBuffer data) {
            while (data.hasRemaining()) {
                if (data.get() != message[matched]) {
                    done.completeExceptionally(new IllegalStateException("echo mismatch at byte " + matched
                            + " of message " + sent));
                    connection.abort(null);
                    return;
                }
                if (++matched == message.length) {
                    matched = 0;
                    if (sent == messages) {
                        done.complete(null);
                        connection.close();
                        return;
                    }
                    sent++;
                    connection.write(ByteBuffer.wrap(message));
                }
            }
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            done.completeExceptionally(cause != null ? cause
                    : new IllegalStateException("server closed the connection after " + (sent - 1) + " echoes"));
        }
    }
}
