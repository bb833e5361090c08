package io.proactor.samples.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
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
                   Map<String, String> failures, List<String> notes) {

    /**
     * One load run: one protocol, one variant, one connection count, one round. Per-request figures divide the
     * server's counts over the measurement window by the requests completed in it.
     */
    record Run(String protocol, String variant, int connections, int round, long requests, double seconds, double requestsPerSecond,
               double p50Micros, double p99Micros, double p999Micros, double cpuMicrosPerRequest,
               double syscallsPerRequest, double ioUringEnterPerRequest, double contextSwitchesPerRequest,
               long errors) {
    }

    /** What one more idle connection costs the server, from the difference with and without {@code connections}. */
    record IdleMemory(String variant, int connections, double rssBytesPerConnection, double heapBytesPerConnection,
                      double directBytesPerConnection) {
    }

    DemoResults {
        runs = new ArrayList<>(runs);
        idle = new ArrayList<>(idle);
        failures = new LinkedHashMap<>(failures);
        notes = new ArrayList<>(notes);
    }

    /** The runs of {@code protocol} only, with the idle-memory figures when it is the echo protocol. */
    DemoResults forProtocol(String protocol) {
        return new DemoResults(settings, environment, runs.stream().filter(r -> r.protocol().equals(protocol)).toList(),
                protocol.equals(DemoSettings.ECHO) ? idle : List.of(), failures, notes);
    }

    /**
     * The median over rounds of {@code metric} for one variant at one connection count; NaN if none. Ask a
     * {@link #forProtocol} view: the runs of different protocols do not compare.
     */
    double median(String variant, int connections, ToDoubleFunction<Run> metric) {
        double[] values = runs.stream().filter(r -> r.variant().equals(variant) && r.connections() == connections)
                .mapToDouble(metric).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** The spread (max / min − 1) over rounds of {@code metric}, NaN with fewer than two rounds. */
    double spread(String variant, int connections, ToDoubleFunction<Run> metric) {
        List<Run> matching = runs.stream()
                .filter(r -> r.variant().equals(variant) && r.connections() == connections).toList();
        OptionalDouble min = matching.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).min();
        OptionalDouble max = matching.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).max();
        if (matching.size() < 2 || min.isEmpty() || min.getAsDouble() <= 0) {
            return Double.NaN;
        }
        return max.getAsDouble() / min.getAsDouble() - 1;
    }

    IdleMemory idleOf(String variant) {
        return idle.stream().filter(m -> m.variant().equals(variant)).findFirst().orElse(null);
    }
}
