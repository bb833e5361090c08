#!/usr/bin/env python3
"""Echo comparison: the library's engines against Netty's own io_uring and epoll transports, a C liburing
echo server (the floor: what io_uring costs when nothing sits between the program and the ring) and the smallest
plain JDK echo servers on a Selector and on NIO.2 (the floor for the reactor and nio2 engines).

Servers (--servers, in this order by default):
  liburing          bench/liburing-echo.c: one thread, multishot accept and receive, ring-mapped provided
                    buffers (built with gcc when liburing-dev is installed, skipped with a message otherwise)
  netty-io_uring    Netty's own io_uring channels, written the usual Netty way (proactor-load's EchoServerMain)
  netty-epoll       Netty's own epoll channels
  jdk-selector      the smallest single-thread JDK Selector echo server (proactor-load's SelectorEchoServer)
  jdk-nio2          the smallest JDK NIO.2 echo server, one AsynchronousChannelGroup thread (Nio2EchoServer)
  proactor-io_uring, proactor-reactor, proactor-nio2
                    the library's echo protocol handler on that engine, single-threaded model
Every server has one I/O thread and runs alone on the server CPU (taskset), in a fresh process for every
measurement; every Java server, reference or ours, runs with the same JVM flags (jvm_command). The load generator
runs on the other CPU: by default bench/epoll-load.c (C, epoll, independent of the library; --load java runs the
library's own, proactor-load's EchoLoadMain, instead). Every echoed byte is verified.

Rows (--rows): CONNECTIONSxSIZE[xDEPTH], DEPTH messages in flight per connection (1, the default: ping-pong).
Default: 1, 50, 500 and 2,000 connections x 64 B ping-pong, and 50 connections x 64 B x 16 pipelined.
--connections/--sizes/--depths give their cross product instead.

Per measurement, over the measurement window only (after the warm-up, which is also the JIT's):
  - round trips per second and p99 latency, from the load generator;
  - server CPU per round trip: the server's threads' on-CPU time (/proc/PID/task/*/schedstat);
  - io_uring_enter, all system calls and context switches per round trip: `perf stat -p PID` tracepoints
    (counting, negligible overhead, unlike strace);
  - instructions per round trip (user + kernel, `perf stat` hardware counter; "n/a" where the VM exposes no
    hardware counters): unlike CPU time it hardly moves when other work shares the machine;
  - the load generator's own CPU use; a run whose load used more than 90 % of its CPUs is marked
    "client-bound": its throughput says more about the load than about the server.
Rounds are interleaved (every server once per row per round, the order rotated each round) so that machine
noise spreads over all servers; each cell is the median and the min..max spread over the rounds, and ratios
are ratios of medians, against the C server and against netty-io_uring, and each engine against the reference
written on the same machinery (PAIRS: reactor against jdk-selector and netty-epoll, nio2 against jdk-nio2).

Results go to proactor-benchmarks/results/ (echo-compare-STAMP.md and .json, with the command and machine).

Usage (after `mvn -B -q -DskipTests package -pl proactor-benchmarks -am`):
  python3 proactor-benchmarks/bench/echo-compare.py [--rounds 3] [--warmup 3] [--measure 8] [--load c|java]
KIND@DIR runs KIND from DIR, a saved copy of proactor-benchmarks/target (DIR/classes and DIR/lib for the Java
servers: the echo servers are in DIR/lib's proactor-load jar; DIR/bench/liburing-echo for the C server), to measure
before and after a change in one run.
"""
import argparse, glob, itertools, json, os, re, resource, select, shutil, statistics, subprocess, sys, tempfile, \
    threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join(ROOT, "proactor-benchmarks")
BENCH_SRC = os.path.join(MODULE, "bench")
TARGET = os.path.join(MODULE, "target")
C_BUILD = os.path.join(TARGET, "bench")

C_SERVER = "liburing"
LIBURING_H = "/usr/include/liburing.h"  # liburing-dev: the C server is built only when it is installed
NETTY = "netty-io_uring"
JAVA_REFERENCES = ("netty-io_uring", "netty-epoll", "jdk-selector", "jdk-nio2")  # EchoServerMain's kinds
DEFAULT_SERVERS = ("liburing,netty-io_uring,netty-epoll,jdk-selector,jdk-nio2,proactor-io_uring,proactor-reactor,"
                   "proactor-nio2")
