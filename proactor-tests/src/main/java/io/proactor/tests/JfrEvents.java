package io.proactor.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Records the flight-recorder events of the names given while it is open, in an in-process {@link Recording},
 * and reads them back from a dump of it: for tests that an engine emits what it should. (A dump rather than a
 * {@code RecordingStream}: a stream may hand out an event before the constant pool holding its longer strings,
 * which then read as {@code null}; a dump is complete.)
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
        try (Recording warmUp = new Recording()) {
            warmUp.start();
            warmUp.stop();
        }
    }

    private final Recording recording = new Recording();
    private final Path dump;

    private JfrEvents(String... names) {
        for (String name : names) {
            recording.enable(name).withoutThreshold();
        }
        try {
            dump = Files.createTempFile("proactor-events", ".jfr");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        recording.start();
    }

    /** Starts JFR once in this JVM, early: call it from a test class's static initializer. */
    public static void warmUp() {
        // the static initializer does it
    }

    /** Starts recording the events named. */
    public static JfrEvents record(String... names) {
        return new JfrEvents(names);
    }

    /** The first event named {@code name}, once one was recorded; fails after {@link TestSupport#STEP_SECONDS}. */
    public RecordedEvent awaitFirst(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.STEP_SECONDS);
        while (true) {
            List<RecordedEvent> found = all(name);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            assertTrue(System.nanoTime() < deadline, "no " + name + " event was recorded");
            Thread.sleep(50);
        }
    }

    /** The events named {@code name} recorded so far, oldest first. */
    public List<RecordedEvent> all(String name) {
        try {
            recording.dump(dump);
            return RecordingFile.readAllEvents(dump).stream()
                    .filter(e -> e.getEventType().getName().equals(name)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        recording.close();
        try {
            Files.deleteIfExists(dump);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
