package io.proactor.demo;

import io.proactor.load.EchoLoad;
import io.proactor.load.HttpGet;
import io.proactor.load.HttpLoad;
import io.proactor.load.IdleConnections;
import io.proactor.load.LoadGenerator;
import io.proactor.load.LoadResult;
import io.proactor.load.LoadSettings;
import io.proactor.load.LoadWindow;
import io.proactor.load.ProgressLine;
import io.proactor.load.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Runs the side-by-side comparison, one protocol after the other (echo, then the HTTP file server): starts one
 * server process per variant, then, round after round, loads each in turn at each connection count
 * (interleaved, so that a noisy moment of the machine spreads over all of them), reading the server's CPU time,
 * context switches and system calls over each measurement window; after the echo rounds, holds many idle
 * connections on each echo server to weigh what one costs.
 */
final class Demo {

    /** Open files the demo itself needs besides the idle connections (class path, perf, servers' pipes). */
    static final int SPARE_FILES = 1024;
    private static final long STALL_MILLIS = 10_000;
    /** How long {@link #awaitQuiet} waits at most, and the window in which it looks for quiet servers. */
    private static final long QUIET_TIMEOUT_MILLIS = 30_000;
    private static final long QUIET_WINDOW_MILLIS = 200;
    /** The largest connection count a warm-up uses. */
    private static final int WARM_UP_CONNECTIONS = 1000;
    /** Process ids left to the rest of the machine when a platform-thread server grows. */
    private static final long SPARE_PIDS = 4096;
    /**
     * Below this many connections the resident memory a connection adds is lost in the JVM's own movements
     * (its heap, compiled code), so the table shows none.
     */
    static final int RSS_MIN_CONNECTIONS = 1000;

    private final DemoSettings settings;
    private final PrintStream out;
    private final ProgressLine progress;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<DemoResults.Run> runs = new ArrayList<>();
    private final List<DemoResults.IdleMemory> idle = new ArrayList<>();
    private final List<DemoResults.ColdRun> coldRuns = new ArrayList<>();
    private final java.util.Set<String> skipped = new java.util.HashSet<>();
    private final List<String> timings = new ArrayList<>();
    private String syscallsUnavailable;

