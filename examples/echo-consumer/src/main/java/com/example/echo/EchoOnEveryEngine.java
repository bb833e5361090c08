package com.example.echo;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.CompletionHandler;
import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.ProactorGroup;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One echo round trip on every engine that works on this machine, the way an application would use Proactor:
 *
 * <ul>
 *   <li>every engine runs a {@link ProtocolHandler} (one protocol, written once) as a server and a client;</li>
 *   <li>the completion-based engines (the Proactors: io_uring, nio2) also echo through the asynchronous channel
 *       API: an {@link AsyncSocket} operation started, a {@link CompletionHandler} called with its result.</li>
 * </ul>
 *
 * <p>An engine that cannot run here (io_uring off Linux, or with io_uring disabled) is listed with its reason and
 * skipped. Exits with status 1 if an available engine fails its round trip, or if no engine is found.
 */
public final class EchoOnEveryEngine {

    private static final long TIMEOUT_SECONDS = 10;

    public static void main(String[] args) throws Exception {
        int ran = 0;
        int failed = 0;
        for (Engine engine : Engines.all()) {
            if (!engine.isAvailable()) {
                System.out.printf("%-16s unavailable: %s%n", engine.name(), engine.unavailabilityCause().getMessage());
                continue;
            }
            try {
                String protocol = protocolEcho(engine);
                String channels = engine.features().completionBased() ? ", channel API: " + channelEcho(engine) : "";
                System.out.printf("%-16s protocol handler: %s%s%n", engine.name(), protocol, channels);
                ran++;
            } catch (Exception e) {
                System.out.printf("%-16s FAILED: %s%n", engine.name(), e);
                failed++;
            }
        }
        System.out.printf("%d engines on the class path, %d echoed, %d failed; Engines.best() here is %s%n",
                Engines.all().size(), ran, failed, Engines.best().name());
        if (failed > 0 || ran == 0) {
            System.exit(1);
        }
    }

    /** A server and a client of one engine, both running protocol handlers. */
    private static String protocolEcho(Engine engine) throws Exception {
        ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).threads(1).handler(() -> echo)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ProtocolClient client = ProtocolClient.builder().engine(engine).build()) {
            String message = "hello over " + engine.name();
            StringBuilder received = new StringBuilder();
            CompletableFuture<String> reply = new CompletableFuture<>();
            Connection connection = client.connect(server.localAddress(), (Connection c, ByteBuffer data) -> {
                // Bytes may arrive in several reads: collect them until the whole message is back.
                received.append(StandardCharsets.UTF_8.decode(data));
                if (received.length() >= message.length()) {
                    reply.complete(received.toString());
                }
            }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            connection.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            return expect(message, reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * The Proactor pattern by hand: initiate an operation, get its completion. The accepted socket echoes what
     * it reads with handler-form calls ({@link EchoBack}); the client side uses the CompletableFuture forms.
     */
    private static String channelEcho(Engine engine) throws Exception {
        try (ProactorGroup group = ProactorGroup.open(engine, 1)) {
            AsyncServerSocket listener = group.next().openServerSocket()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            AsyncSocket client = group.next().openSocket();
            client.connect(listener.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            AsyncSocket server = accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

            new EchoBack(server).run();

            String message = "ping over " + engine.name();
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            client.write(ByteBuffer.wrap(bytes)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(bytes.length);
            while (back.hasRemaining()) {
                if (client.read(back).get(TIMEOUT_SECONDS, TimeUnit.SECONDS) < 0) {
                    break;
                }
            }
            client.close();
            server.close();
            listener.close();
            return expect(message, new String(back.array(), 0, back.position(), StandardCharsets.UTF_8));
        }
    }

    /** Reads, writes back what it read, and reads again, each step started by the previous one's completion. */
    private static final class EchoBack implements CompletionHandler<Integer, Boolean> {
        private final AsyncSocket socket;
        private final ByteBuffer buffer = ByteBuffer.allocate(256);

        EchoBack(AsyncSocket socket) {
            this.socket = socket;
        }

        void run() {
            socket.read(buffer, false, this);
        }

        /** Called on the socket's proactor thread; {@code wrote} tells which operation completed. */
        @Override
        public void completed(Integer n, Boolean wrote) {
            if (!wrote && n < 0) {
                socket.close();             // the client closed its side
            } else if (!wrote) {
                socket.write(buffer.flip(), true, this);
            } else if (buffer.hasRemaining()) {
                socket.write(buffer, true, this);
            } else {
                socket.read(buffer.clear(), false, this);
            }
        }

        @Override
        public void failed(Throwable e, Boolean wrote) {
            socket.close();
        }
    }

    private static String expect(String sent, String received) {
        if (!sent.equals(received)) {
            throw new IllegalStateException("sent '" + sent + "' but got back '" + received + "'");
        }
        return "ok";
    }
}
