#!/usr/bin/env python3
"""Echo comparison: the library's engines against Netty's own io_uring and epoll channel transports.

Each server runs alone in its own JVM on CPU 0 with one I/O thread; the load generator (EchoLoad, on the
library's io_uring engine, every byte verified) runs on CPU 1. Per run it measures, over the measurement
window only:
  - throughput: round trips per second reported by the load generator;
  - server CPU per round trip: the sum of the server's threads' on-CPU time (/proc/PID/task/*/schedstat);
  - io_uring_enter and all system calls per round trip, and context switches per round trip, counted with
    `perf stat -p PID` tracepoints (negligible overhead, unlike strace);
  - instructions per round trip (user + kernel, `perf stat` hardware counter): unlike CPU time it hardly
    changes when other work shares the machine, so it is the steadier measure of what a round trip costs.
Rounds are interleaved (every server once per round) so machine noise spreads over all of them; the table
gives the median and the min..max spread.

Usage (after `mvn -B -q -DskipTests package`):
  python3 proactor-benchmarks/bench/echo-compare.py [--rounds 3] [--warmup 3] [--measure 8]
"""
import argparse, glob, json, os, re, signal, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join(ROOT, "proactor-benchmarks")


def find_java():
    candidates = [os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java")] + sorted(glob.glob("/usr/lib/jvm/*/bin/java"))
    for j in candidates:
        if os.access(j, os.X_OK):
            out = subprocess.run([j, "-version"], capture_output=True, text=True).stderr
            m = re.search(r'version "(\d+)', out)
            if m and int(m.group(1)) >= 21:
                return j, int(m.group(1))
    sys.exit("no JDK 21+ found")


def jvm_command(java, version, main, args, build=os.path.join(MODULE, "target")):
    cp = os.path.join(build, "classes") + ":" + os.path.join(build, "lib", "*")
    flags = ["--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]
    if version >= 23:
        flags.append("--sun-misc-unsafe-memory-access=allow")
    return [java] + flags + ["-cp", cp, main] + [str(a) for a in args]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ns(pid):
    total = 0
    for f in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            total += int(open(f).read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total


# instructions (user + kernel) is the least noise-sensitive cost measure on a shared machine; "n/a" where the
# hardware counters are not exposed (some VMs)
EVENTS = ["syscalls:sys_enter_io_uring_enter", "raw_syscalls:sys_enter", "context-switches", "instructions"]


def run_one(java, version, kind, connections, size, depth, warmup, measure, cpus):
    port = free_port()
    # KIND@DIR runs KIND from a saved copy of proactor-benchmarks/target (its classes/ and lib/): before/after
    server_kind, _, build = kind.partition("@")
    server_args = [java, version, "io.proactor.benchmarks.EchoServerMain", [server_kind, port]] + ([build] if build else [])
    # stdin stays open: the server ends when it closes
    server = subprocess.Popen(["taskset", "-c", cpus[0]] + jvm_command(*server_args),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("listening"):
            raise RuntimeError(f"{kind} did not start: {line}{server.stderr.read()}")
        load = subprocess.Popen(["taskset", "-c", cpus[1]] + jvm_command(java, version, "io.proactor.benchmarks.EchoLoad",
                                [port, connections, size, depth, warmup, measure]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        perf = None
        cpu_start = None
        result = None
        for line in load.stdout:
            if line.startswith("measure-start"):
                cpu_start = cpu_ns(server.pid)
                perf = subprocess.Popen(["perf", "stat", "-x,", "-e", ",".join(EVENTS), "-p", str(server.pid), "--", "sleep", str(measure)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            elif line.startswith("result"):
                cpu_end = cpu_ns(server.pid)
                result = dict(kv.split("=") for kv in line.split()[1:])
        load.wait(timeout=60)
        if result is None or load.returncode != 0 or int(result["errors"]) != 0:
            raise RuntimeError(f"load against {kind} failed: {result} {load.stderr.read()[-2000:]}")
        counts = {}
        if perf is not None:
            _, err = perf.communicate(timeout=30)
            for row in err.splitlines():
                parts = row.split(",")
                if len(parts) > 2 and parts[2] in EVENTS:
                    counts[parts[2]] = int(parts[0]) if parts[0].isdigit() else None
        rt = int(result["roundTrips"])
        seconds = float(result["seconds"])
        per = lambda v: (v / rt) if (v is not None and rt) else None
        return {
            "server": kind, "connections": connections, "size": size, "depth": depth,
            "roundTrips": rt, "seconds": seconds, "throughput": rt / seconds,
            "cpuMicrosPerRoundTrip": (cpu_end - cpu_start) / 1000 / rt,
            "ioUringEnterPerRoundTrip": per(counts.get(EVENTS[0])),
            "syscallsPerRoundTrip": per(counts.get(EVENTS[1])),
            "contextSwitchesPerRoundTrip": per(counts.get(EVENTS[2])),
            "instructionsPerRoundTrip": per(counts.get(EVENTS[3])),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}..{fmt(max(values))})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--measure", type=int, default=8)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--servers", default="proactor-io_uring,proactor-nio2,proactor-reactor,netty-io_uring,netty-epoll",
                    help="comma-separated; KIND@DIR runs KIND from a saved copy DIR of proactor-benchmarks/target "
                         "(measure before/after a change in one interleaved run)")
    ap.add_argument("--depths", default="1,16", help="messages in flight per connection: 1 = ping-pong")
    ap.add_argument("--out", default=os.path.join(MODULE, "results"))
    args = ap.parse_args()
    java, version = find_java()
    cpus = ("0", "1") if os.cpu_count() and os.cpu_count() >= 2 else ("0", "0")
    servers = args.servers.split(",")
    depths = [int(d) for d in args.depths.split(",")]
    runs = []
    for r in range(args.rounds):
        for depth in depths:
            for kind in servers:
                res = run_one(java, version, kind, args.connections, args.size, depth, args.warmup, args.measure, cpus)
                res["round"] = r + 1
                runs.append(res)
                print(f"round {r + 1} depth {depth:2d} {kind:18s} {res['throughput']:>10.0f} rt/s  "
                      f"{res['cpuMicrosPerRoundTrip']:6.2f} us CPU/rt  enter/rt {res['ioUringEnterPerRoundTrip']}", flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(args.out, exist_ok=True)
    machine = {"uname": os.uname().release, "cpus": os.cpu_count(), "java": version,
               "command": " ".join(sys.argv), "serverCpu": cpus[0], "loadCpu": cpus[1]}
    with open(os.path.join(args.out, f"echo-compare-{stamp}.json"), "w") as f:
        json.dump({"machine": machine, "runs": runs}, f, indent=2)
    lines = [f"# Echo comparison {stamp}", "",
             f"Machine: Linux {machine['uname']}, {machine['cpus']} CPUs, JDK {version}; server on CPU {cpus[0]}, "
             f"load on CPU {cpus[1]}; {args.connections} connections x {args.size} bytes; {args.rounds} interleaved "
             f"rounds of {args.measure} s after {args.warmup} s warm-up. Median (min..max).", "",
             f"Command: `{machine['command']}`", ""]
    for depth in depths:
        rows = [r for r in runs if r["depth"] == depth]
        base = [r for r in rows if r["server"] == "netty-io_uring"]
        base_cpu = statistics.median([r["cpuMicrosPerRoundTrip"] for r in base]) if base else None
        base_tp = statistics.median([r["throughput"] for r in base]) if base else None
        lines += [f"## {'ping-pong' if depth == 1 else f'{depth} pipelined messages'} per connection", "",
                  "| server | round trips/s | server CPU us / round trip | CPU vs netty-io_uring | throughput vs netty-io_uring | instructions / rt | io_uring_enter / rt | syscalls / rt | ctx switches / rt |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for kind in servers:
            rs = [r for r in rows if r["server"] == kind]
            cpu = statistics.median([r["cpuMicrosPerRoundTrip"] for r in rs])
            tp = statistics.median([r["throughput"] for r in rs])
            lines.append(f"| {kind} | {spread([r['throughput'] for r in rs], lambda v: f'{v:,.0f}')} "
                         f"| {spread([r['cpuMicrosPerRoundTrip'] for r in rs], lambda v: f'{v:.2f}')} "
                         f"| {cpu / base_cpu:.2f}x | {tp / base_tp:.2f}x "
                         f"| {spread([r.get('instructionsPerRoundTrip') for r in rs], lambda v: f'{v:,.0f}')} "
                         f"| {spread([r['ioUringEnterPerRoundTrip'] for r in rs], lambda v: f'{v:.3f}')} "
                         f"| {spread([r['syscallsPerRoundTrip'] for r in rs], lambda v: f'{v:.3f}')} "
                         f"| {spread([r['contextSwitchesPerRoundTrip'] for r in rs], lambda v: f'{v:.3f}')} |"
                         if base_cpu else f"| {kind} | {tp:,.0f} | {cpu:.2f} | | | | | | |")
        lines.append("")
    report = "\n".join(lines)
    with open(os.path.join(args.out, f"echo-compare-{stamp}.md"), "w") as f:
        f.write(report + "\n")
    print()
    print(report)


if __name__ == "__main__":
    main()
