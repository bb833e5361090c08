package io.proactor.demo;

import io.proactor.load.ExpectedBody;
import io.proactor.load.HttpGet;
import io.proactor.load.HttpLoad;
import io.proactor.load.LoadGenerator;
import io.proactor.load.LoadResult;
import io.proactor.load.LoadSettings;
import io.proactor.load.LoadWindow;
import io.proactor.load.ProgressLine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The cold-storage scenario, the classic case for the Proactor: while a few clients download large files that
 * are not in the page cache, other clients ask for a small cached file in a loop, and the small requests'
 * latency shows whether a large read from storage stalls everybody else. A Reactor's loop does every read
 * itself ({@code sendfile} from the loop), so it sleeps in the disk wait with all its other connections
 * waiting; a Proactor hands the read to the kernel ({@code O_DIRECT} reads, or buffered reads run by io_uring's
 * workers); thread-per-connection blocks only the one connection's thread.
 *
 * <p>The large files are written once, synced, and evicted from the page cache with
 * {@code posix_fadvise(POSIX_FADV_DONTNEED)} (through {@code dd iflag=nocache count=0}, which needs no root)
 * before each measurement and every 100 ms during it, so that the server keeps finding them cold;
 * {@code fincore} shows how much of them was resident when each window opened and closed. Every byte of
 * every response is checked: the large files hold the load's pattern, computed from the offset.
 */
final class ColdStorage {

    /** How often the files are evicted again while the servers read them. */
    private static final String EVICT_PERIOD_SECONDS = "0.1";
    private static final Duration SAMPLE_PERIOD = Duration.ofMillis(1);
    private static final int FIRST_PATTERN = 1000;

    private final Demo demo;
    private final DemoSettings settings;
    private final DemoSettings.Cold cold;
    private final PrintStream out;
    private final ProgressLine progress;
    private final List<DemoResults.ColdRun> runs = new ArrayList<>();
    private final List<Path> largeFiles = new ArrayList<>();
    private String evictUnavailable;
    private String fincoreUnavailable;

    ColdStorage(Demo demo, DemoSettings settings, PrintStream out, ProgressLine progress) {
        this.demo = demo;
        this.settings = settings;
        this.cold = settings.cold();
        this.out = out;
        this.progress = progress;
    }

