package io.proactor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proactor.Engines;
import io.proactor.load.ExpectedBody;
import io.proactor.load.HttpGet;
import io.proactor.load.HttpLoad;
import io.proactor.load.LoadGenerator;
import io.proactor.load.LoadResult;
import io.proactor.load.LoadSettings;
import io.proactor.load.LoadWindow;
import io.proactor.protocol.ThreadingModel;
import io.proactor.samples.http.HttpFileServer;
import io.proactor.samples.http.HttpServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The measurement code of the cold-storage scenario and of the client-bound mark, on made-up and real input. */
class ColdMeasurementTest {

    private static final long MS = 1_000_000;

    /** A loop thread (1) and another thread (2) whose states are played back one sample at a time. */
    private static BlockedSampler playback(Deque<Map<Long, Character>> samples) {
        return new BlockedSampler(samples::removeFirst, Duration.ZERO);
    }

    @Test
    void aStalledLoopIsDetectedAsBlocked() throws Exception {
        Deque<Map<Long, Character>> samples = new ArrayDeque<>();
        for (int ms = 0; ms <= 100; ms++) {
            // the loop waits for the disk from 10 ms to 60 ms; the other thread only ever waits for sockets
            samples.add(Map.of(1L, ms > 10 && ms <= 60 ? 'D' : 'S', 2L, 'S'));
        }
        BlockedSampler sampler = playback(samples);
        for (int ms = 0; ms <= 100; ms++) {
            sampler.sample(ms * MS);
        }
        BlockedSampler.Snapshot s = sampler.snapshot();
        assertEquals(50 * MS, s.blockedNanos());
        assertEquals(50 * MS, s.longestNanos());
        assertEquals(2, s.threads());
    }

    @Test
    void aLoopThatOnlyWaitsForSocketsOrRunsIsNotBlocked() throws Exception {
        Deque<Map<Long, Character>> samples = new ArrayDeque<>();
        for (int ms = 0; ms <= 100; ms++) {
            samples.add(Map.of(1L, ms % 2 == 0 ? 'R' : 'S'));
        }
        BlockedSampler sampler = playback(samples);
        for (int ms = 0; ms <= 100; ms++) {
            sampler.sample(ms * MS);
        }
        assertEquals(0, sampler.snapshot().blockedNanos());
    }

    @Test
    void twoShortStallsAddUpButTheLongestIsOne() throws Exception {
        Deque<Map<Long, Character>> samples = new ArrayDeque<>();
        char[] states = "SDDDSSDDS".toCharArray(); // 3 ms, then 2 ms in D
        for (char c : states) {
            samples.add(Map.of(7L, c));
        }
        BlockedSampler sampler = playback(samples);
        for (int ms = 0; ms < states.length; ms++) {
            sampler.sample(ms * MS);
        }
        assertEquals(5 * MS, sampler.snapshot().blockedNanos());
        assertEquals(3 * MS, sampler.snapshot().longestNanos());
    }

    @Test
    void readsTheStateAndNameOfAThreadFromProc() throws Exception {
        ProcStats.Task t = ProcStats.parseTask(4242, "4242 (server-reactor-) D 1 4241 4241 0 -1 4194560 193 0 0 0 "
                + "250 30 0 0 20 0 1 0 17 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 12 0 0");
        assertEquals(new ProcStats.Task(4242, "server-reactor-", 'D', 2_800_000_000L), t);
        // a name with a space and a parenthesis
        assertEquals("a) b", ProcStats.parseTask(1, "1 (a) b) S 0 0 0 0 0 0 0 0 0 0 1 2 0 0").name());
        // and the real threads of this process: the one running this test is on a CPU
        Map<Long, Character> mine = BlockedSampler.ofProcess(ProcessHandle.current().pid(), Pattern.compile(".*"))
                .read();
        assertTrue(mine.size() > 3 && mine.containsValue('R'), mine.toString());
    }

    @Test
    void fincoreResidentBytesAreSummed() {
        assertEquals(12288 + 0 + 4096, ColdStorage.parseResident("12288\n0\n  4096\n"));
    }

