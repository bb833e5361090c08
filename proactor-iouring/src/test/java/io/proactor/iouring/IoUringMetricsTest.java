package io.proactor.iouring;

import static io.proactor.tests.TestSupport.await;
import static io.proactor.tests.TestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Engine;
import io.proactor.Engines;
import io.proactor.LeasedBuffer;
import io.proactor.ProactorGroup;
import io.proactor.ProactorMetrics;
import io.proactor.tests.JfrEvents;
import io.proactor.tests.MetricsSuite;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;

class IoUringMetricsTest extends MetricsSuite {
    static {
        // the engine's one-time availability probe makes a real ring; let it happen before any leak count
        Engines.require(IoUringEngine.NAME);
        JfrEvents.warmUp();
    }

    @Override
    protected Engine engine() {
        return Engines.require(IoUringEngine.NAME);
    }

    @Test
    void theRingFiguresAreReportedAndStartAtZero() throws Throwable {
        try (ProactorGroup group = ProactorGroup.open(engine(), 1)) {
            await(CompletableFuture.runAsync(() -> { }, group.next())); // the loop has set its ring up
            ProactorMetrics m = group.metrics();
            assertEquals(0, m.completionQueueOverflows(), "the ring's flags are readable: counted, none yet");
            assertEquals(0, m.bufferExhaustions());
            assertEquals(ProactorMetrics.NOT_AVAILABLE, m.ringEnters(), "Netty makes the enters and counts none");
        }
    }

    @Test
    void ringSetupAndTheReceiveBuffersAreRecordedInJfr() throws Throwable {
        try (JfrEvents events = JfrEvents.record("io.proactor.RingSetup", "io.proactor.RingFallback")) {
            receiveOnce(true);
            RecordedEvent ring = awaitSetup(events, "ring");
            assertTrue(ring.getString("detail").contains("submission entries"), ring.toString());
            RecordedEvent buffers = awaitSetup(events, "receive buffers");
            assertTrue(buffers.getString("detail").contains("ring-mapped buffer ring"), buffers.toString());
            assertTrue(events.all("io.proactor.RingFallback").isEmpty(), "no fallback: " + events.all("io.proactor.RingFallback"));

            receiveOnce(false); // PROVIDE_BUFFERS forced: a fallback, with its reason
            RecordedEvent fallback = events.awaitFirst("io.proactor.RingFallback");
            assertEquals("PROVIDE_BUFFERS", fallback.getString("fallback"));
            assertTrue(fallback.getString("reason").contains(IoUringEngine.BUFFER_RING_PROPERTY), fallback.toString());
        }
    }

    private static RecordedEvent awaitSetup(JfrEvents events, String what) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (RecordedEvent e : events.all("io.proactor.RingSetup")) {
                if (what.equals(e.getString("what"))) {
                    return e;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no RingSetup event for " + what);
            Thread.sleep(20);
        }
    }

    /** Opens a group with or without a buffer ring and receives one message on it, which sets its buffers up. */
    private void receiveOnce(boolean bufferRing) throws Throwable {
        String previous = System.setProperty(IoUringEngine.BUFFER_RING_PROPERTY, Boolean.toString(bufferRing));
        ProactorGroup group;
        try {
            group = ProactorGroup.open(engine(), 1);
        } finally {
            System.setProperty(IoUringEngine.BUFFER_RING_PROPERTY, previous == null ? "true" : previous);
        }
        try (group) {
            AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), 0);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                AsyncSocket server = await(accepted);
                client.getOutputStream().write(1);
                LeasedBuffer lease = await(server.receive());
                lease.release();
                server.close();
            }
            listener.close();
        }
    }
}
