package io.proactor.demo;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The cold-storage scenario's part of the report: its table, its two charts (small-request p99 over time, one
 * line per variant; p99 per variant) and the sentence that says what the numbers show, computed from them.
 */
final class ColdReport {

    static final String LATENCY_OVER_TIME = "cold-storage-latency-over-time.png";
    static final String P99 = "cold-storage-p99.png";
    static final List<String> CHARTS = List.of(LATENCY_OVER_TIME, P99);

    private ColdReport() {
    }

    /** The variants measured in the scenario, in the order of the settings. */
    private static List<Variant> measured(DemoResults results) {
        return results.settings().variants().stream()
                .filter(v -> results.coldRuns().stream().anyMatch(r -> r.variant().equals(v.name()))).toList();
    }

    static ReportWriter.Table table(DemoResults results) {
        DemoSettings s = results.settings();
        DemoSettings.Cold cold = s.cold();
        boolean spread = s.rounds() > 1;
        List<String> header = new ArrayList<>(List.of("variant", "small p50 µs", "p99 µs", "p99.9 µs"));
        if (spread) {
            header.add("p99 spread");
        }
        header.addAll(List.of("downloads MiB/s", "server CPU", "loop blocked ms", "longest block ms",
                "cached open→close", "load CPU"));
        List<List<String>> rows = new ArrayList<>();
        for (Variant v : measured(results)) {
            String n = v.name();
            List<String> row = new ArrayList<>();
            row.add(n);
            row.add(format(results.coldMedian(n, DemoResults.ColdRun::p50Micros), "%,.0f"));
            row.add(format(results.coldMedian(n, DemoResults.ColdRun::p99Micros), "%,.0f"));
            row.add(format(results.coldMedian(n, DemoResults.ColdRun::p999Micros), "%,.0f"));
            if (spread) {
                double sp = results.coldSpread(n, DemoResults.ColdRun::p99Micros);
                row.add(Double.isNaN(sp) ? "n/a" : String.format("%.0f%%", sp * 100));
            }
            row.add(format(results.coldMedian(n, r -> r.downloadBytesPerSecond() / (1 << 20)), "%,.0f"));
            row.add(format(results.coldMedian(n, r -> r.serverCpuShare() * 100), "%.0f%%"));
            row.add(format(results.coldMedian(n, DemoResults.ColdRun::blockedMillis), "%,.0f"));
            row.add(format(results.coldMedian(n, DemoResults.ColdRun::longestBlockedMillis), "%,.0f"));
            DemoResults.ColdRun last = lastRun(results, n);
            row.add(ColdStorage.cachedCell(last, cold.totalBytes()));
            boolean clientBound = results.coldRuns().stream()
                    .anyMatch(r -> r.variant().equals(n) && r.clientBound());
            row.add(format(results.coldMedian(n, r -> r.loadCpuShare() * 100), "%.0f%%")
                    + (clientBound ? " client-bound" : ""));
            rows.add(row);
        }
        return new ReportWriter.Table(String.format("Cold storage: small %,d-byte GETs from %d clients while %d "
                        + "clients download %d × %,d MiB files evicted from the page cache (median of %d round%s)",
                s.fileSize(), cold.smallClients(), cold.downloads(), cold.files(), cold.fileSize() >> 20,
                s.rounds(), s.rounds() == 1 ? "" : "s"), header, rows);
    }

    private static DemoResults.ColdRun lastRun(DemoResults results, String variant) {
        return results.coldRuns().stream().filter(r -> r.variant().equals(variant))
                .max(Comparator.comparingInt(DemoResults.ColdRun::round)).orElseThrow();
    }

    private static String format(double value, String pattern) {
        return Double.isNaN(value) ? "n/a" : String.format(pattern, value);
    }

