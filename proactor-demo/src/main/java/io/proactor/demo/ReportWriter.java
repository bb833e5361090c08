package io.proactor.demo;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

/**
 * Turns {@link DemoResults} into what a person reads: the tables (on the terminal as aligned text, in
 * {@value #SUMMARY} as Markdown, the same rows), the raw figures as {@value #RESULTS}, and PNG charts of
 * throughput, p99 latency and server CPU per request against the connection count, one line per variant, for
 * each protocol measured.
 */
final class ReportWriter {

    static final String RESULTS = "results.json";
    static final String SUMMARY = "summary.md";
    /** The charts of one protocol; the echo ones keep these names, the others' start with the protocol. */
    static final List<String> CHARTS = List.of("throughput.png", "p99-latency.png", "cpu-per-request.png");

    static {
        // Charts are drawn off screen; no display is needed (or wanted) on a server or in CI.
        System.setProperty("java.awt.headless", "true");
    }

    private ReportWriter() {
    }

    /** A table: a title, a header row and data rows, all cells already formatted. */
    record Table(String title, List<String> header, List<List<String>> rows) {
    }

    /** One figure per run, as the tables and charts show it. */
    private record Metric(String label, ToDoubleFunction<DemoResults.Run> value, String format) {
    }

    private static final Metric THROUGHPUT = new Metric("req/s", DemoResults.Run::requestsPerSecond, "%,.0f");
    private static final Metric P50 = new Metric("p50 µs", DemoResults.Run::p50Micros, "%,.1f");
    private static final Metric P99 = new Metric("p99 µs", DemoResults.Run::p99Micros, "%,.1f");
    private static final Metric P999 = new Metric("p99.9 µs", DemoResults.Run::p999Micros, "%,.1f");
    private static final Metric CPU = new Metric("CPU µs/req", DemoResults.Run::cpuMicrosPerRequest, "%,.2f");
    private static final Metric SYSCALLS = new Metric("syscalls/req", DemoResults.Run::syscallsPerRequest, "%.2f");
    private static final Metric ENTERS = new Metric("io_uring_enter/req", DemoResults.Run::ioUringEnterPerRequest,
            "%.3f");
    private static final Metric RSS = new Metric("RSS B/conn", DemoResults.Run::rssBytesPerConnection, "%,.0f");
    private static final Metric SWITCHES = new Metric("ctx-sw/req", DemoResults.Run::contextSwitchesPerRequest,
            "%.3f");

