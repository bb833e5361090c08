package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.load.ProgressLine;
import io.proactor.tests.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DemoCommandTest {

    static {
        io.proactor.Engines.available(); // the engines' one-time probes before any leak count
        // The first chart drawn opens the JDK's font files and starts its Java2D disposer thread, for the life
        // of the process: do that before the leak count too, whichever test class draws first.
        System.setProperty("java.awt.headless", "true"); // as ReportWriter draws
        XYChart chart = new XYChartBuilder().width(60).height(40).build();
        chart.addSeries("warm-up", new double[] {1}, new double[] {1});
        BitmapEncoder.getBufferedImage(chart);
    }

    @RegisterExtension
    final LeakCheck leakCheck = new LeakCheck();

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void runsTwoVariantsEndToEndAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
        int status = DemoCommand.run(new String[] {"--variants", "io_uring,reactor-single", "--scenarios", "echo,http",
            "--connections", "1,4", "--http-connections", "1,4",
            "--warmup", "0.2", "--measure", "0.6", "--idle-connections", "200", "--server-cpus", "none",
            "--out", report.toString()}, out, err,
                new ProgressLine(new PrintStream(progressBytes, true, StandardCharsets.UTF_8), true));
        String printed = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed + errBytes.toString(StandardCharsets.UTF_8));

        assertTrue(printed.contains("not pinned (--server-cpus none)"), printed);
        assertTrue(printed.contains("Echo at 4 connections"), printed);
        assertTrue(printed.contains("HTTP file server at 4 connections"), printed);
        for (String variant : new String[] {"io_uring", "reactor-single"}) {
            // echo and HTTP rows with a measured throughput at two connection counts, and an idle-memory row
            assertTrue(printed.lines().filter(l -> l.startsWith(variant + " ")).count() >= 5, printed);
        }
        assertTrue(progressBytes.toString(StandardCharsets.UTF_8).contains("req/s"), "live progress line");

        String json = Files.readString(report.resolve(ReportWriter.RESULTS));
        assertEquals(8, json.split("\"requestsPerSecond\": ").length - 1, json);
        assertEquals(4, json.split("\"protocol\": \"http\"").length - 1, json);
        assertTrue(!json.contains("\"requestsPerSecond\": 0.0,"), "every run echoed something: " + json);
        assertEquals(2, json.split("\"rssBytesPerConnection\": ").length - 1, json);
        assertTrue(json.contains("\"errors\": 0"), json);
        assertTrue(Files.readString(report.resolve(ReportWriter.SUMMARY)).contains("- CPU pressure: "));
        for (String chart : ReportWriter.charts(List.of("echo", "http"))) {
            assertTrue(Files.size(report.resolve(chart)) > 1000, chart);
        }
    }

    @Test
    void coldStorageRunsEndToEndAndLeavesNoFileBehind(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        long tempFilesBefore = coldTempDirs();
        int status = DemoCommand.run(new String[] {"--variants", "io_uring,io_uring-buffered,reactor-single",
            "--scenarios", "cold-storage", "--cold-files", "2", "--cold-file-size", "4M", "--downloads", "2",
            "--small-clients", "4", "--warmup", "0.2", "--measure", "0.8", "--server-cpus", "none",
            "--out", report.toString()}, out, err, new ProgressLine(out, false));
        String printed = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(printed.contains("Cold storage: small 1,024-byte GETs from 4 clients while 2 clients download"),
                printed);
        for (String variant : new String[] {"io_uring", "io_uring-buffered", "reactor-single"}) {
            assertTrue(printed.contains("cold round 1  " + variant + " "), printed);
        }
        assertTrue(printed.contains("While 2 clients downloaded 4 MiB files from cold storage"), printed);
        String json = Files.readString(report.resolve(ReportWriter.RESULTS));
        assertEquals(3, json.split("\"downloadBytesPerSecond\": ").length - 1, json);
        for (String chart : ColdReport.CHARTS) {
            assertTrue(Files.size(report.resolve(chart)) > 1000, chart);
        }
        assertEquals(tempFilesBefore, coldTempDirs(), "the cold-storage files are deleted");
    }

    private static long coldTempDirs() throws java.io.IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("proactor-demo-cold")).count();
        }
    }

    @Test
    void badFlagsSayWhatIsWrongAndExitWithUsage(@TempDir Path dir) {
        String[][] cases = {
            {"--variants", "io_uring,fast"}, {"--variants", "nio2,nio2"}, {"--variants", ","},
            {"--connections", "0"}, {"--connections", "ten"}, {"--warmup", "-1"}, {"--measure", "soon"},
            {"--variants", "nio2", "--baseline", "reactor-single"}, {"--server-cpus", "first"},
            {"--rounds", "0"}, {"--colour", "red"}, {"--scenarios", "echo,ftp"}, {"--scenarios", "http,http"},
            {"--file-size", "0"}, {"--file-size", "big"},
            {"--scenarios", "cold-storage", "--cold-files", "64", "--cold-file-size", "16G"},
            {"--cold-file-size", "100"}, {"--connections", "1,100000"}
        };
        String[] expected = {
            "unknown variant 'fast'", "names nio2 twice", "--variants needs at least one value",
            "each count must be between 1 and 100000", "'ten' is not a whole number",
            "--warmup must be between 0.0 and 3600", "--measure must be a number of seconds",
            "--baseline reactor-single is not among the variants measured (nio2)", "take CPU lists such as 0",
            "--rounds must be between 1 and 100", "unknown flag --colour", "unknown scenario 'ftp'",
            "--scenarios names http twice", "--file-size must be between 1 byte and 64M",
            "--file-size must be a size in bytes", "does not fit the free space of",
            "--cold-file-size must be between 1M and 16G", "--connections 100,000 needs 101,024 open files in the demo's "
                + "process (the connections and 1,024 for its own files), but its limit is "
        };
        for (int i = 0; i < cases.length; i++) {
            errBytes.reset();
            String[] args = new String[cases[i].length + 2];
            System.arraycopy(cases[i], 0, args, 0, cases[i].length);
            args[args.length - 2] = "--out";
            args[args.length - 1] = dir.resolve("never").toString();
            assertEquals(2, DemoCommand.run(args, out, err, new ProgressLine(out, false)), String.join(" ", cases[i]));
            String message = errBytes.toString(StandardCharsets.UTF_8);
            assertTrue(message.contains(expected[i]), message);
            assertTrue(message.contains("usage: proactor demo"), message);
        }
        assertTrue(!Files.exists(dir.resolve("never")), "no report folder for a refused command");
    }
}