    /**
     * One or two sentences on what the scenario showed, computed from the medians: the best and worst
     * small-request p99 (a tie when within the noise, see {@link Ties}), and how long the single Reactor loop
     * was blocked on the disk. {@code null} when the scenario measured nothing.
     */
    static String finding(DemoResults results) {
        List<Variant> variants = measured(results);
        if (variants.isEmpty()) {
            return null;
        }
        ToDoubleFunction<DemoResults.ColdRun> p99 = DemoResults.ColdRun::p99Micros;
        Variant best = variants.stream().min(Comparator.comparingDouble(v -> results.coldMedian(v.name(), p99)))
                .orElseThrow();
        Variant worst = variants.stream().max(Comparator.comparingDouble(v -> results.coldMedian(v.name(), p99)))
                .orElseThrow();
        double bestP99 = results.coldMedian(best.name(), p99);
        double worstP99 = results.coldMedian(worst.name(), p99);
        double noise = Ties.noise(results.coldSpread(best.name(), p99), results.coldSpread(worst.name(), p99));
        DemoSettings.Cold cold = results.settings().cold();
        StringBuilder sb = new StringBuilder(String.format("While %d clients downloaded %,d MiB files from cold "
                + "storage, ", cold.downloads(), cold.fileSize() >> 20));
        if (variants.size() == 1 || Ties.tie(bestP99, worstP99, noise)) {
            sb.append(String.format("the small requests' p99 was about the same on every variant measured (%s µs to "
                    + "%s µs, within the %.0f%% noise)", micros(bestP99), micros(worstP99), noise * 100));
        } else {
            List<String> tiedWithBest = variants.stream().filter(v -> v != best && Ties.tie(bestP99,
                    results.coldMedian(v.name(), p99), noise)).map(Variant::name).toList();
            sb.append(String.format("the small requests' p99 was lowest on %s (%s µs%s) and highest on %s (%s µs, "
                            + "%.1f× as long)", best.name(), micros(bestP99),
                    tiedWithBest.isEmpty() ? "" : "; tied within the noise: " + String.join(", ", tiedWithBest),
                    worst.name(), micros(worstP99), worstP99 / bestP99));
        }
        variants.stream().filter(v -> v.name().equals("reactor-single")).findFirst().ifPresent(reactor -> {
            double blocked = results.coldMedian(reactor.name(), DemoResults.ColdRun::blockedMillis);
            double seconds = results.coldMedian(reactor.name(), DemoResults.ColdRun::seconds);
            sb.append(String.format("; reactor-single's loop, which sends every file itself, was blocked on the "
                    + "disk %,.0f ms of the %.1f s window (%.0f%%)", blocked, seconds, blocked / seconds / 10));
        });
        return sb.append('.').toString();
    }

    private static String micros(double v) {
        return String.format("%,.0f", v);
    }

    static List<Object> asJson(DemoResults results) {
        List<Object> all = new ArrayList<>();
        for (DemoResults.ColdRun r : results.coldRuns()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variant", r.variant());
            m.put("round", r.round());
            m.put("smallRequests", r.smallRequests());
            m.put("seconds", r.seconds());
            m.put("p50Micros", r.p50Micros());
            m.put("p99Micros", r.p99Micros());
            m.put("p999Micros", r.p999Micros());
            m.put("downloadBytesPerSecond", r.downloadBytesPerSecond());
            m.put("serverCpuShare", r.serverCpuShare());
            m.put("blockedMillis", r.blockedMillis());
            m.put("longestBlockedMillis", r.longestBlockedMillis());
            m.put("loopThreads", r.loopThreads());
            m.put("residentBytesBefore", r.residentBefore());
            m.put("residentBytesAfter", r.residentAfter());
            m.put("loadCpuShare", r.loadCpuShare());
            m.put("clientBound", r.clientBound());
            m.put("samplePeriodMillis", r.samplePeriodMillis());
            m.put("latencyOverTime", r.latencyOverTime().stream()
                    .map(p -> List.of(p.secondsIn(), p.p99Micros())).toList());
            all.add(m);
        }
        return all;
    }

    /** Draws the two charts into {@code dir}. */
    static void charts(DemoResults results, Path dir) throws IOException {
        XYChart overTime = new XYChartBuilder().width(900).height(540)
                .title("Cold storage: small-request p99 over time (last round)").xAxisTitle("seconds into the window")
                .yAxisTitle("p99 microseconds (log)").build();
        style(overTime.getStyler());
        overTime.getStyler().setYAxisLogarithmic(true);
        overTime.getStyler().setYAxisDecimalPattern("#,###");
        List<String> names = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (Variant v : measured(results)) {
            DemoResults.ColdRun last = lastRun(results, v.name());
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (ServerWindow.Point p : last.latencyOverTime()) {
                if (p.p99Micros() > 0) {
                    xs.add(p.secondsIn());
                    ys.add(p.p99Micros());
                }
            }
            if (!xs.isEmpty()) {
                overTime.addSeries(v.name(), xs, ys);
            }
            names.add(v.name());
            p99s.add(results.coldMedian(v.name(), DemoResults.ColdRun::p99Micros));
        }
        if (overTime.getSeriesMap().isEmpty()) {
            overTime.setTitle("Cold storage: nothing was measured");
            overTime.getStyler().setYAxisLogarithmic(false);
            overTime.addSeries("none", new double[] {0}, new double[] {0});
        }
        save(overTime, dir.resolve(LATENCY_OVER_TIME));

        CategoryChart bars = new CategoryChartBuilder().width(900).height(540)
                .title("Cold storage: small-request p99 per variant (median of rounds)").xAxisTitle("variant")
                .yAxisTitle("p99 microseconds").build();
        style(bars.getStyler());
        bars.getStyler().setLegendVisible(false);
        bars.getStyler().setYAxisDecimalPattern("#,###");
        bars.getStyler().setXAxisLabelRotation(20);
        if (names.isEmpty()) {
            bars.setTitle("Cold storage: nothing was measured");
            names.add("none");
            p99s.add(0.0);
        }
        bars.addSeries("p99", names, p99s);
        save(bars, dir.resolve(P99));
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
