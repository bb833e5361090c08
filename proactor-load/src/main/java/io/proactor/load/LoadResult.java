package io.proactor.load;

import org.HdrHistogram.Histogram;

/**
 * The measurement window's outcome.
 *
 * @param requests   echoes (responses) completed and verified inside the window
 * @param bytes      echoed bytes (response body bytes) received and verified inside the window
 * @param errors     mismatched bytes, wrong responses or connections lost during the whole run (warm-up
 *                   included)
 * @param firstError what went wrong first, or {@code null}
 * @param latency    nanoseconds from sending a request to receiving the last byte of its answer
 */
public record LoadResult(long requests, long bytes, double seconds, long errors, String firstError,
                         Histogram latency) {
    public double requestsPerSecond() {
        return requests / seconds;
    }

    public double bytesPerSecond() {
        return bytes / seconds;
    }

    /** The latency at {@code percentile} (0..100) in microseconds. */
    public double latencyMicros(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1000.0;
    }
}