    /** Writes the files, measures every variant that takes part, deletes the files; returns the runs. */
    List<DemoResults.ColdRun> run(LoadGenerator load, List<String> serverLaunch) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("proactor-demo-cold");
        root.toFile().deleteOnExit(); // registered first, deleted last: after the files, on Ctrl-C too
        Path small = root.resolve("small.bin");
        small.toFile().deleteOnExit();
        Process evictor = null;
        try {
            byte[] smallBody = new byte[settings.fileSize()];
            new SplittableRandom(42).nextBytes(smallBody);
            Files.write(small, smallBody);
            List<HttpGet> downloads = writeLargeFiles(root);
            describeMethods();
            evictor = startEvictor();
            HttpGet smallGet = new HttpGet("/small.bin", smallBody);
            List<ServerProcess> servers = demo.startServers(serverLaunch, DemoSettings.COLD, root);
            // A second load generator, on its own thread and event loop: the downloads' byte checking must not
            // delay the small responses whose latency is measured.
            try (LoadGenerator downloadLoad = new LoadGenerator()) {
                demo.warmUp(load, servers, DemoSettings.COLD, new HttpLoad(smallGet), cold.smallClients());
                int total = settings.rounds() * servers.size();
                int done = 0;
                for (int round = 1; round <= settings.rounds(); round++) {
                    for (ServerProcess server : servers) {
                        done++;
                        if (demo.failed(DemoSettings.COLD, server.variant())) {
                            continue;
                        }
                        progress.prefix(String.format("cold [%d/%d] %-19s ", done, total, server.variant().name()));
                        measure(load, downloadLoad, server, smallGet, downloads, round);
                    }
                }
            } finally {
                servers.forEach(ServerProcess::close);
            }
        } finally {
            if (evictor != null) {
                evictor.destroy();
                evictor.waitFor(5, TimeUnit.SECONDS);
            }
            for (Path f : largeFiles) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(small);
            Files.deleteIfExists(root);
        }
        return runs;
    }

    /** Writes the large files from the load's pattern, synced so that their pages are clean and can be evicted. */
    private List<HttpGet> writeLargeFiles(Path root) throws IOException {
        List<HttpGet> gets = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < cold.files(); i++) {
            String name = "large-" + i + ".bin";
            Path file = root.resolve(name);
            file.toFile().deleteOnExit();
            largeFiles.add(file);
            ExpectedBody body = ExpectedBody.pattern(FIRST_PATTERN + i, cold.fileSize());
            progress.update(String.format("cold storage: writing %s (%,d MiB)", name, cold.fileSize() >> 20));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long offset = 0; offset < cold.fileSize(); ) {
                    chunk.clear();
                    int n = (int) Math.min(chunk.capacity(), cold.fileSize() - offset);
                    for (int j = 0; j < n; j++) {
                        chunk.put(body.at(offset + j));
                    }
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        ch.write(chunk);
                    }
                    offset += n;
                }
                ch.force(true);
            }
            gets.add(new HttpGet("/" + name, body));
        }
        progress.finish();
        return gets;
    }

    /** Checks that dd can evict and fincore can count, and says how the scenario is run. */
    private void describeMethods() throws InterruptedException {
        evictUnavailable = evict();
        if (evictUnavailable != null) {
            demo.note("cold storage: the large files could not be evicted from the page cache (" + evictUnavailable
                    + "): the scenario ran on files that may have been cached");
        }
        fincoreUnavailable = residentBytes() < 0 ? "fincore (util-linux) is not installed or failed" : null;
        if (fincoreUnavailable != null) {
            demo.note("cold storage: no page-cache evidence, " + fincoreUnavailable);
        }
        demo.describe("cold storage", String.format("%d clients each download one of %d files of %,d MiB (evicted "
                        + "with posix_fadvise DONTNEED through `dd iflag=nocache count=0` before each window and every "
                        + "%s s during it), while %d clients GET the %,d-byte cached file in a loop; every byte "
                        + "checked. Loop threads' blocked time: their state sampled every %d ms in "
                        + "/proc/PID/task/TID/stat, time in D (disk wait) summed", cold.downloads(), cold.files(),
                cold.fileSize() >> 20, EVICT_PERIOD_SECONDS, cold.smallClients(), settings.fileSize(),
                SAMPLE_PERIOD.toMillis()));
    }

    /** Evicts the large files once; {@code null} when dd did, else what went wrong. */
    private String evict() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "for f; do dd if=\"$f\" iflag=nocache count=0 status=none || exit 1; done", "sh"));
        largeFiles.forEach(f -> command.add(f.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? null : "dd: " + said;
        } catch (IOException e) {
            return "cannot run dd: " + e.getMessage();
        }
    }

    /**
     * Evicts the files every {@value #EVICT_PERIOD_SECONDS} s until stopped: a shell loop that also ends when
     * this process is gone ({@code kill -0 $PPID}), so not even a killed demo leaves it running.
     */
    private Process startEvictor() throws IOException {
        if (evictUnavailable != null) {
            return null;
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c", "while kill -0 \"$PPID\" 2>/dev/null; do "
                + "for f; do dd if=\"$f\" iflag=nocache count=0 status=none; done; sleep " + EVICT_PERIOD_SECONDS
                + "; done", "sh"));
        largeFiles.forEach(f -> command.add(f.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Bytes of the large files in the page cache now ({@code fincore}), or -1 when it cannot tell. */
    private long residentBytes() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--raw", "--output",
                "RES"));
        largeFiles.forEach(f -> command.add(f.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                return -1;
            }
            return parseResident(said);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The sum of fincore's {@code RES} column (one number per line). */
    static long parseResident(String fincoreOutput) {
        return fincoreOutput.lines().map(String::trim).filter(l -> !l.isEmpty()).mapToLong(Long::parseLong).sum();
    }

    private void measure(LoadGenerator load, LoadGenerator downloadLoad, ServerProcess server, HttpGet smallGet,
                         List<HttpGet> downloads, int round) throws InterruptedException {
        Variant v = server.variant();
        Duration warmup = settings.warmup().isZero() ? Duration.ofMillis(200) : settings.warmup();
        // The downloads start first and their window spans the small requests' window on both sides.
        Duration downloadWarmup = warmup.dividedBy(2);
        Duration downloadMeasure = warmup.minus(downloadWarmup).plus(settings.measure()).plusMillis(500);
        evict();
        LoadResult small;
        LoadResult big;
        ServerWindow window;
        long residentBefore;
        long residentAfter;
        try (BlockedSampler sampler = new BlockedSampler(BlockedSampler.ofProcess(server.pid(), v.loopThreads()),
                SAMPLE_PERIOD)) {
            CompletableFuture<LoadResult> downloading = new CompletableFuture<>();
            Thread downloader = new Thread(() -> {
                try {
                    downloading.complete(downloadLoad.run(new LoadSettings(server.address(), cold.downloads(), 1,
                            downloadWarmup, downloadMeasure), new HttpLoad(downloads), LoadWindow.UNWATCHED, null));
                } catch (Throwable e) {
                    downloading.completeExceptionally(e);
                }
            }, "demo-downloads");
            downloader.start();
            window = new ServerWindow(server.pid(), false, settings.loadCpuCount(), sampler);
            residentBefore = fincoreUnavailable == null ? residentBytes() : -1;
            small = load.run(new LoadSettings(server.address(), cold.smallClients(), 1, warmup, settings.measure()),
                    new HttpLoad(smallGet), window, progress);
            residentAfter = fincoreUnavailable == null ? residentBytes() : -1;
            try {
                big = downloading.get(downloadMeasure.toSeconds() + 60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("the downloads did not end within a minute of their window");
            } finally {
                downloader.join(TimeUnit.SECONDS.toMillis(70));
            }
        } catch (IOException | UncheckedIOException e) {
            demo.fail(DemoSettings.COLD, v, e.getMessage() + (server.isAlive() ? "" : " (the server process has exited)"));
            return;
        }
        if (small.errors() > 0 || big.errors() > 0) {
            demo.fail(DemoSettings.COLD, v, small.errors() > 0
                    ? small.errors() + " errors in the small requests, first: " + small.firstError()
                    : big.errors() + " errors in the downloads, first: " + big.firstError());
            return;
        }
        double seconds = window.seconds();
        DemoResults.ColdRun run = new DemoResults.ColdRun(v.name(), round, small.requests(), small.seconds(),
                small.latencyMicros(50), small.latencyMicros(99), small.latencyMicros(99.9), big.bytesPerSecond(),
                window.serverCpuNanos() / 1e9 / seconds,
                (window.blockedAfter.blockedNanos() - window.blockedBefore.blockedNanos()) / 1e6,
                window.blockedAfter.longestNanos() / 1e6, window.blockedAfter.threads(), residentBefore,
                residentAfter, window.loadCpu.processShare(), window.loadCpu.clientBound(),
                seconds * 1000 / Math.max(1, window.blockedAfter.samples() - window.blockedBefore.samples()),
                window.latencyOverTime());
        runs.add(run);
        out.printf("cold round %d  %-19s small p50 %,8.1f µs  p99 %,9.1f µs  p99.9 %,9.1f µs  downloads %,6.0f "
                        + "MiB/s  server CPU %3.0f%%  loop blocked %,6.0f ms (sampled every %.1f ms)  cached %s  load CPU "
                        + "%s%n", round, v.name(), run.p50Micros(), run.p99Micros(), run.p999Micros(),
                run.downloadBytesPerSecond() / (1 << 20), run.serverCpuShare() * 100, run.blockedMillis(),
                run.samplePeriodMillis(), cachedCell(run, cold.totalBytes()), window.loadCpu.cell());
        if (run.samplePeriodMillis() > 5 * SAMPLE_PERIOD.toMillis()) {
            demo.note(String.format("cold storage, %s round %d: the blocked-time sampler got the CPU only every %.1f "
                    + "ms (a busy machine): stalls shorter than that may be missed", v.name(), round,
                    run.samplePeriodMillis()));
        }
    }

    /** The share of the large files ({@code totalBytes}) in the page cache at the window's opening → closing. */
    static String cachedCell(DemoResults.ColdRun r, long totalBytes) {
        if (r.residentBefore() < 0 || r.residentAfter() < 0 || totalBytes <= 0) {
            return "n/a";
        }
        return String.format("%.0f%%→%.0f%%", 100.0 * r.residentBefore() / totalBytes,
                100.0 * r.residentAfter() / totalBytes);
    }
}
