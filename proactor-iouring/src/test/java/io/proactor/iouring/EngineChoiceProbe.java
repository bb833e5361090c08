package io.proactor.iouring;

import io.proactor.Engine;
import io.proactor.EngineUnavailableException;
import io.proactor.Engines;
import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolClient;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link IoUringAvailabilityTest} under the conditions being tested (low memlock as an
 * unprivileged user, Netty's native code switched off, no native library on the class path): prints what a user
 * would see, one fact per line.
 */
public final class EngineChoiceProbe {

    public static void main(String[] args) throws Exception {
        Engine uring = Engines.byName(IoUringEngine.NAME);
        System.out.println("available=" + uring.isAvailable());
        if (!uring.isAvailable()) {
            System.out.println("cause=" + uring.unavailabilityCause().getMessage());
            try {
                Engines.require(IoUringEngine.NAME);
                System.out.println("require=returned");
            } catch (EngineUnavailableException e) {
                System.out.println("require-error=" + e.getMessage());
            }
        }
        System.out.println("best=" + Engines.best().name());
        Engine chosen = Engines.prefer(IoUringEngine.NAME);
        System.out.println("prefer=" + chosen.name());
        System.out.println("echo=" + echoOnce(chosen));
    }

    /** One round trip on the chosen engine: the fallback must really work. */
    private static String echoOnce(Engine engine) throws Exception {
        ProtocolHandler echo = (Connection c, ByteBuffer data) -> c.write(data);
        try (ProtocolServer server = ProtocolServer.builder().engine(engine).handler(() -> echo)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ProtocolClient client = ProtocolClient.builder().engine(engine).build()) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            Connection c = client.connect(server.localAddress(), (Connection conn, ByteBuffer data) -> {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                reply.complete(new String(b));
            }).get(10, TimeUnit.SECONDS);
            c.write(ByteBuffer.wrap("ok".getBytes()));
            return reply.get(10, TimeUnit.SECONDS);
        }
    }
}