    @ParameterizedTest
    @CsvSource({"io_uring, 262144", "io_uring, 9223372036854775807", "reactor, 9223372036854775807"})
    void aCorruptedByteInALargeDownloadIsReportedAtItsOffset(String engine, long directIoThreshold,
                                                            @TempDir Path root) throws Exception {
        int size = (1 << 20) + 1000; // not a whole number of blocks: O_DIRECT reads a partial last block
        ExpectedBody body = ExpectedBody.pattern(1000, size);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = body.at(i);
        }
        Files.write(root.resolve("good.bin"), bytes);
        long offset = 900_001; // past the first buffers of any send path
        bytes[(int) offset] ^= 0x10;
        Files.write(root.resolve("bad.bin"), bytes);
        HttpServerConfig config = HttpServerConfig.of(root).withDirectIoThreshold(directIoThreshold);
        try (HttpFileServer server = HttpFileServer.start(config, Engines.require(engine), ThreadingModel.SINGLE, 1,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             LoadGenerator load = new LoadGenerator()) {
            LoadSettings settings = new LoadSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.localAddress().getPort()), 2, 1, Duration.ZERO, Duration.ofMillis(500));
            LoadResult good = load.run(settings, new HttpLoad(new HttpGet("/good.bin", body)), LoadWindow.UNWATCHED,
                    null);
            assertEquals(0, good.errors(), good.firstError());
            assertTrue(good.bytes() > 0, "bytes verified: " + good.bytes());

            // A busy machine may not get a download to the corrupted byte within one window: try a few.
            LoadResult bad = null;
            for (int attempt = 0; attempt < 40 && (bad == null || bad.errors() == 0); attempt++) {
                bad = load.run(settings, new HttpLoad(new HttpGet("/bad.bin", body)), LoadWindow.UNWATCHED, null);
            }
            assertTrue(bad.errors() > 0, "the corrupted byte is caught");
            assertTrue(bad.firstError().contains("body of /bad.bin differs from the file at byte " + offset),
                    bad.firstError());
        }
    }

    private static ProcStats.Task task(long tid, String name, long cpuMillis) {
        return new ProcStats.Task(tid, name, 'S', cpuMillis * MS);
    }

    @Test
    void aLoadThreadBusyNearlyTheWholeWindowIsClientBound() {
        List<ProcStats.Task> before = List.of(task(1, "client-io_uring", 100), task(2, "main", 50));
        // one second later: the load's event loop ran 950 ms of it
        LoadCpu busy = LoadCpu.between(before, List.of(task(1, "client-io_uring", 1050), task(2, "main", 60)),
                1000 * MS, 1);
        assertTrue(busy.clientBound());
        assertEquals("client-io_uring", busy.busiestThread());
        assertEquals(0.96, busy.processShare(), 1e-9);
        assertTrue(busy.cell().endsWith("client-bound"), busy.cell());

        LoadCpu relaxed = LoadCpu.between(before, List.of(task(1, "client-io_uring", 600), task(2, "main", 60)),
                1000 * MS, 1);
        assertFalse(relaxed.clientBound());
        assertEquals("51%", relaxed.cell());
    }

    @Test
    void allTheLoadsCpusBusyIsClientBoundEvenWithNoSingleThreadSaturated() {
        List<ProcStats.Task> before = List.of(task(1, "a", 0), task(2, "b", 0), task(3, "c", 0));
        List<ProcStats.Task> after = List.of(task(1, "a", 700), task(2, "b", 650), task(3, "c", 550),
                task(4, "born-inside-the-window", 10));
        assertTrue(LoadCpu.between(before, after, 1000 * MS, 2).clientBound(), "1.91 of 2 CPUs");
        assertFalse(LoadCpu.between(before, after, 1000 * MS, 4).clientBound(), "1.91 of 4 CPUs");
    }

    @Test
    void differencesWithinTheSpreadAreTies() {
        assertEquals(Ties.SINGLE_ROUND_NOISE, Ties.noise(Double.NaN, Double.NaN));
        assertEquals(0.3, Ties.noise(0.3, 0.05));
        assertTrue(Ties.tie(100, 125, Ties.noise(0.3, 0.05)));
        assertFalse(Ties.tie(100, 135, Ties.noise(0.3, 0.05)));
        assertTrue(Ties.tie(100, 109, Ties.noise(Double.NaN, Double.NaN)));
        assertFalse(Ties.tie(100, 111, Ties.noise(Double.NaN, Double.NaN)));
    }
}
