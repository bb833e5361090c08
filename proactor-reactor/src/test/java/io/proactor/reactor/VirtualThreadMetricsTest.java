package io.proactor.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engines;
import io.proactor.ProactorMetrics;
import io.proactor.protocol.ProtocolServer;
import io.proactor.tests.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server on virtual threads has no event loop: it reports every loop figure as not available, not as 0; it
 * counts its send timeouts like every server.
 */
class VirtualThreadMetricsTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @Test
    void everyFigureIsNotAvailable() throws Exception {
        try (ProtocolServer server = ProtocolServer.builder().engine(Engines.require(VirtualThreadEngine.NAME))
                .handler(() -> (c, data) -> c.write(data)).bind(0)) {
            ProactorMetrics m = server.metrics();
            assertEquals(0, m.proactors());
            assertTrue(m.operations().isEmpty());
            for (long figure : new long[] {m.loopIterations(), m.eventsDispatched(), m.ringEnters(),
                m.completionQueueOverflows(), m.bufferExhaustions(), m.tasksExecuted(), m.taskQueueDepth(),
                m.lagSamples(), m.lagNanosTotal(), m.lagNanosMax(), m.stalls(), m.submitted()}) {
                assertEquals(ProactorMetrics.NOT_AVAILABLE, figure, m.toString());
            }
            assertEquals(0, m.sendTimeouts(), "counted by the server itself");
        }
    }
}
