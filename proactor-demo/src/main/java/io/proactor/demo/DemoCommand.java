package io.proactor.demo;

import io.proactor.load.ProgressLine;
import io.proactor.samples.CommandLine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** {@code proactor demo}: the side-by-side Reactor vs Proactor comparison (see {@link Demo}). */
public final class DemoCommand {

    static final String USAGE = """
            usage: proactor demo [--quick] [--variants LIST] [--scenarios LIST] [--connections LIST]
                                 [--http-connections LIST] [--size BYTES]
                                 [--file-size SIZE] [--depth N] [--warmup S] [--measure S] [--rounds N]
                                 [--idle-connections N] [--cold-files N] [--cold-file-size SIZE]
                                 [--downloads N] [--small-clients N]
                                 [--server-threads N] [--baseline VARIANT] [--out DIR]
                                 [--server-cpus CPUS|none] [--load-cpus CPUS]

            Runs the echo protocol handler, then the HTTP file server, then the file server under mixed load on
            cold storage, on every engine and threading model, one server process each, loads each in turn with a
            verifying load generator, and prints tables with ratios to the baseline; writes results.json,
            summary.md and PNG charts to the report folder.

              --quick             a short run (under 2 minutes on 2 cores): fewer connection counts, shorter
                                  windows, smaller files; flags given as well override it
              --variants          comma-separated, default all: %s
              --scenarios         what to measure (default all): echo (and idle connections), http (a small
                                  cached file), cold-storage (small requests while large files are read from
                                  storage that is not in the page cache)
              --connections       echo connection counts to sweep, each connection with a message in flight
                                  (default 1,10,100,1000,10000; --quick 1,100)
              --http-connections  HTTP connection counts (default 1,10,100; --quick 100)
              --size              bytes per echo message (default 64)
              --file-size         bytes of the file the HTTP load asks for (default 1K; K and M suffixes)
              --depth             messages (requests) in flight per connection, 1 = ping-pong (default 1)
              --warmup            seconds of load before each measurement (default 0.5; --quick 0.2)
              --measure           seconds measured per variant and connection count (default 1.5; --quick 0.7)
              --rounds            interleaved repetitions; tables show the median and spread (default 1)
              --idle-connections  idle connections for memory per connection, 0 skips it (default 10000)
              --cold-files        cold-storage: large files (default 3)
              --cold-file-size    cold-storage: bytes of each large file (default 64M; K, M and G suffixes)
              --downloads         cold-storage: clients downloading the large files (default 4)
              --small-clients     cold-storage: clients requesting the small file (default 16)
              --server-threads    threads of worker-pool, main-sub and reuseport servers (default 2)
              --baseline          the variant ratios are relative to (default reactor-single)
              --out               report folder (default demo-report/<date-time>)
              --server-cpus       CPUs for the servers, for taskset (default 0); none: no pinning
              --load-cpus         CPUs for the load generator (default 1)

            Exit status 0 when every variant ran with every echo and response verified, 1 otherwise, 2 on bad
            arguments."""
            .formatted(Variant.NAMES);

    private static final Set<String> FLAGS = Set.of("variants", "scenarios", "connections", "http-connections",
            "size", "file-size",
            "depth", "warmup", "measure", "rounds", "idle-connections", "server-threads", "baseline", "out",
            "server-cpus", "load-cpus", "cold-files", "cold-file-size", "downloads", "small-clients");
    private static final List<String> SCENARIOS = DemoSettings.SCENARIOS;
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final String DEFAULT_BASELINE = "reactor-single";