    /** Writes the report folder (created if needed; files of an earlier report there are replaced). */
    static void write(DemoResults results, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RESULTS), Json.write(asJson(results)));
        Files.writeString(dir.resolve(SUMMARY), markdown(results));
        for (String protocol : results.settings().scenarios()) {
            if (protocol.equals(DemoSettings.COLD)) {
                ColdReport.charts(results, dir);
                continue;
            }
            DemoResults view = results.forProtocol(protocol);
            List<String> files = charts(protocol);
            String what = protocol.equals(DemoSettings.ECHO) ? "Echo" : "HTTP file";
            List<Integer> counts = results.settings().countsFor(protocol);
            chart(view, counts, dir.resolve(files.get(0)), what + " throughput", "requests per second", THROUGHPUT,
                    false);
            chart(view, counts, dir.resolve(files.get(1)), what + " p99 latency", "microseconds", P99, true);
            chart(view, counts, dir.resolve(files.get(2)), what + ": server CPU time per request", "microseconds", CPU,
                    false);
        }
    }

    /** The chart files of {@code protocol}. */
    static List<String> charts(String protocol) {
        if (protocol.equals(DemoSettings.COLD)) {
            return ColdReport.CHARTS;
        }
        return protocol.equals(DemoSettings.ECHO) ? CHARTS : CHARTS.stream().map(c -> protocol + "-" + c).toList();
    }

    /** Every chart file of the report. */
    static List<String> charts(DemoSettings settings) {
        return charts(settings.scenarios());
    }

    /** Every chart file of a report on {@code protocols}. */
    static List<String> charts(List<String> protocols) {
        return protocols.stream().flatMap(p -> charts(p).stream()).toList();
    }

    /** The tables as aligned text, for the terminal. */
    static String text(DemoResults results) {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables(results)) {
            sb.append('\n').append(t.title()).append('\n');
            List<List<String>> all = new ArrayList<>();
            all.add(t.header());
            all.addAll(t.rows());
            int[] width = new int[t.header().size()];
            for (List<String> row : all) {
                for (int i = 0; i < row.size(); i++) {
                    width[i] = Math.max(width[i], row.get(i).length());
                }
            }
            for (List<String> row : all) {
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i);
                    // names left, figures right, as a reader scans them
                    sb.append(i == 0 ? String.format("%-" + width[i] + "s", cell)
                            : String.format("  %" + width[i] + "s", cell));
                }
                sb.append('\n');
            }
        }
        String cold = ColdReport.finding(results);
        if (cold != null) {
            sb.append('\n').append(cold).append('\n');
        }
        verdict(results, sb, "");
        failuresAndNotes(results, sb, "");
        return sb.toString();
    }

    static List<Table> tables(DemoResults results) {
        List<Table> tables = new ArrayList<>();
        for (String protocol : results.settings().scenarios()) {
            if (protocol.equals(DemoSettings.COLD)) {
                tables.add(ColdReport.table(results));
            } else {
                tables.addAll(tables(results.forProtocol(protocol), protocol));
            }
        }
        return tables;
    }

    private static List<Table> tables(DemoResults results, String protocol) {
        DemoSettings s = results.settings();
        String base = s.baseline().name();
        boolean spread = s.rounds() > 1;
        List<Table> tables = new ArrayList<>();
        boolean echo = protocol.equals(DemoSettings.ECHO);
        for (int connections : s.countsFor(protocol)) {
            List<String> header = new ArrayList<>(List.of("variant", THROUGHPUT.label, "× " + base));
            if (spread) {
                header.add("spread");
            }
            header.addAll(List.of(P50.label, P99.label, P999.label, CPU.label, "× " + base, SYSCALLS.label,
                    ENTERS.label, SWITCHES.label));
            boolean rss = echo && connections >= Demo.RSS_MIN_CONNECTIONS;
            if (rss) {
                header.add(RSS.label);
            }
            header.add("load CPU");
            List<List<String>> rows = new ArrayList<>();
            for (Variant v : s.variants()) {
                if (results.runs().stream().noneMatch(r -> r.variant().equals(v.name()))) {
                    continue;
                }
                List<String> row = new ArrayList<>();
                row.add(v.name());
                row.add(cell(results, v, connections, THROUGHPUT));
                row.add(ratio(results, v, base, connections, THROUGHPUT));
                if (spread) {
                    double sp = results.spread(v.name(), connections, THROUGHPUT.value);
                    row.add(Double.isNaN(sp) ? "n/a" : String.format("%.0f%%", sp * 100));
                }
                row.add(cell(results, v, connections, P50));
                row.add(cell(results, v, connections, P99));
                row.add(cell(results, v, connections, P999));
                row.add(cell(results, v, connections, CPU));
                row.add(ratio(results, v, base, connections, CPU));
                row.add(cell(results, v, connections, SYSCALLS));
                row.add(cell(results, v, connections, ENTERS));
                row.add(cell(results, v, connections, SWITCHES));
                if (rss) {
                    row.add(cell(results, v, connections, RSS));
                }
                row.add(loadCell(results, v, connections));
                rows.add(row);
            }
            String what = protocol.equals(DemoSettings.ECHO)
                    ? String.format("Echo at %d connection%s (%d-byte messages", connections, connections == 1 ? "" : "s",
                    s.size())
                    : String.format("HTTP file server at %d connection%s (keep-alive GETs of a %,d-byte file",
                    connections, connections == 1 ? "" : "s", s.fileSize());
            tables.add(new Table(String.format("%s, %d in flight each; median of %d round%s; × = ratio to %s)", what,
                    s.depth(), s.rounds(), s.rounds() == 1 ? "" : "s", base), header, rows));
        }
        if (!results.idle().isEmpty()) {
            DemoResults.IdleMemory baseMemory = results.idleOf(base);
            List<List<String>> rows = new ArrayList<>();
            for (Variant v : s.variants()) {
                DemoResults.IdleMemory m = results.idleOf(v.name());
                if (m == null) {
                    continue;
                }
                rows.add(List.of(v.name(), String.format("%,.0f", m.rssBytesPerConnection()),
                        baseMemory == null || baseMemory.rssBytesPerConnection() <= 0 ? "n/a"
                                : String.format("%.2f", m.rssBytesPerConnection() / baseMemory.rssBytesPerConnection()),
                        String.format("%,.0f", m.heapBytesPerConnection()),
                        String.format("%,.0f", m.directBytesPerConnection())));
            }
            tables.add(new Table(String.format("Server memory per idle connection (%,d idle connections)",
                    s.idleConnections()), List.of("variant", "RSS bytes", "× " + base, "heap bytes", "direct bytes"),
                    rows));
        }
        return tables;
    }

    /** The load generator's median CPU use, marked client-bound when any round was. */
    private static String loadCell(DemoResults results, Variant v, int connections) {
        double share = results.median(v.name(), connections, DemoResults.Run::loadCpuShare);
        boolean bound = results.runs().stream().anyMatch(r -> r.variant().equals(v.name())
                && r.connections() == connections && r.clientBound());
        return Double.isNaN(share) ? "n/a" : String.format("%.0f%%%s", share * 100, bound ? " client-bound" : "");
    }

    private static String cell(DemoResults results, Variant v, int connections, Metric m) {
        double value = results.median(v.name(), connections, m.value);
        return Double.isNaN(value) ? "n/a" : String.format(m.format, value);
    }

    private static String ratio(DemoResults results, Variant v, String base, int connections, Metric m) {
        double value = results.median(v.name(), connections, m.value);
        double reference = results.median(base, connections, m.value);
        return Double.isNaN(value) || Double.isNaN(reference) || reference <= 0 ? "n/a"
                : String.format("%.2f", value / reference);
    }

    /** The verdict section: who wins what, ties within the noise (see {@link Verdict}). */
    private static void verdict(DemoResults results, StringBuilder sb, String bullet) {
        List<String> lines = Verdict.lines(results);
        if (lines.isEmpty()) {
            return;
        }
        String title = String.format("Verdict (lowest wins, download throughput highest; tied: within the larger "
                + "spread over rounds of the two, or %.0f%% with one round)", Ties.SINGLE_ROUND_NOISE * 100);
        sb.append(bullet.isEmpty() ? "\n" + title + ":\n" : "\n## " + title + "\n\n");
        lines.forEach(l -> sb.append(bullet).append(l).append('\n'));
    }

    private static void failuresAndNotes(DemoResults results, StringBuilder sb, String bullet) {
        if (!results.failures().isEmpty()) {
            sb.append('\n').append("Failed:\n");
            results.failures().forEach((v, why) -> sb.append(bullet).append(v).append(": ").append(why).append('\n'));
        }
        if (!results.notes().isEmpty()) {
            sb.append('\n').append("Notes:\n");
            results.notes().forEach(n -> sb.append(bullet).append(n).append('\n'));
        }
    }

    static String markdown(DemoResults results) {
        DemoSettings s = results.settings();
        StringBuilder sb = new StringBuilder("# Reactor vs Proactor: demo report\n\n");
        sb.append("Command: `").append(s.commandLine()).append("`\n\n");
        results.environment().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\nVariants:\n\n");
        for (Variant v : s.variants()) {
            sb.append("- `").append(v.name()).append("`: ").append(v.description()).append('\n');
        }
        for (Table t : tables(results)) {
            sb.append("\n## ").append(t.title()).append("\n\n");
            row(sb, t.header());
            sb.append('|');
            for (int i = 0; i < t.header().size(); i++) {
                sb.append(i == 0 ? "---|" : "---:|");
            }
            sb.append('\n');
            t.rows().forEach(r -> row(sb, r));
        }
        String cold = ColdReport.finding(results);
        if (cold != null) {
            sb.append("\n## What the cold-storage numbers show\n\n").append(cold).append('\n');
        }
        verdict(results, sb, "- ");
        sb.append("\n## Charts\n\n");
        for (String chart : charts(s)) {
            sb.append("![").append(chart).append("](").append(chart).append(")\n");
        }
        sb.append("""

                ## How each figure is taken

                - req/s: echoes (HTTP responses) completed and verified byte for byte by the load generator in the
                  measurement window; a response is checked for status 200, its Content-Length and its body.
                - p50 / p99 / p99.9: from send of a message (request) to receipt of the last byte of its echo
                  (response), per message, HdrHistogram (3 significant digits), measured at the client.
                - CPU µs/req: the server process's on-CPU time over the window (all its threads: I/O, workers,
                  GC, JIT), divided by the requests of the window.
                - syscalls/req and io_uring_enter/req: `perf stat` tracepoint counts of the server process.
                - ctx-sw/req: voluntary + involuntary context switches of the server's threads over the window.
                - RSS B/conn (echo, 1,000 connections and more, first round): (the server's resident memory at the
                  end of the window, every connection with a message in flight − just before the connections were
                  opened) ÷ connections: what an active connection costs, buffers per pending operation included.
                  Later rounds are not counted: the JVM keeps memory it has touched.
                - memory per idle connection: (value with the idle connections open − value before) ÷ their number;
                  RSS from /proc/PID/status, heap used and JDK direct buffers reported by the server after a full GC.
                  Kernel socket memory is not in RSS.
                - cold storage: small p50/p99/p99.9 are the small-file requests' latencies while the downloads
                  ran; downloads MiB/s counts large-file body bytes verified per second; server CPU is the server's
                  CPU time over the window in % of one core; loop blocked is the time the server's loop (or
                  connection) threads were found in state D (waiting for the disk), sampled every millisecond from
                  /proc/PID/task/TID/stat and summed over those threads; cached is the share of the large files in
                  the page cache (fincore) when the window opened → closed.
                - load CPU: the load generator's CPU time over the window in % of one core; "client-bound" when
                  one of its threads, or all the CPUs it may use, were busy 90% of the window or more: the client
                  may then have set the pace, not the server.
                """);
        failuresAndNotes(results, sb, "- ");
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<String> cells) {
        sb.append('|');
        cells.forEach(c -> sb.append(' ').append(c.replace("|", "\\|")).append(" |"));
        sb.append('\n');
    }

    private static Map<String, Object> asJson(DemoResults results) {
        DemoSettings s = results.settings();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("command", s.commandLine());
        settings.put("variants", s.variants().stream().map(Variant::name).toList());
        settings.put("connectionCounts", s.connectionCounts());
        settings.put("httpConnectionCounts", s.httpConnectionCounts());
        settings.put("scenarios", s.scenarios());
        settings.put("messageBytes", s.size());
        settings.put("fileBytes", s.fileSize());
        settings.put("depth", s.depth());
        settings.put("warmupSeconds", s.warmup().toMillis() / 1000.0);
        settings.put("measureSeconds", s.measure().toMillis() / 1000.0);
        settings.put("rounds", s.rounds());
        settings.put("idleConnections", s.idleConnections());
        settings.put("serverThreads", s.serverThreads());
        settings.put("baseline", s.baseline().name());
        Map<String, Object> cold = new LinkedHashMap<>();
        cold.put("files", s.cold().files());
        cold.put("fileBytes", s.cold().fileSize());
        cold.put("downloads", s.cold().downloads());
        cold.put("smallClients", s.cold().smallClients());
        settings.put("coldStorage", cold);
        List<Object> runs = new ArrayList<>();
        for (DemoResults.Run r : results.runs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", r.protocol());
            m.put("variant", r.variant());
            m.put("connections", r.connections());
            m.put("round", r.round());
            m.put("requests", r.requests());
            m.put("seconds", r.seconds());
            m.put("requestsPerSecond", r.requestsPerSecond());
            m.put("p50Micros", r.p50Micros());
            m.put("p99Micros", r.p99Micros());
            m.put("p999Micros", r.p999Micros());
            m.put("cpuMicrosPerRequest", r.cpuMicrosPerRequest());
            m.put("syscallsPerRequest", r.syscallsPerRequest());
            m.put("ioUringEnterPerRequest", r.ioUringEnterPerRequest());
            m.put("contextSwitchesPerRequest", r.contextSwitchesPerRequest());
            m.put("errors", r.errors());
            m.put("rssBytesPerActiveConnection", r.rssBytesPerConnection());
            m.put("loadCpuShare", r.loadCpuShare());
            m.put("clientBound", r.clientBound());
            runs.add(m);
        }
        List<Object> idle = new ArrayList<>();
        for (DemoResults.IdleMemory i : results.idle()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variant", i.variant());
            m.put("connections", i.connections());
            m.put("rssBytesPerConnection", i.rssBytesPerConnection());
            m.put("heapBytesPerConnection", i.heapBytesPerConnection());
            m.put("directBytesPerConnection", i.directBytesPerConnection());
            idle.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("environment", results.environment());
        root.put("runs", runs);
        root.put("idleMemory", idle);
        root.put("coldStorage", ColdReport.asJson(results));
        root.put("failures", results.failures());
        root.put("notes", results.notes());
        return root;
    }

    private static void chart(DemoResults results, List<Integer> counts, Path file, String title, String yTitle,
                              Metric metric, boolean logY) throws IOException {
        DemoSettings s = results.settings();
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title + " vs connections")
                .xAxisTitle("connections").yAxisTitle(yTitle).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setXAxisDecimalPattern("#,###");
        styler.setYAxisDecimalPattern(metric.format.contains(".") ? "#,##0.#" : "#,###");
        List<Double> allX = new ArrayList<>();
        List<Double> allY = new ArrayList<>();
        for (Variant v : s.variants()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int connections : counts) {
                double y = results.median(v.name(), connections, metric.value);
                if (!Double.isNaN(y) && y > 0) {
                    xs.add((double) connections);
                    ys.add(y);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(v.name(), xs, ys);
                allX.addAll(xs);
                allY.addAll(ys);
            }
        }
        // A log axis helps only when the values span a decade or more (and cannot draw a single value).
        styler.setXAxisLogarithmic(spansDecade(allX));
        styler.setYAxisLogarithmic(logY && spansDecade(allY));
        if (chart.getSeriesMap().isEmpty()) {
            // XChart cannot draw a chart with no series; say so in the picture rather than leave a hole.
            chart.setTitle(title + ": nothing was measured");
            chart.addSeries("none", new double[] {1}, new double[] {0});
        }
        try (OutputStream os = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static boolean spansDecade(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        return min > 0 && max / min >= 10;
    }
}
