package io.proactor.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proactor.AsyncServerSocket;
import io.proactor.AsyncSocket;
import io.proactor.Engines;
import io.proactor.ProactorGroup;
import io.proactor.protocol.ProtocolServer;
import io.proactor.tests.LeakCheck;
import io.proactor.tests.TestSupport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProactorMetricsBinderTest {

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    @Test
    void theMetersFollowTheGroupsCounters() throws Throwable {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ProactorGroup group = ProactorGroup.open(Engines.require("nio2"), 1)) {
            ProactorMetricsBinder.of(group).bindTo(registry);
            double tasksBefore = registry.get("proactor.tasks.executed").functionCounter().count();
            for (int i = 0; i < 100; i++) {
                TestSupport.await(CompletableFuture.runAsync(() -> { }, group.next()));
            }
            assertTrue(registry.get("proactor.tasks.executed").tag("engine", "nio2").functionCounter().count()
                    >= tasksBefore + 100);
            assertTrue(registry.get("proactor.loop.iterations").functionCounter().count() > 0);
            FunctionTimer lag = registry.get("proactor.loop.lag").functionTimer();
            assertTrue(lag.count() >= 1, "one task in 64 is measured: " + lag.count());

            AsyncServerSocket listener = group.next().openServerSocket().bind(TestSupport.loopback(0), 0);
            CompletableFuture<AsyncSocket> accepted = listener.accept();
            AsyncSocket client = group.next().openSocket();
            TestSupport.await(client.connect(listener.localAddress()));
            AsyncSocket server = TestSupport.await(accepted);
            FunctionCounter acceptsCompleted = registry.get("proactor.operations.completed").tag("kind", "accept")
                    .functionCounter();
            assertEquals(1.0, acceptsCompleted.count());
            Gauge readsInFlight = registry.get("proactor.operations.in.flight").tag("kind", "read").gauge();
            CompletableFuture<Integer> read = server.read(ByteBuffer.allocate(1));
            TestSupport.eventually(() -> readsInFlight.value() == 1.0, "the pending read is seen in flight");
            server.close();
            TestSupport.awaitFailure(read);
            TestSupport.eventually(() -> readsInFlight.value() == 0.0, "the failed read is no longer in flight");
            client.close();
            listener.close();
            // not available on nio2: no meter rather than one reading -1
            assertNull(registry.find("proactor.buffers.exhausted").meter());
            assertNull(registry.find("proactor.ring.enters").meter());
            assertNull(registry.find("proactor.stalls").meter(), "no watchdog watches a plain group");
            assertNull(registry.find("proactor.send.timeouts").meter(), "a plain group serves no connections");
        }
    }

    @Test
    void aServerReportsItsStallsAndAReactorNoOperations() throws Throwable {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ProtocolServer server = ProtocolServer.builder().engine(Engines.require("reactor"))
                .handler(() -> (c, data) -> c.write(data)).bind(0)) {
            ProactorMetricsBinder.of(server).bindTo(registry);
            assertEquals(0.0, registry.get("proactor.stalls").tag("engine", "reactor").functionCounter().count());
            assertEquals(0.0, registry.get("proactor.send.timeouts").tag("engine", "reactor").functionCounter().count());
            assertNull(registry.find("proactor.operations.submitted").meter(), "the reactor starts no operations");
            TestSupport.eventually(() -> registry.get("proactor.tasks.executed").functionCounter().count() >= 1,
                    "the watchdog's heartbeat ran");
        }
    }
}
