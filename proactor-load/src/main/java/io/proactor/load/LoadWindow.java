package io.proactor.load;

import org.HdrHistogram.Histogram;

/**
 * Told on the calling thread of {@link LoadGenerator#run} just after the measurement window opens and before it
 * closes, and, between the two, of the latencies of each stretch of the window (about every half second).
 */
public interface LoadWindow {

    /** A window that nobody watches. */
    LoadWindow UNWATCHED = new LoadWindow() {
        @Override
        public void opened() {
        }

        @Override
        public void closing() {
        }
    };

    void opened();

    void closing();

    /**
     * The latencies recorded from the previous call (or the window's opening) until {@code secondsIn} seconds
     * into the window: for latency over time. The histogram is only lent for the call.
     */
    default void interval(double secondsIn, Histogram latencies) {
    }
}
