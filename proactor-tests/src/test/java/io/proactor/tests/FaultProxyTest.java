package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault proxy and the full accept queue with plain JDK sockets on both ends, so that the network-fault
 * suite's faults are known to be the faults it names: a pass-through that keeps bytes and half-closes, a reset
 * each peer sees as a reset, a black hole that is silent but open, a rate the link keeps to, a connect that
 * times out; and (the leak check) no thread or descriptor of the proxy outlives it.
 */
@Timeout(60)
class FaultProxyTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @Test
    void forwardsBothWaysAndPassesOnAnEndOfInput() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             FaultProxy proxy = FaultProxy.start(TestSupport.loopback(target.getLocalPort()));
             Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
             Socket server = target.accept()) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("ping", new String(server.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                    "the bytes, then the end of input");
            server.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));
            server.shutdownOutput();
            assertEquals("pong!", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(9, proxy.forwarded());
            assertEquals(1, proxy.accepted());
        }
    }

    @Test
    void aResetReachesBothPeersAsAReset() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             FaultProxy proxy = FaultProxy.start(TestSupport.loopback(target.getLocalPort()));
             Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
             Socket server = target.accept()) {
            client.getOutputStream().write(1);
            assertEquals(1, server.getInputStream().read(), "connected through the proxy");
            proxy.reset();
            assertResetSeen(client);
            assertResetSeen(server);
        }
    }

    @Test
    void resetAfterStrikesOnceAtThatManyBytesAndLaterConnectionsAreCarried() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             FaultProxy proxy = FaultProxy.start(TestSupport.loopback(target.getLocalPort()))) {
            proxy.resetAfter(100_000);
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
                 Socket server = target.accept()) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        client.getOutputStream().write(new byte[1 << 20]);
                    } catch (IOException expected) {
                        // the reset ends the write
                    }
                });
                InputStream in = server.getInputStream();
                long read = 0;
                try {
                    for (int n; (n = in.read(new byte[8192])) >= 0; ) {
                        read += n;
                    }
                    throw new AssertionError("an orderly end after " + read + " bytes, not a reset");
                } catch (SocketException reset) {
                    assertTrue(reset.getMessage().contains("reset"), reset.toString());
                }
                writer.join();
                assertTrue(read >= 100_000 - 16 * 1024 && read < 1 << 20, "reset after " + read + " bytes");
            }
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
                 Socket server = target.accept()) {
                client.getOutputStream().write(new byte[200_000]);
                client.shutdownOutput();
                assertEquals(200_000, server.getInputStream().readAllBytes().length, "once only");
            }
        }
    }

    @Test
    void aBlackHoleIsSilentButOpen() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             FaultProxy proxy = FaultProxy.start(TestSupport.loopback(target.getLocalPort()));
             Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
             Socket server = target.accept()) {
            client.getOutputStream().write(1);
            assertEquals(1, server.getInputStream().read());
            proxy.blackHole();
            client.getOutputStream().write(new byte[1000]);
            server.getOutputStream().write(new byte[1000]);
            server.setSoTimeout(300);
            client.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> server.getInputStream().read(),
                    "nothing reaches the server, and no end either");
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(),
                    "nothing reaches the client, and no end either");
            assertEquals(1, proxy.forwarded());
        }
    }

    @Test
    void aRateLimitedLinkKeepsToItsRate() throws Exception {
        int size = 300_000;
        long rate = 1_000_000;
        long burst = 32 * 1024;
        try (ServerSocket target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             FaultProxy proxy = FaultProxy.rateLimited(TestSupport.loopback(target.getLocalPort()), rate, burst);
             Socket client = new Socket(proxy.address().getAddress(), proxy.address().getPort());
             Socket server = target.accept()) {
            byte[] data = TestSupport.randomBytes(size, 3);
            long start = System.nanoTime();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(data);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = server.getInputStream().readAllBytes();
            long millis = (System.nanoTime() - start) / 1_000_000;
            writer.join();
            assertArrayEquals(data, got);
            long floor = (size - burst) * 1000 / rate;
            assertTrue(millis >= floor * 9 / 10, size + " bytes at " + rate + " B/s in " + millis + " ms");
        }
    }

    @Test
    void aConnectToAFullAcceptQueueTimesOut() throws Exception {
        try (FullAcceptQueue full = FullAcceptQueue.open(); Socket s = new Socket()) {
            assertTrue(full.queued() >= 1, "the backlog holds connections before it is full");
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> s.connect(full.address(), 300));
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 250, "it waited for its timeout");
        }
    }

    private static void assertResetSeen(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        SocketException e = assertThrows(SocketException.class, () -> {
            s.getOutputStream().write(1); // a write may still be taken before the reset is read
            s.getInputStream().read();
        });
        assertTrue(e.getMessage().contains("reset"), e.toString());
    }
}