    Demo(DemoSettings settings, PrintStream out, ProgressLine progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    DemoResults run() throws IOException, InterruptedException {
        String noProc = ProcStats.unsupportedReason();
        if (noProc != null) {
            throw new IOException(noProc);
        }
        describeMachine();
        List<String> serverLaunch = pin();
        syscallsUnavailable = SyscallCounter.unavailableReason();
        environment.put("system calls", syscallsUnavailable == null
                ? "perf stat -p PID -e " + SyscallCounter.ALL_SYSCALLS + "," + SyscallCounter.IO_URING_ENTER
                + " over the window; divided by throughput × perf's elapsed time"
                : "n/a: " + syscallsUnavailable);
        if (syscallsUnavailable != null) {
            notes.add("system calls per request: n/a, " + syscallsUnavailable);
        }
        environment.put("context switches", "voluntary + nonvoluntary of /proc/PID/task/*/status, window delta");
        out.println("demo: " + environment.get("pinning"));
        out.println("demo: system calls " + environment.get("system calls"));

        long pressureStart = ProcStats.cpuPressureMicros();
        long wallStart = System.nanoTime();
        try (LoadGenerator load = new LoadGenerator()) {
            environment.put("load", "LoadGenerator on the " + load.engine().name() + " engine: one event-loop thread "
                    + "holds every connection (a second one runs the cold-storage downloads, so that checking their "
                    + "bytes does not delay the small requests), every byte verified; " + settings.depth()
                    + " in flight per connection; warm-up " + seconds(settings.warmup().toMillis()) + " s, measured "
                    + seconds(settings.measure().toMillis()) + " s; echo: " + settings.size() + "-byte messages; "
                    + "http: GET of one " + settings.fileSize() + "-byte file with keep-alive, status, "
                    + "Content-Length and body checked. The load's CPU is measured in every window (load CPU, in % "
                    + "of one core): a measurement is marked client-bound when one load thread or all "
                    + settings.loadCpuCount() + " of the load's CPUs were busy " + Math.round(LoadCpu.SATURATED * 100)
                    + "% of it or more. More load threads would not help here: the load has "
                    + settings.loadCpuCount() + " CPU" + (settings.loadCpuCount() == 1 ? "" : "s")
                    + " to itself, and one loop can keep " + (settings.loadCpuCount() == 1 ? "it" : "one") + " busy");
            for (String scenario : settings.scenarios()) {
                long scenarioStart = System.nanoTime();
                switch (scenario) {
                    case DemoSettings.ECHO -> measure(load, serverLaunch, scenario, null, new EchoLoad(settings.size()));
                    case DemoSettings.HTTP -> measureHttp(load, serverLaunch);
                    case DemoSettings.COLD -> coldRuns.addAll(new ColdStorage(this, settings, out, progress)
                            .run(load, serverLaunch));
                    default -> throw new IllegalStateException("unknown scenario " + scenario);
                }
                timings.add(String.format("%s %.0f s", scenario, (System.nanoTime() - scenarioStart) / 1e9));
            }
            environment.put("run time", String.format("%.0f s in all (%s)", (System.nanoTime() - wallStart) / 1e9,
                    String.join(", ", timings)));
        }
        describeCpuPressure(pressureStart, wallStart);
        noteClientBound();
        return new DemoResults(settings, environment, runs, idle, coldRuns, failures, notes);
    }

    private void describeMachine() {
        environment.put("date", java.time.ZonedDateTime.now().withNano(0).toString());
        environment.put("system", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        environment.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        environment.put("server threads", settings.serverThreads() + " for worker-pool, main-sub and reuseport; "
                + "1 for the others");
    }

    /**
     * Says how much of the run some task waited for a CPU: other processes competing with the servers and the
     * load make throughput and latency unreliable, while counts per request hold up.
     */
    private void describeCpuPressure(long startMicros, long wallStart) {
        long end = ProcStats.cpuPressureMicros();
        if (startMicros < 0 || end < 0) {
            environment.put("CPU pressure", "n/a (no /proc/pressure/cpu in this kernel)");
            return;
        }
        double share = (end - startMicros) / ((System.nanoTime() - wallStart) / 1000.0);
        environment.put("CPU pressure", String.format("some task waited for a CPU %.0f%% of the run "
                + "(/proc/pressure/cpu)", share * 100));
        if (share > 0.10) {
            notes.add(String.format("the CPUs were contended %.0f%% of the run (other processes, or the demo's own "
                    + "threads): throughput and latency are unreliable and CPU time per request is inflated; system "
                    + "calls and context switches per request, and memory per connection, hold up. Compare on a "
                    + "quiet machine.", share * 100));
        }
    }

    /** Names the measurements where the load generator, not the server, may have set the pace. */
    private void noteClientBound() {
        List<String> bound = new ArrayList<>();
        runs.stream().filter(DemoResults.Run::clientBound).forEach(r -> bound.add(key(r.protocol(),
                Variant.named(r.variant())) + " at " + r.connections() + " connections, round " + r.round()));
        coldRuns.stream().filter(DemoResults.ColdRun::clientBound).forEach(r -> bound.add(key(DemoSettings.COLD,
                Variant.named(r.variant())) + ", round " + r.round()));
        if (!bound.isEmpty()) {
            notes.add("client-bound (the load generator's CPU was saturated, so these figures are the client's "
                    + "limit as much as the server's): " + String.join("; ", bound));
        }
    }

    /** Pins this process (the load) and returns the launch prefix that pins the servers, or why it does not. */
    private List<String> pin() throws IOException, InterruptedException {
        if (!settings.pinned()) {
            environment.put("pinning", "not pinned (--server-cpus none): server and load share the CPUs");
            return List.of();
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            environment.put("pinning", "not pinned: this process may use only one CPU, so server and load share it");
            return List.of();
        }
        Process p;
        try {
            p = new ProcessBuilder("taskset", "-a", "-p", "-c", settings.loadCpus(),
                    Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        } catch (IOException e) {
            environment.put("pinning", "not pinned: taskset (util-linux) is not installed");
            return List.of();
        }
        String said = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            environment.put("pinning", "not pinned: taskset -c " + settings.loadCpus() + " failed: " + said);
            return List.of();
        }
        environment.put("pinning", "servers on CPU " + settings.serverCpus() + ", load on CPU "
                + settings.loadCpus() + " (taskset)");
        return List.of("taskset", "-c", settings.serverCpus());
    }

    /** The HTTP rounds, on a file of random bytes in a temporary directory that is deleted afterwards. */
    private void measureHttp(LoadGenerator load, List<String> serverLaunch) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("proactor-demo-www");
        Path file = root.resolve("file.bin");
        // deleted on exit too, should the demo be interrupted (the directory first: deleted last)
        root.toFile().deleteOnExit();
        file.toFile().deleteOnExit();
        try {
            byte[] body = new byte[settings.fileSize()];
            new SplittableRandom(42).nextBytes(body);
            Files.write(file, body);
            measure(load, serverLaunch, DemoSettings.HTTP, root, new HttpLoad(new HttpGet("/file.bin", body)));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(root);
        }
    }

    /**
     * Starts a server of {@code protocol} per variant, runs the interleaved rounds against them, and for echo
     * weighs idle connections on fresh servers; stops the servers however it ends.
     */
    private void measure(LoadGenerator load, List<String> serverLaunch, String protocol, Path root, Workload workload)
            throws IOException, InterruptedException {
        List<ServerProcess> servers = startServers(serverLaunch, protocol, root);
        try {
            if (!servers.isEmpty()) {
                environment.putIfAbsent("server CPU time", ProcStats.cpuSource(servers.get(0).pid()));
                // The JVM raises its soft limit on open files to the hard limit as it starts (MaxFDLimit): what
                // that allowed is the most connections each side can hold.
                environment.putIfAbsent("open files allowed", "demo (load) " + ProcStats.openFileLimits(
                        ProcessHandle.current().pid()) + ", servers " + ProcStats.openFileLimits(servers.get(0).pid())
                        + "; the JVM raises its soft limit to the hard limit at start");
            }
            warmUp(load, servers, protocol, workload);
            List<Integer> counts = settings.countsFor(protocol);
            int total = settings.rounds() * counts.size() * servers.size();
            int done = 0;
            for (int round = 1; round <= settings.rounds(); round++) {
                for (int connections : counts) {
                    for (ServerProcess server : servers) {
                        done++;
                        if (failures.containsKey(key(protocol, server.variant()))
                                || !threadsAllowed(server.variant(), connections, round == 1)) {
                            continue;
                        }
                        progress.prefix(String.format("%s [%d/%d] %-19s %6d conn  ", protocol, done, total,
                                server.variant().name(), connections));
                        awaitQuiet(servers, protocol, connections, round);
                        measureLoad(load, server, protocol, workload, connections, round);
                    }
                }
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
        if (protocol.equals(DemoSettings.ECHO) && settings.idleConnections() > 0) {
            // On fresh servers: a JVM keeps the memory it has touched, and after the sweep's thousands of active
            // connections the idle ones would find it already resident and seem to cost nothing.
            List<ServerProcess> fresh = startServers(serverLaunch, protocol, null);
            try {
                measureIdle(load, fresh);
            } finally {
                fresh.forEach(ServerProcess::close);
            }
        }
    }

    /**
     * Loads each new server for three times the warm-up at the largest connection count, nothing recorded: a JVM
     * compiles its hot paths in its first seconds, and the first round would otherwise measure the compiler.
     */
    void warmUp(LoadGenerator load, List<ServerProcess> servers, String protocol, Workload workload)
            throws InterruptedException {
        // Up to WARM_UP_CONNECTIONS: enough to compile the hot paths, and the memory of the largest count is then
        // still untouched when its measurement weighs it.
        List<Integer> counts = settings.countsFor(protocol);
        warmUp(load, servers, protocol, workload, Math.min(WARM_UP_CONNECTIONS, counts.get(counts.size() - 1)));
    }

    /**
     * Whether the machine can spare the kernel threads {@code v} needs at {@code connections} (platform threads:
     * two per connection) while leaving {@value #SPARE_PIDS} process ids to everybody else; says so (once, when
     * {@code tell}) when it cannot.
     */
    private boolean threadsAllowed(Variant v, int connections, boolean tell) {
        long needed = (long) v.kernelThreadsPerConnection() * connections;
        if (needed == 0) {
            return true;
        }
        long free = ProcStats.freeThreads();
        if (needed + SPARE_PIDS <= free) {
            return true;
        }
        if (tell) {
            note(String.format("%s at %,d connections: skipped, it needs %,d kernel threads and the machine has %,d "
                    + "to spare (kernel.pid_max, kernel.threads-max and the process limit less the threads running "
                    + "now, less %,d left for others)", v.name(), connections, needed, free, SPARE_PIDS));
        }
        return false;
    }

    /** Like {@link #warmUp(LoadGenerator, List, String, Workload)} at {@code connections} connections. */
    void warmUp(LoadGenerator load, List<ServerProcess> servers, String protocol, Workload workload, int connections)
            throws InterruptedException {
        for (ServerProcess server : servers) {
            progress.prefix(String.format("%s warm-up %-19s ", protocol, server.variant().name()));
            LoadSettings s = new LoadSettings(server.address(), connections, settings.depth(),
                    settings.warmup().multipliedBy(3), Duration.ofMillis(1));
            try {
                LoadResult r = load.run(s, workload, LoadWindow.UNWATCHED, progress);
                if (r.errors() > 0) {
                    fail(protocol, server.variant(), r.errors() + " errors while warming up, first: "
                            + r.firstError());
                }
            } catch (IOException | UncheckedIOException e) {
                fail(protocol, server.variant(), "warm-up: " + e.getMessage());
            }
        }
    }

    /** Starts the servers of the variants that take part in {@code protocol}; a failed start is a failure. */
    List<ServerProcess> startServers(List<String> launch, String protocol, Path root) {
        List<ServerProcess> servers = new ArrayList<>();
        for (Variant v : settings.variants()) {
            if (!v.runsIn(protocol)) {
                continue;
            }
            String unavailable = v.unavailableReason();
            if (unavailable != null && v.external()) {
                // a baseline that is not installed is no failure of the demo: a line says it was skipped
                if (skipped.add(v.name())) {
                    note(v.name() + ": skipped, " + unavailable);
                }
                continue;
            }
            if (unavailable != null) {
                fail(protocol, v, unavailable);
                continue;
            }
            try {
                servers.add(root == null ? ServerProcess.startEcho(v, settings.serverThreads(), launch)
                        : v.external() ? NginxServer.start(v, launch, root)
                        : ServerProcess.startHttp(v, settings.serverThreads(), launch, root));
            } catch (IOException e) {
                fail(protocol, v, e.getMessage());
            }
        }
        return servers;
    }

    /** How failures name a variant: by its name for echo, with the protocol added for the others. */
    static String key(String protocol, Variant v) {
        return protocol.equals(DemoSettings.ECHO) ? v.name() : v.name() + " (" + protocol + ")";
    }

    /** Whether {@code v} has failed in {@code protocol} (it is not measured again). */
    boolean failed(String protocol, Variant v) {
        return failures.containsKey(key(protocol, v));
    }

    /** Adds a remark for the reader of the report. */
    void note(String note) {
        notes.add(note);
        out.println("demo: " + note);
    }

    /** Adds a line to the report's description of the environment and methods. */
    void describe(String name, String text) {
        environment.put(name, text);
    }

    void fail(String protocol, Variant v, String why) {
        String key = key(protocol, v);
        failures.putIfAbsent(key, why);
        progress.finish();
        out.println("demo: " + key + " FAILED: " + why);
    }

    private void measureLoad(LoadGenerator load, ServerProcess server, String protocol, Workload workload,
                             int connections, int round) throws InterruptedException {
        Variant v = server.variant();
        ServerWindow window = new ServerWindow(server.pid(), syscallsUnavailable == null, settings.loadCpuCount(),
                null);
        LoadResult r;
        long rssBefore;
        try {
            rssBefore = ProcStats.rssBytes(server.pid());
            LoadSettings loadSettings = new LoadSettings(server.address(), connections, settings.depth(),
                    settings.warmup(), settings.measure());
            r = load.run(loadSettings, workload, window, progress);
        } catch (IOException | UncheckedIOException e) {
            fail(protocol, v, e.getMessage() + (server.isAlive() ? "" : " (the server process has exited)"));
            return;
        } finally {
            awaitConnectionsClosed(server);
        }
        // No request completed (the errors say why): per-request figures are then not defined.
        double requests = r.requests() > 0 ? r.requests() : Double.NaN;
        double syscalls = Double.NaN;
        double enters = Double.NaN;
        if (window.syscalls != null && window.syscalls.seconds() > 0 && r.requests() > 0) {
            double seen = r.requestsPerSecond() * window.syscalls.seconds();
            syscalls = window.syscalls.syscalls() < 0 ? Double.NaN : window.syscalls.syscalls() / seen;
            enters = window.syscalls.ioUringEnter() < 0 ? Double.NaN : window.syscalls.ioUringEnter() / seen;
        }
        DemoResults.Run run = new DemoResults.Run(protocol, v.name(), connections, round, r.requests(), r.seconds(),
                r.requestsPerSecond(), r.latencyMicros(50), r.latencyMicros(99), r.latencyMicros(99.9),
                (window.after.cpuNanos() - window.before.cpuNanos()) / 1000.0 / requests, syscalls, enters,
                (window.after.contextSwitches() - window.before.contextSwitches()) / requests, r.errors(),
                // first round only: the JVM keeps the memory it touched, so later rounds would add nothing
                connections >= RSS_MIN_CONNECTIONS && round == 1
                        ? (window.rssAfter - rssBefore) / (double) connections : Double.NaN,
                window.loadCpu.processShare(), window.loadCpu.clientBound());
        runs.add(run);
        if (r.requests() == 0 && r.errors() == 0) {
            notes.add(key(protocol, v) + " at " + connections + " connections, round " + round + ": no request "
                    + "completed in the measurement window (the server or the load did not run; see CPU pressure)");
        }
        if (r.errors() > 0) {
            fail(protocol, v, r.errors() + " errors at " + connections + " connections, first: " + r.firstError());
            return;
        }
        out.printf(protocol + " round %d  %-19s %6d conn  %,10.0f req/s  p50 %,7.1f µs  p99 %,8.1f µs  CPU %,6.2f µs/req  "
                        + "syscalls %s  ctx-sw %.3f/req%s  load CPU %s%n", round, v.name(), connections,
                run.requestsPerSecond(), run.p50Micros(), run.p99Micros(), run.cpuMicrosPerRequest(),
                Double.isNaN(syscalls) ? "n/a" : String.format("%.2f/req", syscalls), run.contextSwitchesPerRequest(),
                Double.isNaN(run.rssBytesPerConnection()) ? ""
                        : String.format("  RSS %,.0f B/conn", run.rssBytesPerConnection()), window.loadCpu.cell());
    }

    private void measureIdle(LoadGenerator load, List<ServerProcess> servers) throws IOException, InterruptedException {
        int n = settings.idleConnections();
        long limit = ProcStats.openFileLimit();
        if (limit < n + SPARE_FILES) {
            String why = "memory per idle connection: n/a, the open-file limit of this process is " + limit + " and "
                    + n + " idle connections need " + (n + SPARE_FILES) + ": raise it (ulimit -n " + (n + SPARE_FILES)
                    + ") or lower --idle-connections";
            notes.add(why);
            out.println("demo: " + why);
            return;
        }
        long self = ProcessHandle.current().pid();
        long clientFiles = ProcStats.openFiles(self);
        for (ServerProcess server : servers) {
            Variant v = server.variant();
            if (failures.containsKey(v.name()) || !threadsAllowed(v, n, true)) {
                continue;
            }
            progress.prefix("");
            progress.update(String.format("idle memory: %s, opening %,d connections", v.name(), n));
            // The load's last connections may still be closing at the server: start from none.
            settle(server.pid(), files -> files <= server.filesAtStart() + 16);
            ServerProcess.Memory before = server.memory();
            long rssBefore = ProcStats.rssBytes(server.pid());
            long serverFiles = ProcStats.openFiles(server.pid());
            try (IdleConnections connections = load.openIdle(server.address(), n)) {
                // Connected at the client is not yet accepted at the server: wait until it holds them all.
                if (!settle(server.pid(), files -> files >= serverFiles + n)) {
                    fail(DemoSettings.ECHO, v, "the server accepted only " + (ProcStats.openFiles(server.pid()) - serverFiles) + " of "
                            + n + " idle connections (none more for " + STALL_MILLIS / 1000 + " s)");
                } else {
                    ServerProcess.Memory after = server.memory();
                    long rssAfter = ProcStats.rssBytes(server.pid());
                    DemoResults.IdleMemory m = new DemoResults.IdleMemory(v.name(), n,
                            (rssAfter - rssBefore) / (double) n, (after.heapUsed() - before.heapUsed()) / (double) n,
                            (after.direct() - before.direct()) / (double) n);
                    idle.add(m);
                    progress.finish();
                    out.printf("idle     %-19s %6d conn  RSS %,8.0f B/conn  heap %,8.0f B/conn  direct %,8.0f "
                                    + "B/conn%n", v.name(), n, m.rssBytesPerConnection(), m.heapBytesPerConnection(),
                            m.directBytesPerConnection());
                }
                if (connections.errors() > 0) {
                    fail(DemoSettings.ECHO, v, "idle connections: " + connections.firstError());
                }
            } catch (IOException e) {
                fail(DemoSettings.ECHO, v, "idle connections: " + e.getMessage());
            }
            // Both ends must let go of the descriptors before the next server gets its connections.
            settle(server.pid(), files -> files <= serverFiles + 16);
            settle(self, files -> files <= clientFiles + 16);
        }
        progress.finish();
    }

    /**
     * Waits until the server has closed the connections of the load that just ended. All servers share the
     * server CPU: one still closing thousands of connections (or ending thousands of threads) would take it from
     * the next one measured.
     */
    /**
     * Waits until the servers, together, use under 5% of a CPU over {@value #QUIET_WINDOW_MILLIS} ms (at most
     * {@value #QUIET_TIMEOUT_MILLIS} ms, then says so in the report). After thousands of connections a server can
     * go on for seconds ending threads or collecting garbage on the CPU that every server shares, and the next
     * measurement (the first of a round: 1 connection) would weigh that work instead of its own.
     */
    private void awaitQuiet(List<ServerProcess> servers, String protocol, int connections, int round)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_TIMEOUT_MILLIS);
        long before = cpuNanos(servers);
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(QUIET_WINDOW_MILLIS);
            long now = cpuNanos(servers);
            if (now - before < TimeUnit.MILLISECONDS.toNanos(QUIET_WINDOW_MILLIS) / 20) {
                return;
            }
            before = now;
        }
        notes.add(String.format("%s at %d connections, round %d: measured while the servers were still busy "
                + "after %d s (from the measurement before)", protocol, connections, round,
                QUIET_TIMEOUT_MILLIS / 1000));
    }

