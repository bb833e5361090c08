package io.proactor.protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a server watches its threads for callbacks that block them. A handler that blocks (a lock, a blocking
 * call, a long computation) holds up every connection its thread serves; the server's watchdog notices when
 * a loop or worker has not run a heartbeat task for {@code threshold}, logs a warning with the stack where the
 * thread is stuck, and passes the same {@link StallReport} to {@code listener} (e.g. for metrics or alerts).
 * Thread-per-connection engines ({@code virtual-threads}) have no shared threads to stall and ignore it.
 *
 * @param threshold how long a thread may stay busy before it is reported; {@link Duration#ZERO} turns the
 *                  watchdog off; otherwise at least 10 ms
 * @param listener  receives each report, on the watchdog's thread; must return quickly
 */
public record StallWatch(Duration threshold, Consumer<? super StallReport> listener) {

    /** Reports threads busy for a second or more, in the log only. */
    public static final StallWatch DEFAULT = new StallWatch(Duration.ofSeconds(1), report -> { });
    /** No watchdog. */
    public static final StallWatch OFF = new StallWatch(Duration.ZERO, report -> { });

    public StallWatch {
        Objects.requireNonNull(threshold, "'threshold' is null: use StallWatch.OFF to turn the watchdog off");
        Objects.requireNonNull(listener, "'listener' is null: pass report -> { } to only log stalls");
        if (!threshold.isZero() && threshold.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("'threshold' must be zero (off) or at least 10 ms, was " + threshold);
        }
    }

    public boolean isOn() {
        return !threshold.isZero();
    }
}
