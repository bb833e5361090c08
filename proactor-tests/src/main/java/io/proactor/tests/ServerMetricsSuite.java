package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engine;
import io.proactor.OperationKind;
import io.proactor.ProactorMetrics;
import io.proactor.protocol.ProtocolServer;
import io.proactor.protocol.StallReport;
import io.proactor.protocol.StallWatch;
import io.proactor.protocol.ThreadingModel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics of a {@link ProtocolServer} on one loop-based engine (io_uring, nio2, reactor): its loops are
 * counted, a completion-based engine counts its operations and a readiness engine reports none, and a callback
 * that blocks its loop past the stall threshold is counted as a stall and recorded as a JFR
 * {@code io.proactor.Stall} event. Subclass it per engine and supply {@link #engine()}.
 */
@Timeout(120)
public abstract class ServerMetricsSuite {

    static {
        JfrEvents.warmUp();
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    /** The engine under test. */
    protected abstract Engine engine();

    @Test
    void anEchoThroughTheServerIsCounted() throws Throwable {
        try (ProtocolServer server = ProtocolServer.builder().engine(engine()).model(ThreadingModel.SINGLE)
                .handler(() -> (c, data) -> c.write(data)).bind(0)) {
            ProactorMetrics before = server.metrics();
            assertEquals(0, before.stalls(), "the watchdog watches the server's loops");
            assertEquals(0, before.sendTimeouts(), "the server counts its send timeouts");
            try (Socket client = connect(server)) {
                echo(client, 3);
                if (engine().features().completionBased()) {
                    TestSupport.eventually(() -> server.metrics().operations().get(OperationKind.READ).inFlight() == 1,
                            "the connection's next receive is in flight, and only that");
                }
            }
            // the loop publishes its iteration and event counts as each iteration ends: the echo's work may be
            // done while the iteration that did it has not ended yet (its thread preempted, on a busy machine)
            TestSupport.eventually(() -> server.metrics().loopIterations() > before.loopIterations()
                    && server.metrics().eventsDispatched() > before.eventsDispatched(),
                    "the loop went round and counted the events it dispatched");
            ProactorMetrics after = server.metrics();
            assertTrue(after.tasksExecuted() >= 1, "the watchdog's first heartbeat at least");
            assertEquals(1, after.proactors(), "one loop in the SINGLE model");
            if (engine().features().completionBased()) {
                ProactorMetrics.OperationCounts reads = after.operations().get(OperationKind.READ);
                assertTrue(reads.completed() >= 3, "a receive per message: " + reads);
                assertTrue(after.operations().get(OperationKind.WRITE).completed() >= 1);
                assertEquals(1, after.operations().get(OperationKind.ACCEPT).completed());
            } else {
                assertTrue(after.operations().isEmpty(), "a readiness engine starts no operations");
                assertEquals(ProactorMetrics.NOT_AVAILABLE, after.submitted());
                assertEquals(ProactorMetrics.NOT_AVAILABLE, after.bufferExhaustions());
            }
        }
    }

    @Test
    void aBlockingCallbackIsCountedAsAStallAndRecordedInJfr() throws Throwable {
        CompletableFuture<StallReport> reported = new CompletableFuture<>();
        StallWatch watch = new StallWatch(Duration.ofMillis(100), reported::complete);
        try (JfrEvents events = JfrEvents.record("io.proactor.Stall");
             ProtocolServer server = ProtocolServer.builder().engine(engine()).model(ThreadingModel.SINGLE)
                     .stallWatch(watch).handler(() -> (c, data) -> {
                         sleep(600); // blocks the loop: what the watchdog is for
                         c.write(data);
                     }).bind(0)) {
            assertEquals(0, server.metrics().stalls());
            try (Socket client = connect(server)) {
                echo(client, 1);
            }
            StallReport report = TestSupport.await(reported);
            assertTrue(server.metrics().stalls() >= 1, "the stall is counted: " + server.metrics());
            RecordedEvent stall = events.awaitFirst("io.proactor.Stall");
            assertEquals(report.threadName(), stall.getString("threadName"));
            assertTrue(stall.getLong("busyFor") >= TimeUnit.MILLISECONDS.toNanos(100), stall.toString());
        }
    }

    private static Socket connect(ProtocolServer server) throws Exception {
        Socket s = new Socket();
        s.connect(server.localAddress());
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSupport.STEP_SECONDS));
        return s;
    }

    private static void echo(Socket s, int messages) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 0; i < messages; i++) {
            out.write(new byte[] {(byte) i, 2, 3});
            out.flush();
            byte[] back = in.readNBytes(3);
            assertEquals(i, back[0]);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
