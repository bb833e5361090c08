package io.proactor.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Everything one demo run measured, as the report writer needs it. A figure that could not be measured is
 * {@code NaN} (shown as "n/a"; {@link #notes} says why).
 *
 * @param environment machine, JDK, pinning and measurement methods, as name → text
 * @param failures    variant → what went wrong (a server that did not start, echo errors)
 * @param notes       why some figures are missing, and other remarks for the reader
 */
record DemoResults(DemoSettings settings, Map<String, String> environment, List<Run> runs, List<IdleMemory> idle,
                   List<ColdRun> coldRuns, Map<String, String> failures, List<String> notes) {

    /**
     * One load run: one protocol, one variant, one connection count, one round. Per-request figures divide the
     * server's counts over the measurement window by the requests completed in it.
     */
    record Run(String protocol, String variant, int connections, int round, long requests, double seconds, double requestsPerSecond,
               double p50Micros, double p99Micros, double p999Micros, double cpuMicrosPerRequest,
               double syscallsPerRequest, double ioUringEnterPerRequest, double contextSwitchesPerRequest,
               long errors, double rssBytesPerConnection, double loadCpuShare, boolean clientBound) {
    }

    /** What one more idle connection costs the server, from the difference with and without {@code connections}. */
    record IdleMemory(String variant, int connections, double rssBytesPerConnection, double heapBytesPerConnection,
                      double directBytesPerConnection) {
    }

    /**
     * One measurement of the cold-storage scenario: the small requests' latency while the large files were being
     * downloaded from storage, on one variant, one round.
     *
     * @param smallRequests        small responses verified in the window
     * @param downloadBytesPerSecond large-file body bytes verified per second (the downloads' own window, which
     *                             spans the small requests' window)
     * @param serverCpuShare       the server's CPU time ÷ the window (1.0 = one core busy throughout)
     * @param blockedMillis        time the server's loop threads spent in state D (waiting for the disk), summed
     *                             over those threads
     * @param longestBlockedMillis the longest unbroken stretch one loop thread spent in state D
     * @param loopThreads          how many threads the blocked time watched
     * @param residentBefore       bytes of the large files in the page cache when the window opened (-1: unknown)
     * @param residentAfter        the same when it closed
     * @param samplePeriodMillis   how often the blocked-time sampler actually sampled (a busy machine delays it)
     * @param latencyOverTime      p99 of the small requests per stretch of the window
     */
    record ColdRun(String variant, int round, long smallRequests, double seconds, double p50Micros, double p99Micros,
                   double p999Micros, double downloadBytesPerSecond, double serverCpuShare, double blockedMillis,
                   double longestBlockedMillis, int loopThreads, long residentBefore, long residentAfter,
                   double loadCpuShare, boolean clientBound, double samplePeriodMillis,
                   List<ServerWindow.Point> latencyOverTime) {
    }

    DemoResults {
        runs = new ArrayList<>(runs);
        coldRuns = new ArrayList<>(coldRuns);
        idle = new ArrayList<>(idle);
        failures = new LinkedHashMap<>(failures);
        notes = new ArrayList<>(notes);
    }

    /** The runs of {@code protocol} only, with the idle-memory figures when it is the echo protocol. */
    DemoResults forProtocol(String protocol) {
        return new DemoResults(settings, environment, runs.stream().filter(r -> r.protocol().equals(protocol)).toList(),
                protocol.equals(DemoSettings.ECHO) ? idle : List.of(), coldRuns, failures, notes);
    }

    /**
     * The median over rounds of {@code metric} for one variant at one connection count; NaN if none. Ask a
     * {@link #forProtocol} view: the runs of different protocols do not compare.
     */
    double median(String variant, int connections, ToDoubleFunction<Run> metric) {
        return median(values(runs.stream().filter(r -> r.variant().equals(variant) && r.connections() == connections)
                .toList(), metric));
    }

    /** The spread (max / min − 1) over rounds of {@code metric}, NaN with fewer than two rounds. */
    double spread(String variant, int connections, ToDoubleFunction<Run> metric) {
        return spread(values(runs.stream().filter(r -> r.variant().equals(variant) && r.connections() == connections)
                .toList(), metric));
    }

    /** The median over rounds of a cold-storage figure of {@code variant}; NaN if none. */
    double coldMedian(String variant, ToDoubleFunction<ColdRun> metric) {
        return median(values(coldRuns.stream().filter(r -> r.variant().equals(variant)).toList(), metric));
    }

    /** The spread over rounds of a cold-storage figure of {@code variant}, NaN with fewer than two rounds. */
    double coldSpread(String variant, ToDoubleFunction<ColdRun> metric) {
        return spread(values(coldRuns.stream().filter(r -> r.variant().equals(variant)).toList(), metric));
    }

    /** The measured (not NaN) values of {@code metric}, sorted. */
    private static <T> double[] values(List<T> items, ToDoubleFunction<T> metric) {
        return items.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** max / min − 1 of sorted values: NaN with fewer than two, or when the smallest is not above zero. */
    static double spread(double[] sorted) {
        if (sorted.length < 2 || sorted[0] <= 0) {
            return Double.NaN;
        }
        return sorted[sorted.length - 1] / sorted[0] - 1;
    }

    IdleMemory idleOf(String variant) {
        return idle.stream().filter(m -> m.variant().equals(variant)).findFirst().orElse(null);
    }
}