    private DemoCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, ProgressLine.forTerminal(System.err)));
    }

    static int run(String[] args, PrintStream out, PrintStream err, ProgressLine progress) {
        DemoSettings settings;
        try {
            settings = parse(args, out);
            if (settings == null) {
                return 0; // --help
            }
            Files.createDirectories(settings.out());
            if (!Files.isWritable(settings.out())) {
                throw new CommandLine.UsageException("--out: cannot write to " + settings.out());
            }
        } catch (CommandLine.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("error: cannot create the report folder: " + e);
            return 2;
        }
        try {
            DemoResults results = new Demo(settings, out, progress).run();
            out.print(ReportWriter.text(results));
            ReportWriter.write(results, settings.out());
            out.println("\nreport: " + settings.out().toAbsolutePath() + " (" + ReportWriter.SUMMARY + ", "
                    + ReportWriter.RESULTS + ", " + String.join(", ", ReportWriter.charts(settings)) + ")");
            return results.failures().isEmpty() ? 0 : 1;
        } catch (IOException e) {
            progress.finish();
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The settings of {@code args}, or {@code null} after printing the help text. */
    static DemoSettings parse(String[] args, PrintStream out) throws CommandLine.UsageException {
        CommandLine cl = new CommandLine(args, FLAGS, Set.of("quick"), 0);
        if (cl.help()) {
            out.println(USAGE);
            return null;
        }
        List<Variant> variants = new ArrayList<>();
        for (String name : list(cl, "variants", Variant.NAMES)) {
            try {
                Variant v = Variant.named(name);
                if (variants.contains(v)) {
                    throw new CommandLine.UsageException("--variants names " + name + " twice");
                }
                variants.add(v);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.UsageException("--variants: " + e.getMessage());
            }
        }
        List<String> scenarios = new ArrayList<>();
        for (String p : list(cl, "scenarios", String.join(",", SCENARIOS))) {
            if (!SCENARIOS.contains(p)) {
                throw new CommandLine.UsageException("--scenarios: unknown scenario '" + p + "'; expected some of "
                        + String.join(", ", SCENARIOS));
            }
            if (scenarios.contains(p)) {
                throw new CommandLine.UsageException("--scenarios names " + p + " twice");
            }
            scenarios.add(p);
        }
        // in the order the demo runs them, whatever order they were typed in
        scenarios.sort(java.util.Comparator.comparingInt(SCENARIOS::indexOf));
        DemoSettings.Cold cold = cold(cl, scenarios.contains(DemoSettings.COLD), cl.on("quick"));
        long fileSize = cl.bytes("file-size", 1024);
        if (fileSize < 1 || fileSize > 64L * 1024 * 1024) {
            throw new CommandLine.UsageException("--file-size must be between 1 byte and 64M, was " + fileSize);
        }
        boolean quick = cl.on("quick");
        List<Integer> counts = counts(cl, "connections", quick ? "1,100" : "1,10,100,1000,10000");
        List<Integer> httpCounts = counts(cl, "http-connections", quick ? "100" : "1,10,100");
        int idle = cl.integer("idle-connections", quick ? 1000 : 10_000, 0, 100_000);
        checkDescriptors(counts, httpCounts, idle);
        String baselineName = cl.string("baseline", null);
        Variant baseline;
        if (baselineName == null) {
            // The default baseline when it is measured, else the first variant measured.
            baseline = variants.stream().filter(v -> v.name().equals(DEFAULT_BASELINE)).findFirst()
                    .orElse(variants.get(0));
        } else {
            baseline = variants.stream().filter(v -> v.name().equals(baselineName.trim())).findFirst()
                    .orElseThrow(() -> new CommandLine.UsageException("--baseline " + baselineName
                            + " is not among the variants measured (" + String.join(",",
                            variants.stream().map(Variant::name).toList()) + ")"));
        }
        String serverCpus = cl.string("server-cpus", "0").trim();
        String loadCpus = cl.string("load-cpus", "1").trim();
        if (serverCpus.equals("none")) {
            serverCpus = null;
            loadCpus = null;
        } else if (!CPU_LIST.matcher(serverCpus).matches() || !CPU_LIST.matcher(loadCpus).matches()) {
            throw new CommandLine.UsageException("--server-cpus and --load-cpus take CPU lists such as 0 or 0-1,3 "
                    + "(--server-cpus none: no pinning); got '" + serverCpus + "' and '" + loadCpus + "'");
        }
        Path report;
        try {
            report = Path.of(cl.string("out", "demo-report/"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        } catch (InvalidPathException e) {
            throw new CommandLine.UsageException("--out: " + e.getMessage());
        }
        return new DemoSettings(variants, counts, httpCounts, cl.integer("size", 64, 1, 1 << 20),
                cl.integer("depth", 1, 1, 4096), List.copyOf(scenarios), (int) fileSize,
                seconds(cl, "warmup", quick ? "0.2" : "0.5", 0), seconds(cl, "measure", quick ? "0.7" : "1.5", 0.1),
                cl.integer("rounds", 1, 1, 100), idle,
                cl.integer("server-threads", 2, 1, 256), baseline, report, serverCpus, loadCpus, cold,
                String.join(" ", commandWords(args)));
    }

    /**
     * The cold-storage settings; when the scenario runs, its files must fit the free space of the temporary
     * directory's disk with room to spare (the demo should not fill a disk).
     */
    private static DemoSettings.Cold cold(CommandLine cl, boolean runs, boolean quick)
            throws CommandLine.UsageException {
        int files = cl.integer("cold-files", quick ? 2 : 3, 1, 64);
        long size = cl.bytes("cold-file-size", quick ? 16L << 20 : 64L << 20);
        if (size < 1 << 20 || size > 16L << 30) {
            throw new CommandLine.UsageException("--cold-file-size must be between 1M and 16G, was " + size);
        }
        DemoSettings.Cold cold = new DemoSettings.Cold(files, size, cl.integer("downloads", quick ? 2 : 4, 1, 1000),
                cl.integer("small-clients", quick ? 8 : 16, 1, 10_000));
        if (runs) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            try {
                long free = Files.getFileStore(tmp).getUsableSpace();
                // keep a tenth of the free space, and at least 256 MiB, for everybody else
                long room = free - Math.max(free / 10, 256L << 20);
                if (cold.totalBytes() > room) {
                    throw new CommandLine.UsageException(String.format("--cold-files %d × --cold-file-size %,d "
                            + "bytes = %,d MiB does not fit the free space of %s (%,d MiB free, %,d MiB usable by "
                            + "the demo): use fewer or smaller files", files, size, cold.totalBytes() >> 20, tmp,
                            free >> 20, Math.max(0, room) >> 20));
                }
            } catch (IOException e) {
                throw new CommandLine.UsageException("cannot read the free space of " + tmp + ": " + e.getMessage());
            }
        }
        return cold;
    }

    /** A list of connection counts, each from 1 to 100,000, sorted, no repeats. */
    private static List<Integer> counts(CommandLine cl, String flag, String fallback)
            throws CommandLine.UsageException {
        Set<Integer> counts = new TreeSet<>();
        for (String c : list(cl, flag, fallback)) {
            try {
                int n = Integer.parseInt(c);
                if (n < 1 || n > 100_000) {
                    throw new CommandLine.UsageException("--" + flag + ": each count must be between 1 and 100000, "
                            + "was " + n);
                }
                counts.add(n);
            } catch (NumberFormatException e) {
                throw new CommandLine.UsageException("--" + flag + ": '" + c + "' is not a whole number");
            }
        }
        return List.copyOf(counts);
    }

    /**
     * The load opens every connection in this process: the largest count, and the idle connections, must fit
     * its open-file limit (which the JVM raised to the hard limit as it started) with room for the demo's own
     * files.
     */
    private static void checkDescriptors(List<Integer> counts, List<Integer> httpCounts, int idle)
            throws CommandLine.UsageException {
        long limit;
        String limits;
        try {
            limit = ProcStats.openFileLimit();
            limits = ProcStats.openFileLimits(ProcessHandle.current().pid());
        } catch (IOException e) {
            return; // no /proc: the demo itself says it cannot run here
        }
        String[] flags = {"--connections", "--http-connections", "--idle-connections"};
        int[] largest = {counts.get(counts.size() - 1), httpCounts.get(httpCounts.size() - 1), idle};
        for (int i = 0; i < flags.length; i++) {
            if (largest[i] + Demo.SPARE_FILES > limit) {
                throw new CommandLine.UsageException(String.format("%s %,d needs %,d open files in the demo's "
                        + "process (the connections and %,d for its own files), but its limit is %s: lower the count "
                        + "or raise the limit (ulimit -n; above the hard limit only root can)", flags[i], largest[i],
                        largest[i] + Demo.SPARE_FILES, Demo.SPARE_FILES, limits));
            }
        }
    }

    private static List<String> list(CommandLine cl, String flag, String fallback) throws CommandLine.UsageException {
        List<String> items = new ArrayList<>();
        for (String item : cl.string(flag, fallback).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        if (items.isEmpty()) {
            throw new CommandLine.UsageException("--" + flag + " needs at least one value");
        }
        return List.copyOf(items);
    }

    private static Duration seconds(CommandLine cl, String flag, String fallback, double min)
            throws CommandLine.UsageException {
        String text = cl.string(flag, fallback).trim();
        try {
            double s = Double.parseDouble(text);
            if (!(s >= min && s <= 3600)) {
                throw new CommandLine.UsageException("--" + flag + " must be between " + min + " and 3600 seconds, "
                        + "was " + text);
            }
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new CommandLine.UsageException("--" + flag + " must be a number of seconds, was '" + text + "'");
        }
    }

    private static List<String> commandWords(String[] args) {
        List<String> words = new ArrayList<>(List.of("./proactor", "demo"));
        words.addAll(List.of(args));
        return words;
    }
}
