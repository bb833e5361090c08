package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {

    private static DemoResults results() {
        Variant uring = Variant.named("io_uring");
        Variant reactor = Variant.named("reactor-single");
        DemoSettings settings = new DemoSettings(List.of(uring, reactor), List.of(1, 10), List.of(1, 10), 64, 1,
                List.of(DemoSettings.ECHO, DemoSettings.HTTP), 1024, Duration.ofSeconds(1), Duration.ofSeconds(3), 2,
                1000, 2, reactor, Path.of("unused"), "0", "1", new DemoSettings.Cold(3, 64 << 20, 4, 16),
                "./proactor demo --rounds 2");
        List<DemoResults.Run> runs = List.of(
                // io_uring at 10 connections: 200k and 300k req/s over two rounds, median 250k
                run("io_uring", 10, 1, 200_000, 3.0, 0.5),
                run("io_uring", 10, 2, 300_000, 2.0, 0.5),
                run("io_uring", 1, 1, 50_000, 8.0, 2.0),
                run("io_uring", 1, 2, 50_000, 8.0, 2.0),
                run("reactor-single", 10, 1, 100_000, 5.0, 2.5),
                run("reactor-single", 10, 2, 100_000, 5.0, 2.5),
                run("reactor-single", 1, 1, 40_000, 10.0, 3.0),
                // syscalls not counted in one round: the median is taken over the rounds that have it
                run("reactor-single", 1, 2, 40_000, 10.0, Double.NaN),
                // the file server: one round each, io_uring at 1.5x the reactor at 10 connections
                httpRun("io_uring", 10, 60_000),
                httpRun("reactor-single", 10, 40_000),
                httpRun("io_uring", 1, 20_000),
                httpRun("reactor-single", 1, 20_000));
        List<DemoResults.IdleMemory> idle = List.of(new DemoResults.IdleMemory("io_uring", 1000, 3000, 1500, 0),
                new DemoResults.IdleMemory("reactor-single", 1000, 2000, 1200, 0));
        return new DemoResults(settings, Map.of("pinning", "servers on CPU 0, load on CPU 1 (taskset)"), runs, idle,
                List.of(), Map.of(), List.of("a note \"quoted\""));
    }

    private static DemoResults.Run run(String variant, int connections, int round, double rps, double cpu,
                                       double syscalls) {
        return new DemoResults.Run(DemoSettings.ECHO, variant, connections, round, (long) (rps * 3), 3.0, rps, 20,
                100, 400, cpu, syscalls, Double.NaN, 0.01, 0, Double.NaN, 0.5, false);
    }

    private static DemoResults.Run httpRun(String variant, int connections, double rps) {
        return new DemoResults.Run(DemoSettings.HTTP, variant, connections, 1, (long) (rps * 3), 3.0, rps, 30, 150,
                500, 9.0, 4.0, Double.NaN, 0.02, 0, Double.NaN, 0.95, true);
    }

    @Test
    void mediansAndRatiosToTheBaseline() {
        DemoResults r = results();
        DemoResults echo = r.forProtocol(DemoSettings.ECHO);
        assertEquals(250_000, echo.median("io_uring", 10, DemoResults.Run::requestsPerSecond));
        assertEquals(0.5, echo.spread("io_uring", 10, DemoResults.Run::requestsPerSecond), 1e-9);
        assertEquals(3.0, echo.median("reactor-single", 1, DemoResults.Run::syscallsPerRequest));
        String text = ReportWriter.text(r);
        // 250k / 100k = 2.50 (throughput) and 2.5 / 5 = 0.50 (CPU) in the io_uring row at 10 connections
        String row = text.lines().filter(l -> l.startsWith("io_uring") && l.contains("250,000")).findFirst()
                .orElseThrow(() -> new AssertionError(text));
        assertTrue(row.contains("2.50") && row.contains("0.50") && row.contains("50%"), row);
        assertTrue(text.contains("Server memory per idle connection (1,000 idle connections)"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("io_uring") && l.contains("3,000") && l.contains("1.50")),
                text);
    }

    @Test
    void eachProtocolHasItsOwnTablesAndCharts(@TempDir Path dir) throws Exception {
        DemoResults r = results();
        assertEquals(40_000, r.forProtocol(DemoSettings.HTTP).median("reactor-single", 10,
                DemoResults.Run::requestsPerSecond), "the echo runs of the same variant do not mix in");
        List<ReportWriter.Table> tables = ReportWriter.tables(r);
        // echo at 1 and 10 connections, idle memory, then HTTP at 1 and 10 (no idle-memory table of its own)
        assertEquals(5, tables.size(), tables.toString());
        ReportWriter.Table http10 = tables.get(4);
        assertTrue(http10.title().startsWith("HTTP file server at 10 connections (keep-alive GETs of a 1,024-byte"),
                http10.title());
        List<String> uringRow = http10.rows().stream().filter(row -> row.get(0).equals("io_uring")).findFirst()
                .orElseThrow();
        assertEquals("60,000", uringRow.get(1));
        assertEquals("1.50", uringRow.get(2));
        // the load generator was saturated in that measurement: the table says so
        assertEquals("95% client-bound", uringRow.get(uringRow.size() - 1));
        assertEquals("load CPU", http10.header().get(http10.header().size() - 1));

        ReportWriter.write(r, dir);
        assertEquals(List.of("throughput.png", "p99-latency.png", "cpu-per-request.png", "http-throughput.png",
                "http-p99-latency.png", "http-cpu-per-request.png"), ReportWriter.charts(r.settings()));
        for (String chart : ReportWriter.charts(r.settings())) {
            assertNotNull(ImageIO.read(dir.resolve(chart).toFile()), chart);
        }
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## HTTP file server at 1 connection (") && md.contains("![http-throughput.png]"), md);
        assertTrue(Files.readString(dir.resolve("results.json")).contains("\"protocol\": \"http\""));
    }

    @Test
    void writesJsonMarkdownAndCharts(@TempDir Path dir) throws Exception {
        ReportWriter.write(results(), dir);

        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"baseline\": \"reactor-single\""), json);
        assertTrue(json.contains("\"requestsPerSecond\": 300000.0"), json);
        assertTrue(json.contains("\"ioUringEnterPerRequest\": null"), "NaN must become null: " + json);
        assertTrue(json.contains("\"a note \\\"quoted\\\"\""), json);
        assertEquals(12, json.split("\"variant\": \"").length - 1 - 2, "12 runs (and 2 idle entries)");

        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("Command: `./proactor demo --rounds 2`"), md);
        assertTrue(md.contains("| variant | req/s | × reactor-single |"), md);
        assertTrue(md.contains("|---|---:|"), md);
        assertTrue(md.contains("![throughput.png](throughput.png)"), md);

        for (String chart : ReportWriter.CHARTS) {
            BufferedImage image = ImageIO.read(dir.resolve(chart).toFile());
            assertNotNull(image, chart + " is not a readable PNG");
            assertEquals(900, image.getWidth(), chart);
            assertEquals(540, image.getHeight(), chart);
        }
    }

    @Test
    void theVerdictNamesWinnersAndTiesFromTheData() {
        List<String> lines = Verdict.lines(results());
        // io_uring's CPU at 10 connections (median 2.5, spread 50%) beats the reactor's 5.0 by more than the
        // spread; their p99s are equal
        assertTrue(lines.contains("echo at 10 connections: CPU per request — io_uring; p99 — io_uring (tied within "
                + "the noise: reactor-single)"), lines.toString());
        assertTrue(lines.contains("echo, memory per idle connection — reactor-single"), lines.toString());
        assertTrue(ReportWriter.text(results()).contains("\nVerdict (lowest wins"), "in the text");
        assertEquals("b (tied within the noise: a)", Verdict.winner(List.of(new Verdict.Score("a", 105, Double.NaN),
                new Verdict.Score("b", 100, Double.NaN), new Verdict.Score("c", 130, Double.NaN)), false));
        assertEquals("c", Verdict.winner(List.of(new Verdict.Score("a", 105, 0.02),
                new Verdict.Score("c", 130, 0.02)), true));
        assertEquals("n/a", Verdict.winner(List.of(new Verdict.Score("a", Double.NaN, Double.NaN)), false));
    }

    @Test
    void chartsAreDrawnEvenWhenNothingWasMeasured(@TempDir Path dir) throws Exception {
        DemoResults full = results();
        DemoResults empty = new DemoResults(full.settings(), Map.of(), List.of(), List.of(), List.of(),
                Map.of("io_uring", "engine io_uring cannot run here"), List.of());
        ReportWriter.write(empty, dir);
        assertNotNull(ImageIO.read(dir.resolve("throughput.png").toFile()));
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("io_uring: engine io_uring cannot run here"));
    }
}