    /** On-CPU time of all of {@code servers} (an exited one counts nothing). */
    private static long cpuNanos(List<ServerProcess> servers) {
        long sum = 0;
        for (ServerProcess s : servers) {
            try {
                sum += ProcStats.read(s.pid()).cpuNanos();
            } catch (IOException e) {
                // exited: its next measurement says so
            }
        }
        return sum;
    }

    private static void awaitConnectionsClosed(ServerProcess server) throws InterruptedException {
        try {
            settle(server.pid(), files -> files <= server.filesAtStart() + 16);
        } catch (IOException e) {
            // the server has exited: the next measurement of it says so
        }
    }

    /**
     * Waits until the open-file count of {@code pid} satisfies {@code done}; {@code false} when the count stopped
     * changing for {@value #STALL_MILLIS} ms without getting there.
     */
    private static boolean settle(long pid, LongPredicate done) throws IOException, InterruptedException {
        long files = ProcStats.openFiles(pid);
        long changed = System.nanoTime();
        while (!done.test(files)) {
            if (System.nanoTime() - changed > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                return false;
            }
            Thread.sleep(20);
            long now = ProcStats.openFiles(pid);
            if (now != files) {
                files = now;
                changed = System.nanoTime();
            }
        }
        return true;
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.valueOf(millis / 1000.0);
    }
}