# An engine and the references that do the same work on the same machinery: its CPU per round trip is reported as a
# ratio to theirs (issue 14's targets: reactor <= 1.05x jdk-selector and <= netty-epoll, nio2 <= 1.10x jdk-nio2).
PAIRS = {"proactor-reactor": ("jdk-selector", "netty-epoll"), "proactor-nio2": ("jdk-nio2",)}
DEFAULT_ROWS = "1x64,50x64,500x64,2000x64,50x64x16"
CLIENT_BOUND = 0.90  # share of the load's CPUs above which a run is marked client-bound
START_TIMEOUT = 60   # seconds for a server to say "listening" (a JVM on a busy machine can be slow)

# io_uring_enter, all system calls, context switches, instructions (user + kernel)
EVENTS = ["syscalls:sys_enter_io_uring_enter", "raw_syscalls:sys_enter", "context-switches", "instructions"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def find_java():
    candidates = [os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java")] + sorted(glob.glob("/usr/lib/jvm/*/bin/java"))
    for j in candidates:
        if os.access(j, os.X_OK):
            out = subprocess.run([j, "-version"], capture_output=True, text=True).stderr
            m = re.search(r'version "(\d+)', out)
            if m and int(m.group(1)) >= 21:
                return j, int(m.group(1))
    sys.exit("error: no JDK 21+ found (JAVA_HOME or /usr/lib/jvm)")


def jvm_command(java, version, main, args, build=TARGET):
    cp = os.path.join(build, "classes") + ":" + os.path.join(build, "lib", "*")
    flags = ["--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]
    if version >= 23:
        flags.append("--sun-misc-unsafe-memory-access=allow")
    return [java] + flags + ["-cp", cp, main] + [str(a) for a in args]


def load_main(name, build=TARGET):
    """The main class NAME of proactor-load (io.proactor.load), as BUILD holds it: a saved copy of
    proactor-benchmarks/target from before proactor-load existed has it in io.proactor.benchmarks, with EchoLoadMain
    then called EchoLoad."""
    if glob.glob(os.path.join(build, "lib", "proactor-load-*.jar")):
        return "io.proactor.load." + name
    return "io.proactor.benchmarks." + ("EchoLoad" if name == "EchoLoadMain" else name)


def build_c(name, libs):
    """Compiles bench/NAME.c into target/bench/NAME unless the binary is newer; returns its path."""
    src = os.path.join(BENCH_SRC, name + ".c")
    out = os.path.join(C_BUILD, name)
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out
    os.makedirs(C_BUILD, exist_ok=True)
    cmd = ["gcc", "-O2", "-Wall", "-Wextra", "-o", out, src] + libs
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"error: building {name} failed: {' '.join(cmd)}\n{res.stderr}")
    if res.stderr.strip():
        log(res.stderr.strip())
    return out


def cpu_ns(pid):
    """On-CPU nanoseconds of all of PID's threads so far (0 once it has ended)."""
    total = 0
    for f in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total


def cpu_count(spec):
    """CPUs in a taskset list such as '1' or '1,3-4'."""
    n = 0
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    return n


def parse_rows(args):
    try:
        if args.connections or args.sizes or args.depths:
            conns = [int(c) for c in (args.connections or "1,50,500,2000").split(",")]
            sizes = [int(s) for s in (args.sizes or "64").split(",")]
            depths = [int(d) for d in (args.depths or "1").split(",")]
            rows = list(itertools.product(conns, sizes, depths))
        else:
            rows = []
            for spec in args.rows.split(","):
                parts = [int(p) for p in spec.lower().split("x")]
                if len(parts) not in (2, 3):
                    raise ValueError(spec)
                rows.append((parts[0], parts[1], parts[2] if len(parts) == 3 else 1))
    except ValueError as e:
        sys.exit(f"error: bad row list ({e}); expected CONNECTIONSxSIZE[xDEPTH],... e.g. {DEFAULT_ROWS}")
    for c, s, d in rows:
        if not (1 <= c <= 100_000 and 1 <= s <= 1 << 20 and 1 <= d <= 4096):
            sys.exit(f"error: row {c}x{s}x{d} out of range (connections 1..100000, size 1..1048576, depth 1..4096)")
    return rows


def row_name(row):
    c, s, d = row
    return f"{c:,} conn x {s} B " + ("ping-pong" if d == 1 else f"x {d} pipelined")


class Run:
    """One server process and one load process for one measurement; everything is cleaned up by close()."""

    def __init__(self):
        self.procs = []
        self.files = []

    def start(self, cmd, stdin=None):
        err = tempfile.TemporaryFile(mode="w+")  # not a pipe: a chatty process must never block on it
        self.files.append(err)
        # unbuffered bytes: read_line's select() must never miss a line already sitting in a Python buffer
        p = subprocess.Popen(cmd, stdin=stdin if stdin is not None else subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=err, bufsize=0)
        p.err = err
        self.procs.append(p)
        return p

    @staticmethod
    def stderr_of(p, limit=2000):
        p.err.flush()
        p.err.seek(0)
        return p.err.read()[-limit:].strip()

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()

    def close(self):
        for p in reversed(self.procs):  # the load first, then the server
            if p.poll() is None and p.stdin:
                try:
                    p.stdin.close()  # the servers' protocol: exit when standard input ends
                except OSError:
                    pass
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for f in self.files:
            f.close()


def read_line(p, timeout):
    """The next line of P's standard output, or None at its end or after TIMEOUT seconds."""
    ready, _, _ = select.select([p.stdout], [], [], timeout)
    return p.stdout.readline().decode(errors="replace") if ready else None  # unbuffered: reads up to the newline


def server_command(kind, ctx):
    base, _, build = kind.partition("@")
    if base == C_SERVER:
        return [os.path.join(build, "bench", "liburing-echo") if build else ctx["c_server"], 0]
    return jvm_command(ctx["java"], ctx["java_version"], load_main("EchoServerMain", build or TARGET), [base, 0],
                       build or TARGET)


def load_command(port, row, ctx):
    c, s, d = row
    args = [port, c, s, d, ctx["warmup"], ctx["measure"]]
    if ctx["load"] == "c":
        return [ctx["c_load"]] + [str(a) for a in args + [ctx["load_threads"]]]
    return jvm_command(ctx["java"], ctx["java_version"], load_main("EchoLoadMain"), args)


def perf_counts(perf):
    counts = {}
    if perf is None:
        return counts
    try:
        _, err = perf.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        perf.kill()
        return counts
    for line in err.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2] in EVENTS:
            counts[parts[2]] = int(parts[0]) if parts[0].isdigit() else None  # "<not supported>": n/a
    return counts


def measure(kind, row, ctx):
    """Runs one server against one load; returns the measurement's figures (raises on any failure)."""
    run = Run()
    measure_s = ctx["measure"]
    # a watchdog: whatever hangs (server, load, perf), the run ends and is reported as failed
    watchdog = threading.Timer(START_TIMEOUT + ctx["warmup"] + measure_s + 120, run.kill_all)
    watchdog.start()
    try:
        server = run.start(["taskset", "-c", ctx["server_cpus"]] + [str(a) for a in server_command(kind, ctx)],
                           stdin=subprocess.PIPE)
        line = read_line(server, START_TIMEOUT)
        if not line or not line.startswith("listening"):
            raise RuntimeError(f"{kind} did not start: {line!r} {run.stderr_of(server)}")
        port = int(line.split()[1])
        load = run.start(["taskset", "-c", ctx["load_cpus"]] + load_command(port, row, ctx))
        perf = result = window = None
        while True:
            line = read_line(load, START_TIMEOUT + ctx["warmup"] + measure_s + 60)
            if not line:
                break
            if line.startswith("measure-start"):
                # The script's window for CPU time and perf: from reading this line to a little before the load's
                # own window ends (its start is in the line), so it lies inside the load's even when this script
                # is late to read the line on a busy machine: the server is never sampled idle or closing.
                t0, s0, l0 = time.monotonic(), cpu_ns(server.pid), cpu_ns(load.pid)
                m = re.search(r"epochMs=(\d+)", line)
                load_end = (int(m.group(1)) / 1000 if m else time.time()) + measure_s - min(0.25, measure_s / 10)
                length = load_end - time.time()
                if length < measure_s / 2:
                    raise RuntimeError(f"the script read the load's measure-start {measure_s - length:.1f} s late; "
                                       "the machine is too busy to measure")
                if ctx["perf"]:
                    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", ",".join(EVENTS), "-p", str(server.pid),
                                             "--", "sleep", f"{length:.3f}"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                time.sleep(max(0.0, t0 + length - time.monotonic()))
                s1, l1, t1 = cpu_ns(server.pid), cpu_ns(load.pid), time.monotonic()
                window = (t1 - t0, s1 - s0, l1 - l0, length)
            elif line.startswith("result"):
                result = dict(kv.split("=", 1) for kv in line.split()[1:])
        load.wait(timeout=30)
        counts = perf_counts(perf)
        if result is None or window is None or load.returncode != 0 or int(result["errors"]) != 0:
            raise RuntimeError(f"load against {kind} failed (exit {load.returncode}): {result} "
                               f"{run.stderr_of(load)}")
        if server.poll() is not None:
            raise RuntimeError(f"{kind} exited during the run: {run.stderr_of(server)}")
        rt, seconds = int(result["roundTrips"]), float(result["seconds"])
        if rt == 0:
            raise RuntimeError(f"no round trip completed against {kind}")
        throughput = rt / seconds
        wall, server_ns, load_ns, perf_s = window
        # per round trip from rates (the load's over its window, ours over ours): the windows need not match
        rts_in_window = throughput * wall
        per_rt = lambda v: v / (throughput * perf_s) if v is not None else None
        # the C load reports its own CPU time over its window, exactly; for the JVM, /proc over ours
        load_cpu_s = float(result["cpuSeconds"]) / seconds if "cpuSeconds" in result else load_ns / 1e9 / wall
        load_share = load_cpu_s / ctx["load_cores"]
        return {
            "server": kind, "connections": row[0], "size": row[1], "depth": row[2],
            "roundTrips": rt, "seconds": seconds, "throughput": throughput,
            "p50us": float(result["p50us"]), "p99us": float(result["p99us"]), "p999us": float(result.get("p999us", "nan")),
            "cpuMicrosPerRoundTrip": server_ns / 1000 / rts_in_window,
            "ioUringEnterPerRoundTrip": per_rt(counts.get(EVENTS[0])),
            "syscallsPerRoundTrip": per_rt(counts.get(EVENTS[1])),
            "contextSwitchesPerRoundTrip": per_rt(counts.get(EVENTS[2])),
            "instructionsPerRoundTrip": per_rt(counts.get(EVENTS[3])),
            "loadCpuShare": load_share, "clientBound": load_share > CLIENT_BOUND,
        }
    finally:
        watchdog.cancel()
        run.close()


# ---------------------------------------------------------------------------------------------------- report

def med(rs, key):
    vals = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def cell(rs, key, fmt):
    vals = [r[key] for r in rs if r.get(key) is not None]
    if not vals:
        return "n/a"
    if len(vals) == 1:
        return fmt(vals[0])
    return f"{fmt(statistics.median(vals))} ({fmt(min(vals))}..{fmt(max(vals))})"


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else ""


def pair_ratios(ok, servers, rows):
    """Lines of a table: each engine's server CPU per round trip as a ratio (of medians) to the references of PAIRS
    that ran, one column per pair, one line per row; KIND@DIR counts as KIND. Empty when no pair ran."""
    pairs = [(kind, ref) for kind in servers for ref in PAIRS.get(kind.partition("@")[0], ()) if ref in servers]
    if not pairs:
        return []
    key = "cpuMicrosPerRoundTrip"
    lines = ["## Server CPU per round trip against the reference on the same machinery (ratio of medians)", "",
             "| row | " + " | ".join(f"{kind} / {ref}" for kind, ref in pairs) + " |", "|---|" + "---|" * len(pairs)]
    for row in rows:
        lines.append(f"| {row_name(row)} | "
                     + " | ".join(ratio(med(ok(kind, row), key), med(ok(ref, row), key)) or "n/a" for kind, ref in pairs)
                     + " |")
    return lines + [""]


def report(runs, failures, servers, rows, machine, settings):
    ok = lambda kind, row: [r for r in runs if r["server"] == kind and (r["connections"], r["size"], r["depth"]) == row]
    f0, f2 = (lambda v: f"{v:,.0f}"), (lambda v: f"{v:.2f}")
    lines = [f"# Echo comparison {machine['stamp']}", "",
             f"Machine: {machine['cpuModel']}, {machine['cpus']} CPUs, Linux {machine['uname']}; JDK {machine['java']}; "
             f"{machine['gcc']}; liburing {machine['liburing']}; hardware counters: "
             f"{'yes' if machine['hardwareCounters'] else 'no (instructions n/a)'}.",
             f"Servers on CPU {settings['serverCpus']}, load generator ({settings['loadName']}) on CPU "
             f"{settings['loadCpus']}; {settings['rounds']} "
             f"{'interleaved rounds' if settings['rounds'] > 1 else 'round'}, each measurement a fresh server process: "
             f"{settings['warmup']} s warm-up, {settings['measure']} s measured. Cells: median (min..max) over the rounds; "
             f"ratios are ratios of medians.", "",
             f"Command: `{machine['command']}`", ""] + [f"Note: {s}." for s in settings["skipped"]]
    if settings["skipped"]:
        lines.append("")
    for title, key, fmt in (("Server CPU µs per round trip", "cpuMicrosPerRoundTrip", f2),
                            ("Round trips per second", "throughput", f0)):
        lines += [f"## {title} (median)", "", "| row | " + " | ".join(servers) + " |",
                  "|---|" + "---|" * len(servers)]
        for row in rows:
            cells = []
            for kind in servers:
                v = med(ok(kind, row), key)
                cells.append(fmt(v) if v is not None else "failed")
            lines.append(f"| {row_name(row)} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += pair_ratios(ok, servers, rows)
    for row in rows:
        base_c, base_n = ok(C_SERVER, row), ok(NETTY, row)
        lines += [f"## {row_name(row)}", "",
                  "| server | round trips/s | server CPU µs / rt | p99 µs | instructions / rt | io_uring_enter / rt "
                  "| syscalls / rt | ctx switches / rt | load CPU |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for kind in servers:
            rs = ok(kind, row)
            if not rs:
                lines.append(f"| {kind} | failed | | | | | | | |")
                continue
            bound = sum(1 for r in rs if r["clientBound"])
            load = f"{med(rs, 'loadCpuShare') * 100:.0f} %" + (f" client-bound ({bound}/{len(rs)})" if bound else "")
            lines.append(f"| {kind} | {cell(rs, 'throughput', f0)} | {cell(rs, 'cpuMicrosPerRoundTrip', f2)} "
                         f"| {cell(rs, 'p99us', lambda v: f'{v:,.0f}')} | {cell(rs, 'instructionsPerRoundTrip', f0)} "
                         f"| {cell(rs, 'ioUringEnterPerRoundTrip', lambda v: f'{v:.3f}')} "
                         f"| {cell(rs, 'syscallsPerRoundTrip', lambda v: f'{v:.3f}')} "
                         f"| {cell(rs, 'contextSwitchesPerRoundTrip', lambda v: f'{v:.3f}')} | {load} |")
        lines.append("")
        if not base_c and not base_n:
            continue  # neither reference ran (or both failed): no ratios
        lines += [f"Ratios (of medians) against the C liburing server and against {NETTY}:", "",
                  "| server | CPU / rt vs C | vs Netty | instructions / rt vs C | vs Netty | throughput vs C | vs Netty "
                  "| p99 vs C | vs Netty |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for kind in servers:
            rs = ok(kind, row)
            if not rs:
                continue
            cols = []
            for key in ("cpuMicrosPerRoundTrip", "instructionsPerRoundTrip", "throughput", "p99us"):
                cols += [ratio(med(rs, key), med(base_c, key)), ratio(med(rs, key), med(base_n, key))]
            lines.append(f"| {kind} | " + " | ".join(cols) + " |")
        lines.append("")
    if any(r["clientBound"] for r in runs):
        lines += ["Client-bound: the load generator kept its CPUs more than 90 % busy in that run, so the run's "
                  "throughput is the load's, and the server, waiting on it, batched less than it could (its CPU per "
                  "round trip may be higher than at its own limit). More load CPUs: --load-cpus, --load-threads.", ""]
    if failures:
        lines += ["## Failed measurements", ""] + [f"- round {f['round']}, {row_name(tuple(f['row']))}, {f['server']}: "
                                                   f"{f['error'][:300]}" for f in failures] + [""]
    return "\n".join(lines)


def machine_info(java_version):
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
        except (OSError, IndexError):
            return "n/a"
    model = "n/a"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "n/a")
    except OSError:
        pass
    liburing = first(["dpkg-query", "-W", "-f", "${Version}", "liburing-dev"]) if shutil.which("dpkg-query") else "n/a"
    counters = False
    if shutil.which("perf"):
        res = subprocess.run(["perf", "stat", "-x,", "-e", "instructions", "true"], capture_output=True, text=True)
        counters = any(l.split(",")[0].isdigit() for l in res.stderr.splitlines())
    return {"stamp": time.strftime("%Y%m%d-%H%M%S"), "uname": os.uname().release, "cpus": os.cpu_count(),
            "cpuModel": model, "java": java_version, "gcc": first(["gcc", "--version"]),
            "liburing": liburing if os.path.exists(LIBURING_H) else "not installed",
            "hardwareCounters": counters, "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3, help="seconds of load before each measurement (JIT warm-up)")
    ap.add_argument("--measure", type=int, default=8, help="seconds measured")
    ap.add_argument("--servers", default=DEFAULT_SERVERS,
                    help="comma-separated; KIND@DIR runs KIND from DIR, a saved copy of proactor-benchmarks/target")
    ap.add_argument("--rows", default=DEFAULT_ROWS, help="CONNECTIONSxSIZE[xDEPTH],... (default %(default)s)")
    ap.add_argument("--connections", help="instead of --rows: comma-separated connection counts (default 1,50,500,2000)")
    ap.add_argument("--sizes", help="instead of --rows: comma-separated message sizes in bytes (default 64)")
    ap.add_argument("--depths", help="instead of --rows: comma-separated messages in flight per connection (default 1)")
    ap.add_argument("--load", choices=("c", "java"), default="c",
                    help="load generator: c = bench/epoll-load.c (default), java = the library's EchoLoadMain")
    ap.add_argument("--load-threads", type=int, help="threads of the C load (default: one per load CPU)")
    ap.add_argument("--server-cpus", default="0", help="taskset CPU list of the servers (default 0)")
    ap.add_argument("--load-cpus", default="1", help="taskset CPU list of the load generator (default 1)")
    ap.add_argument("--no-perf", action="store_true", help="skip perf stat (no syscall or instruction counts)")
    ap.add_argument("--out", default=os.path.join(MODULE, "results"))
    args = ap.parse_args()
    if args.rounds < 1 or args.warmup < 0 or args.measure < 1:
        ap.error("--rounds and --measure must be at least 1, --warmup at least 0")
    if args.load_threads is not None and not 1 <= args.load_threads <= 256:
        ap.error("--load-threads must be between 1 and 256")
    rows = parse_rows(args)
    servers = [s for s in args.servers.split(",") if s]
    if not servers:
        ap.error("--servers is empty")
    for kind in servers:
        base = kind.partition("@")[0]
        if not (base == C_SERVER or base in JAVA_REFERENCES or base.startswith("proactor-")):
            ap.error(f"unknown server {kind!r}: liburing, {', '.join(JAVA_REFERENCES)} or proactor-<engine>")
        build = kind.partition("@")[2]
        need = os.path.join(build, "bench", "liburing-echo") if base == C_SERVER else os.path.join(build, "classes")
        if build and not os.path.exists(need):
            ap.error(f"{kind}: {need} not found (DIR is a saved copy of proactor-benchmarks/target)")
    try:
        load_cores = cpu_count(args.load_cpus)
        cpu_count(args.server_cpus)
    except ValueError:
        ap.error("--server-cpus and --load-cpus take taskset CPU lists, such as 0 or 1,3-4")
    if os.cpu_count() == 1:
        log("warning: one CPU: server and load share it; use --server-cpus 0 --load-cpus 0")

    # 2,000 connections: the script's children inherit the raised descriptor limit (the C programs raise theirs too)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    most = max(c for c, _, _ in rows)
    if hard < 2 * most + 200:
        log(f"warning: the descriptor limit ({hard}) is low for {most:,} connections")
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            somaxconn = int(f.read())
        if somaxconn < most:
            log(f"warning: net.core.somaxconn is {somaxconn}, below {most:,} connections: the servers' accept queue "
                f"(backlog 4096) is capped to it")
    except (OSError, ValueError):
        pass

    ctx = {"warmup": args.warmup, "measure": args.measure, "load": args.load, "server_cpus": args.server_cpus,
           "load_cpus": args.load_cpus, "load_cores": load_cores,
           "load_threads": args.load_threads or load_cores, "perf": not args.no_perf and shutil.which("perf") is not None}
    if not ctx["perf"] and not args.no_perf:
        log("perf not found: no syscall, io_uring_enter or instruction counts (install linux-perf)")
    if any(not s.startswith(C_SERVER) for s in servers) or args.load == "java":
        ctx["java"], ctx["java_version"] = find_java()
        if not os.path.isdir(os.path.join(TARGET, "classes")):
            sys.exit("error: build first: mvn -B -q -DskipTests package -pl proactor-benchmarks -am")
    else:
        ctx["java_version"] = None
    if args.load == "c" or any(s.startswith(C_SERVER) for s in servers):
        if shutil.which("gcc") is None:
            sys.exit("error: gcc not found (apt-get install gcc), needed for the C load generator and server; "
                     "or use --load java and leave out liburing")
    if args.load == "c":
        ctx["c_load"] = build_c("epoll-load", ["-pthread"])
    skipped = []
    if any(s == C_SERVER for s in servers):
        if os.path.exists(LIBURING_H):
            ctx["c_server"] = build_c("liburing-echo", ["-luring"])
        else:
            skipped.append("liburing (C) server skipped: install liburing-dev (apt-get install liburing-dev)")
            print(skipped[-1], flush=True)
            servers = [s for s in servers if s != C_SERVER]
            if not servers:
                sys.exit("error: no server left to measure")

    machine = machine_info(ctx["java_version"])
    settings = {"rounds": args.rounds, "warmup": args.warmup, "measure": args.measure, "servers": servers,
                "rows": rows, "load": args.load, "loadName": f"C epoll-load, {ctx['load_threads']} thread(s)" if args.load == "c" else "Java EchoLoadMain",
                "loadThreads": ctx["load_threads"], "serverCpus": args.server_cpus, "loadCpus": args.load_cpus,
                "skipped": skipped}
    runs, failures = [], []
    total, done = args.rounds * len(rows) * len(servers), 0
    # a JVM's start and stop, and opening thousands of connections, add a few seconds to each measurement
    log(f"{total} measurements ({args.rounds} rounds x {len(rows)} rows x {len(servers)} servers), about "
        f"{total * (args.warmup + args.measure + 4) / 60:.0f} minutes")
    for r in range(args.rounds):
        for row in rows:
            # rotate the order each round, so that no server always runs right after the same one
            order = servers[r % len(servers):] + servers[:r % len(servers)]
            for kind in order:
                done += 1
                try:
                    res = measure(kind, row, ctx)
                except Exception as e:  # one failed measurement is reported, the rest still runs
                    failures.append({"round": r + 1, "row": row, "server": kind, "error": str(e)})
                    log(f"[{done}/{total}] round {r + 1} {row_name(row)} {kind}: FAILED: {str(e)[:500]}")
                    continue
                res["round"] = r + 1
                runs.append(res)
                log(f"[{done}/{total}] round {r + 1} {row_name(row)} {kind:18s} {res['throughput']:>10,.0f} rt/s  "
                    f"{res['cpuMicrosPerRoundTrip']:6.2f} us CPU/rt  p99 {res['p99us']:,.0f} us  "
                    f"load CPU {res['loadCpuShare'] * 100:.0f} %{'  client-bound' if res['clientBound'] else ''}")
    text = report(runs, failures, servers, rows, machine, settings)
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, f"echo-compare-{machine['stamp']}")
    with open(base + ".json", "w") as f:
        json.dump({"machine": machine, "settings": settings, "runs": runs, "failures": failures}, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    print(f"written: {os.path.relpath(base, ROOT)}.md and .json")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
