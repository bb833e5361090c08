package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The leak check must see each kind of leak, or every "no leak" verdict of the kit means nothing. */
class LeakCheckTest {

    @Test
    void reportsALeakedDescriptorThreadAndDirectBuffer() throws Exception {
        LeakCheck check = new LeakCheck();
        check.beforeEach(null);
        SocketChannel leakedChannel = SocketChannel.open();
        CountDownLatch release = new CountDownLatch(1);
        Thread leakedThread = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // exit
            }
        }, "leaked-thread");
        leakedThread.start();
        ByteBuffer leakedBuffer = ByteBuffer.allocateDirect(4096);
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> check.verify("the leaking test"));
            String m = e.getMessage();
            assertTrue(m.contains("leaked-thread"), m);
            assertTrue(m.contains("file descriptors left open: 1"), m);
            assertTrue(m.contains("direct buffers not freed: 1"), m);
        } finally {
            leakedChannel.close();
            release.countDown();
            leakedThread.join();
        }
        assertTrue(leakedBuffer.capacity() > 0); // keeps the buffer reachable until the check ran
    }

    @Test
    void passesWhenEverythingWasReleased() throws Exception {
        LeakCheck check = new LeakCheck();
        check.beforeEach(null);
        SocketChannel.open().close();
        Thread t = new Thread(() -> { });
        t.start();
        t.join();
        check.verify("a clean test");
    }
}
