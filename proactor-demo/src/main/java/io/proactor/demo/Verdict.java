package io.proactor.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The verdict section: per scenario (and per connection count), which variant wins on CPU per request, on p99
 * and on memory, computed from the medians, with every variant within the noise of the best named as tied
 * ({@link Ties}). Nothing here is written by hand: change the data and the verdict follows.
 */
final class Verdict {

    private Verdict() {
    }

    /** One figure's candidates: each variant's median and spread over rounds. */
    record Score(String variant, double median, double spread) {
    }

    /**
     * "X" or "X (tied within the noise: Y, Z)" for the best of {@code scores} (lowest, or highest when
     * {@code higherWins}); "n/a" when none was measured.
     */
    static String winner(List<Score> scores, boolean higherWins) {
        List<Score> measured = scores.stream().filter(s -> !Double.isNaN(s.median()) && s.median() > 0).toList();
        if (measured.isEmpty()) {
            return "n/a";
        }
        Comparator<Score> order = Comparator.comparingDouble(Score::median);
        Score best = measured.stream().min(higherWins ? order.reversed() : order).orElseThrow();
        List<String> tied = new ArrayList<>();
        for (Score s : measured) {
            if (s != best && Ties.tie(best.median(), s.median(), Ties.noise(best.spread(), s.spread()))) {
                tied.add(s.variant());
            }
        }
        return best.variant() + (tied.isEmpty() ? "" : " (tied within the noise: " + String.join(", ", tied) + ")");
    }

    /** The verdict lines of the whole run. */
    static List<String> lines(DemoResults results) {
        DemoSettings s = results.settings();
        List<String> lines = new ArrayList<>();
        for (String scenario : s.scenarios()) {
            if (scenario.equals(DemoSettings.COLD)) {
                if (!results.coldRuns().isEmpty()) {
                    lines.add("cold storage: small-request p99 — " + cold(results, DemoResults.ColdRun::p99Micros, false)
                            + "; download throughput — " + cold(results, DemoResults.ColdRun::downloadBytesPerSecond,
                            true) + "; server CPU — " + cold(results, DemoResults.ColdRun::serverCpuShare, false));
                }
                continue;
            }
            DemoResults view = results.forProtocol(scenario);
            if (view.runs().isEmpty()) {
                continue;
            }
            for (int connections : s.countsFor(scenario)) {
                StringBuilder line = new StringBuilder(String.format("%s at %,d connection%s: CPU per request — %s; "
                                + "p99 — %s", scenario, connections, connections == 1 ? "" : "s",
                        run(view, connections, DemoResults.Run::cpuMicrosPerRequest),
                        run(view, connections, DemoResults.Run::p99Micros)));
                if (scenario.equals(DemoSettings.ECHO) && connections >= Demo.RSS_MIN_CONNECTIONS) {
                    line.append("; memory per active connection — ")
                            .append(run(view, connections, DemoResults.Run::rssBytesPerConnection));
                }
                lines.add(line.toString());
            }
            if (scenario.equals(DemoSettings.ECHO) && !results.idle().isEmpty()) {
                // one measurement per variant: no spread, so the single-round noise decides ties
                lines.add("echo, memory per idle connection — " + winner(results.idle().stream()
                        .map(m -> new Score(m.variant(), m.rssBytesPerConnection(), Double.NaN)).toList(), false));
            }
        }
        return lines;
    }

    private static String run(DemoResults view, int connections, ToDoubleFunction<DemoResults.Run> metric) {
        return winner(view.settings().variants().stream().map(v -> new Score(v.name(),
                view.median(v.name(), connections, metric), view.spread(v.name(), connections, metric))).toList(),
                false);
    }

    private static String cold(DemoResults results, ToDoubleFunction<DemoResults.ColdRun> metric, boolean higherWins) {
        return winner(results.settings().variants().stream().map(v -> new Score(v.name(),
                results.coldMedian(v.name(), metric), results.coldSpread(v.name(), metric))).toList(), higherWins);
    }
}
