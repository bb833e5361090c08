package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.proactor.protocol.Connection;
import io.proactor.protocol.ProtocolHandler;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.ThreadingModel;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The platform-thread variant of thread-per-connection: same code as virtual threads, kernel threads. */
@Timeout(60)
class PlatformThreadEngineTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @Test
    void echoesOnAPlatformThreadOfItsOwn() throws Exception {
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        ProtocolHandler echo = (Connection c, ByteBuffer data) -> {
            callbackThread.complete(Thread.currentThread());
            c.write(data);
        };
        try (ProtocolServer server = ProtocolServer.builder().engine(new PlatformThreadEngine())
                .model(ThreadingModel.SINGLE).handler(() -> echo).bind(TestSupport.loopback(0));
             Socket peer = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
            byte[] hello = "hello, platform".getBytes(StandardCharsets.US_ASCII);
            OutputStream out = peer.getOutputStream();
            out.write(hello);
            out.flush();
            InputStream in = peer.getInputStream();
            assertArrayEquals(hello, in.readNBytes(hello.length));
            Thread t = callbackThread.get(10, TimeUnit.SECONDS);
            assertFalse(t.isVirtual(), t.toString());
            assertEquals(PlatformThreadEngine.NAME, server.engine().name());
        }
    }
}
