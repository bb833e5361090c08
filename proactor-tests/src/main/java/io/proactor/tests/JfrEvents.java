package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * Collects the flight-recorder events of the names given while it is open, from an in-process
 * {@link RecordingStream}: for tests that an engine emits what it should.
 *
 * <pre>{@code
 * try (JfrEvents events = JfrEvents.record("io.proactor.Stall")) {
 *     ...
 *     RecordedEvent stall = events.awaitFirst("io.proactor.Stall");
 * }
 * }</pre>
 */
public final class JfrEvents implements AutoCloseable {

    static {
        // JFR starts its threads and opens its repository on first use: do that before any test counts
        // threads and descriptors (LeakCheck), so the recording does not look like a leak
        try (RecordingStream warmUp = new RecordingStream()) {
            warmUp.startAsync();
        }
    }

    private final RecordingStream stream = new RecordingStream();
    private final List<RecordedEvent> events = new CopyOnWriteArrayList<>();

    private JfrEvents(String... names) {
        for (String name : names) {
            stream.enable(name).withoutThreshold().withStackTrace();
            stream.onEvent(name, events::add);
        }
        stream.setMaxAge(Duration.ofMinutes(1));
        stream.startAsync();
    }

    /** Starts JFR once in this JVM, early: call it from a test class's static initializer. */
    public static void warmUp() {
        // the static initializer does it
    }

    /** Starts recording the events named. */
    public static JfrEvents record(String... names) {
        return new JfrEvents(names);
    }

    /**
     * The first event named {@code name}, once the stream has delivered it (the stream flushes about once a
     * second); fails after {@link TestSupport#STEP_SECONDS}.
     */
    public RecordedEvent awaitFirst(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
        while (true) {
            for (RecordedEvent e : events) {
                if (e.getEventType().getName().equals(name)) {
                    return e;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no " + name + " event was recorded");
            Thread.sleep(20);
        }
    }

    /** The events named {@code name} delivered so far. */
    public List<RecordedEvent> all(String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Override
    public void close() {
        stream.close();
    }
}
