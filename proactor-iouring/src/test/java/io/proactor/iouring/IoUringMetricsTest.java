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

    /**
     * A ring of 2 submission and 8 completion entries, 32 connections whose receives all complete while a task
     * keeps the loop away: the kernel parks the completions that do not fit in its overflow list, the next run
     * finds the flag set and counts it, emits the JFR event, and every receive still completes.
     */
    @Test
    void anOverflowedCompletionRingIsCountedAndRecorded() throws Throwable {
        String previous = System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, "2");
        ProactorGroup group;
        try {
            group = ProactorGroup.open(engine(), 1);
        } finally {
            if (previous == null) {
                System.clearProperty(IoUringEngine.RING_SIZE_PROPERTY);
            } else {
                System.setProperty(IoUringEngine.RING_SIZE_PROPERTY, previous);
            }
        }
        int connections = 32;
        try (JfrEvents events = JfrEvents.record("io.proactor.CompletionQueueOverflow");
             group;
             AsyncServerSocket listener = group.next().openServerSocket().bind(loopback(0), connections)) {
            java.util.List<Socket> clients = new java.util.ArrayList<>();
            java.util.List<AsyncSocket> servers = new java.util.ArrayList<>();
            java.util.List<CompletableFuture<LeasedBuffer>> receives = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    CompletableFuture<AsyncSocket> accepted = listener.accept();
                    Socket c = new Socket();
                    c.connect(listener.localAddress());
                    clients.add(c);
                    servers.add(await(accepted));
                }
                for (AsyncSocket s : servers) {
                    receives.add(s.receive());
                }
                // two loop turns: the first queues the receives' SQEs, the run after it submits them
                await(CompletableFuture.runAsync(() -> { }, group.next()));
                await(CompletableFuture.runAsync(() -> { }, group.next()));
                assertEquals(0, group.metrics().completionQueueOverflows());
                java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
                group.next().execute(() -> { // keeps the loop from its ring while every receive completes
                    try {
                        sent.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (Socket c : clients) {
                    c.getOutputStream().write(7);
                }
                sent.countDown();
                for (CompletableFuture<LeasedBuffer> r : receives) {
                    await(r).release();
                }
                assertTrue(group.metrics().completionQueueOverflows() >= 1, group.metrics().toString());
                events.awaitFirst("io.proactor.CompletionQueueOverflow");
            } finally {
                servers.forEach(AsyncSocket::close);
                for (Socket c : clients) {
                    c.close();
                }
            }
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
