#!/usr/bin/env bash
# The file server against nginx on the same files, measured with wrk on loopback, the way an outside reviewer
# would: several connection counts, interleaved rounds, a fresh server process per measurement block, latency,
# server CPU per request and per byte, and a check that the load generator was not the bottleneck.
#
#   proactor-samples/bench/http-vs-nginx.sh            # writes proactor-samples/bench/http-vs-nginx.md (+ .csv)
#
# Settings (environment):
#   DURATION=5          s of each measured wrk run
#   WARMUP=2            s of unmeasured wrk run before each measured one (same file, same connection count)
#   SERVER_WARMUP=10    s of 1 KiB requests (at the first of CONNECTIONS) right after each server process starts,
#                       so the JVM has compiled its hot paths (nginx gets the same, for symmetry)
#   CONNECTIONS="16 50" connection counts for the files below THRESHOLD, each measured
#   LARGE_CONNECTIONS=2 connection count for the files at or above THRESHOLD (with more, one response outlasts
#                       the measurement)
#   THRESHOLD=4m        direct-I/O threshold of both servers
#   ENGINES="io_uring nio2 reactor"   our engines; E/zero-copy is engine E with --copy-threshold 0, E/copy engine E
#                       with --copy-threshold THRESHOLD (every file below the threshold read into the response)
#   ROUNDS=3            rounds; each round measures every server once, in the order nginx-sendfile,
#                       nginx-directio, then ENGINES, on every (connection count, file) pair
#   FILES="1k.bin 64k.bin 1m.bin 256m.bin"   files to serve; a name's size is its stem (1k = 1 KiB, 256m = 256 MiB)
#   OUT=<markdown file> (default proactor-samples/bench/http-vs-nginx.md); the raw measurements go to OUT with a
#                       .csv suffix: round,server,connections,file,rps,p99_ms,bytes_per_s,errors,server_cpu_s,
#                       requests,wrk_cpu_fraction,wrk_cpu_s
#   NOTE=<a line put at the top of the results, e.g. how quiet the machine was>
#   FIO=1               with a file at or above THRESHOLD: in each round, fio reads the first such file with
#                       io_uring and O_DIRECT, 256 KiB blocks, FIO_DEPTH in flight (what our DIRECT_IO send does), for
#                       DURATION s on CPU 0: the device's rate, beside which the servers' rate on that file is
#                       reported (FIO=0: not run; installs fio with apt-get when missing)
#   FIO_DEPTH=2         fio's blocks in flight (our DIRECT_IO send keeps 2; more to see what the device gives)
#
# What it does. Servers run on CPU 0 (taskset), wrk (one thread) on CPU 1. nginx runs one worker, access log off,
# in two configurations: "sendfile" (sendfile on) and "directio" (sendfile on + aio + directio THRESHOLD: files at
# or above the threshold read with O_DIRECT asynchronously, smaller ones sendfile). Our server runs
# single-threaded with --directio-threshold THRESHOLD on each engine. In every round each server gets one block:
# a fresh process is started, warmed with SERVER_WARMUP s of 1 KiB requests, then for every connection count and
# file WARMUP s unmeasured and DURATION s measured, then the process is stopped. Each measurement records
# requests/s, p99 latency, bytes/s and errors (from a wrk done() hook), the server's CPU time (utime+stime from
# /proc/PID/stat of every process of the server: nginx's master and worker, our JVM) read just before and just
# after the measured run, and the fraction of its core wrk used (its user+system time over its wall time; a
# measurement with >= 0.95 is marked client-bound: there the numbers say more about wrk than about the server).
# Server and wrk CPU per request are also reported summed: on loopback the kernel's TCP work for a segment, both
# ends of it, runs on whichever CPU sends it, the server's when its own call sends, wrk's when the segment is
# clocked out later by wrk's ACK; how a server sends (one sendfile, corked or not, or 64 KiB splices) moves that
# work between the two, so the server's CPU alone can flatter a server that leaves its work to the client.
# The report gives per connection count the median over the rounds (min-max for requests/s), server CPU
# microseconds per request and nanoseconds per byte, and ratios ours/nginx computed per round against the
# like-for-like nginx configuration ("sendfile" below THRESHOLD, "directio" at or above), reported as the median of
# the per-round ratios with their min-max. Installs nginx-light and wrk with apt-get when missing (needs root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
SERVER_WARMUP="${SERVER_WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-16 50}"
LARGE_CONNECTIONS="${LARGE_CONNECTIONS:-2}"
NOTE="${NOTE:-}"
THRESHOLD="${THRESHOLD:-4m}"
ENGINES="${ENGINES:-io_uring nio2 reactor}"
ROUNDS="${ROUNDS:-3}"
FILES="${FILES:-1k.bin 64k.bin 1m.bin 256m.bin}"
FIO="${FIO:-1}"
FIO_DEPTH="${FIO_DEPTH:-2}"
OUT="${OUT:-$here/http-vs-nginx.md}"
CSV="${OUT%.md}.csv"
NGINX_PORT=18181
OUR_PORT=18182
CLIENT_BOUND=0.95

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk || { [ "$FIO" = 1 ] && ! need fio; }; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk fio
fi
for tool in nginx wrk taskset curl ss pgrep python3 numfmt; do
  need "$tool" || { echo "error: $tool is missing" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "error: needs 2 CPUs (server on CPU 0, wrk on CPU 1)" >&2
  exit 1
fi
read -ra connections <<< "$CONNECTIONS"
[ "${#connections[@]}" -gt 0 ] || { echo "error: CONNECTIONS is empty" >&2; exit 1; }
for n in "${connections[@]}" "$LARGE_CONNECTIONS" "$ROUNDS" "$DURATION" "$WARMUP" "$SERVER_WARMUP" "$FIO_DEPTH"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "error: '$n' is not a whole number (CONNECTIONS, LARGE_CONNECTIONS, ROUNDS, DURATION, WARMUP, SERVER_WARMUP, FIO_DEPTH)" >&2; exit 1; }
done
clk_tck=$(getconf CLK_TCK)

# Files on a real file system (O_DIRECT does not work on tmpfs), readable by nginx's worker user.
work="$repo/proactor-samples/target/http-bench"
www="$work/www"
logs="$work/logs"
mkdir -p "$www" "$work/nginx" "$logs"
chmod a+rx "$work" "$www"
file_bytes() { # a file's size from its name: 1k.bin -> 1024, 256m.bin -> 268435456
  local stem=${1%.*}
  numfmt --from=iec "${stem^^}" 2>/dev/null || { echo "error: cannot tell the size of '$1' from its name" >&2; exit 1; }
}
make_file() { # name
  local bytes
  bytes=$(file_bytes "$1")
  if [ ! -f "$www/$1" ] || [ "$(stat -c %s "$www/$1")" -ne "$bytes" ]; then
    head -c "$bytes" /dev/urandom > "$www/$1"
  fi
  chmod a+r "$www/$1"
}
make_file 1k.bin # readiness checks and server warm-up use it
for file in $FILES; do make_file "$file"; done
threshold_bytes=$(numfmt --from=iec "${THRESHOLD^^}")
small_files=() large_files=()
for file in $FILES; do
  if [ "$(file_bytes "$file")" -ge "$threshold_bytes" ]; then large_files+=("$file"); else small_files+=("$file"); fi
done

aio=threads # Debian's nginx is built without --with-file-aio; "aio threads" reads on nginx's thread pool
if nginx -V 2>&1 | grep -q -- --with-file-aio; then aio=on; fi

nginx_conf() { # name extra-directives
  local conf="$work/nginx/$1.conf"
  mkdir -p "$work/nginx/$1"
  cat > "$conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/$1/nginx.pid;
error_log $work/nginx/$1/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/$1/body;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  $2
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $www;
  }
}
CONF
  echo "$conf"
}
conf_sendfile=$(nginx_conf sendfile "")
conf_directio=$(nginx_conf directio "aio $aio; directio $THRESHOLD; directio_alignment 4k;")

port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }
for port in $NGINX_PORT $OUR_PORT; do
  port_free "$port" || { echo "error: port $port is in use:" >&2; ss -ltnp "sport = :$port" >&2; exit 1; }
done

server_pid= server_label= server_log= port= cpu_pids=()
stop_server() {
  local pid=$server_pid
  [ -n "$pid" ] || return 0
  server_pid=
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap stop_server EXIT
trap 'exit 130' INT TERM

fail() { # message: reports the server's log tail and exits
  echo "error: $1" >&2
  if [ -n "$server_log" ]; then
    for f in $server_log; do
      [ -f "$f" ] && { echo "--- last lines of $f:" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  exit 1
}

wait_ready() { # port
  for _ in $(seq 1 300); do
    kill -0 "$server_pid" 2>/dev/null || fail "$server_label exited before answering on port $1"
    curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$1/1k.bin" && return 0
    sleep 0.1
  done
  fail "$server_label did not answer on port $1 within 30 s"
}

process_tree() { # pid: the pid and all its descendants
  local p
  echo "$1"
  for p in $(pgrep -P "$1" || true); do process_tree "$p"; done
}

cpu_ticks() { # pids...: utime+stime (fields 14 and 15 of /proc/PID/stat) summed, in clock ticks
  local pid stat total=0 f
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || fail "$server_label: process $pid is gone"
    read -ra f <<< "${stat##*) }" # fields after "pid (comm) ": f[0] is field 3, so utime is f[11], stime f[12]
    total=$(( total + f[11] + f[12] ))
  done
  echo "$total"
}

# wrk's done() hook prints exact totals: requests, bytes, duration in microseconds, errors, p99 latency in microseconds.
lua="$work/totals.lua"
cat > "$lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("TOTALS %d %d %d %d %d\n", summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(99)))
end
LUA

run_wrk() { # connections seconds file output-file [wrk flags]: runs wrk on CPU 1, prints "real user sys" of wrk
  local c=$1 s=$2 file=$3 output=$4 times TIMEFORMAT='%3R %3U %3S'
  shift 4
  times=$( { time taskset -c 1 wrk -t1 -c"$c" -d"${s}s" --timeout 30s "$@" "http://127.0.0.1:$port/$file" \
    > "$output" 2>&1 ; } 2>&1 ) || { cat "$output" >&2; fail "wrk failed against $server_label ($file, -c$c)"; }
  echo "$times"
}

measure() { # round connections file: one measured run, appended to the CSV
  local round=$1 c=$2 file=$3 out="$logs/wrk-r$1-${server_label//\//_}-c$2-$3.txt" before after times
  local _ n bytes micros errors p99 real user sys
  cat "$www/$file" > /dev/null # zero-copy runs read the page cache: start warm (O_DIRECT runs bypass it)
  run_wrk "$c" "$WARMUP" "$file" /dev/null > /dev/null
  before=$(cpu_ticks "${cpu_pids[@]}")
  times=$(run_wrk "$c" "$DURATION" "$file" "$out" -s "$lua")
  after=$(cpu_ticks "${cpu_pids[@]}")
  read -r _ n bytes micros errors p99 < <(grep '^TOTALS' "$out") || fail "no totals from wrk in $out"
  read -r real user sys <<< "$times"
  awk -v r="$round" -v s="$server_label" -v c="$c" -v f="$file" -v n="$n" -v b="$bytes" -v us="$micros" \
      -v e="$errors" -v p="$p99" -v t="$(( after - before ))" -v hz="$clk_tck" -v wr="$real" -v wu="$user" \
      -v ws="$sys" 'BEGIN {
    d = us / 1e6
    printf "%s,%s,%s,%s,%.3f,%.3f,%.1f,%s,%.2f,%s,%.3f,%.3f\n", r, s, c, f, n / d, p / 1000, b / d, e, t / hz, n,
      (wr > 0 ? (wu + ws) / wr : 0), wu + ws
  }' >> "$CSV"
  tail -n 1 "$CSV" | awk -F, '{ printf "round %s %-18s -c%-4s %-9s %10.0f req/s  p99 %8.3f ms  %8.1f MiB/s  errors %s  server CPU %.2f s  wrk core %.2f\n",
    $1, $2, $3, $4, $5, $6, $7 / 1048576, $8, $9, $11 }' >&2
}

start_server() { # label round: starts the server for label on CPU 0, waits until it answers
  local label=$1 round=$2 engine log listener
  server_label=$label
  if [[ $label == nginx-* ]]; then
    local cfg=${label#nginx-} conf_var="conf_${label#nginx-}"
    port=$NGINX_PORT
    port_free $port || fail "port $port is still in use before starting $label"
    log="$logs/r$round-$label.log"
    : > "$work/nginx/$cfg/error.log"
    server_log="$log $work/nginx/$cfg/error.log"
    taskset -c 0 nginx -c "${!conf_var}" -p "$work/nginx/$cfg" > "$log" 2>&1 &
    server_pid=$!
  else
    engine=${label%/*}
    port=$OUR_PORT
    port_free $port || fail "port $port is still in use before starting $label"
    log="$logs/r$round-${label//\//_}.log"
    server_log=$log
    local copy=() # ENGINE/zero-copy: small files zero-copy too (--copy-threshold 0), to show what the copy saves
    [[ $label == */zero-copy ]] && copy=(--copy-threshold 0)
    [[ $label == */copy ]] && copy=(--copy-threshold "$THRESHOLD")
    taskset -c 0 "$repo/proactor" serve "$www" --port $OUR_PORT --engine "$engine" --model single \
      --directio-threshold "$THRESHOLD" "${copy[@]}" > "$log" 2>&1 &
    server_pid=$!
  fi
  wait_ready $port
  # The processes whose CPU counts: the one started (./proactor execs java; taskset execs the server) and its
  # descendants (nginx's worker). The process listening on the port must be among them.
  mapfile -t cpu_pids < <(process_tree "$server_pid")
  listener=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [ -n "$listener" ] || fail "no process found listening on port $port"
  printf '%s\n' "${cpu_pids[@]}" | grep -qx "$listener" \
    || fail "the listener on port $port (pid $listener) is not the started $label (pids ${cpu_pids[*]})"
  if [[ $label != nginx-* ]] && [ -z "${jvm_exe:-}" ]; then jvm_exe=$(readlink "/proc/$listener/exe"); fi
  echo "round $round $label: pids ${cpu_pids[*]} ($(ps -o comm= -p "$(IFS=,; echo "${cpu_pids[*]}")" | tr '\n' ' '))" >&2
}

(cd "$repo" && ./proactor --help > /dev/null) # builds once, outside the measurements
servers=(nginx-sendfile nginx-directio $ENGINES)
echo "round,server,connections,file,rps,p99_ms,bytes_per_s,errors,server_cpu_s,requests,wrk_cpu_fraction,wrk_cpu_s" > "$CSV"
echo "round,fio_kib_per_s" > "${CSV%.csv}-fio.csv"
jvm_exe=
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for round in $(seq 1 "$ROUNDS"); do
  for label in "${servers[@]}"; do
    start_server "$label" "$round"
    run_wrk "${connections[0]}" "$SERVER_WARMUP" 1k.bin /dev/null > /dev/null
    for c in "${connections[@]}"; do
      for file in "${small_files[@]}"; do measure "$round" "$c" "$file"; done
    done
    for file in "${large_files[@]}"; do measure "$round" "$LARGE_CONNECTIONS" "$file"; done
    stop_server
  done
  if [ "$FIO" = 1 ] && [ "${#large_files[@]}" -gt 0 ]; then
    # the device's O_DIRECT rate with io_uring, as our DIRECT_IO send reads: 256 KiB blocks, FIO_DEPTH in flight
    taskset -c 0 fio --name=direct --filename="$www/${large_files[0]}" --readonly --rw=read --bs=256k \
      --direct=1 --ioengine=io_uring --iodepth="$FIO_DEPTH" --runtime="$DURATION" --time_based --output-format=terse \
      --terse-version=3 > "$logs/fio-r$round.txt" 2>&1 || fail "fio failed: $(tail -3 "$logs/fio-r$round.txt")"
    # terse v3: field 7 is the read bandwidth in KiB/s
    echo "$round,$(cut -d';' -f7 "$logs/fio-r$round.txt" | head -1)" >> "${CSV%.csv}-fio.csv"
    echo "round $round fio io_uring O_DIRECT ${large_files[0]}: $(cut -d';' -f7 "$logs/fio-r$round.txt" | head -1) KiB/s" >&2
  fi
done

jvm_version="$("${jvm_exe:-java}" -version 2>&1 | grep -v '^Picked up' | sed -n 2p)"
nginx_version="$(nginx -v 2>&1 | sed 's/^nginx version: //')"
wrk_version="$( (wrk -v 2>&1 || true) | head -1 | cut -d' ' -f1-2)" # wrk -v exits 1
{
  echo "# File server vs nginx"
  echo
  echo "Produced by \`proactor-samples/bench/http-vs-nginx.sh\`, started $started, finished $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  if [ -n "$NOTE" ]; then echo "**$NOTE**"; echo; fi
  echo "## Settings"
  echo
  echo "- machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), Linux $(uname -r)"
  echo "- JDK: $jvm_version (\`$jvm_exe\`)"
  echo "- nginx: $nginx_version, one worker, access log off; config \"sendfile\": \`sendfile on; tcp_nopush on;\`;"
  echo "  config \"directio\": the same plus \`aio $aio; directio $THRESHOLD; directio_alignment 4k;\`"
  echo "- wrk: $wrk_version"
  echo "- settings: ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP SERVER_WARMUP=$SERVER_WARMUP CONNECTIONS=\"$CONNECTIONS\""
  echo "  LARGE_CONNECTIONS=$LARGE_CONNECTIONS THRESHOLD=$THRESHOLD ENGINES=\"$ENGINES\" FILES=\"$FILES\""
  echo "- order: in each of the $ROUNDS rounds, one block per server in the order ${servers[*]};"
  echo "  a block is one fresh server process: started, warmed, measured on every (connections, file) pair, stopped"
  echo "- commands:"
  echo "  - nginx: \`taskset -c 0 nginx -c CONF -p PREFIX\` (\`daemon off; worker_processes 1;\`)"
  echo "  - ours: \`taskset -c 0 ./proactor serve DIR --port $OUR_PORT --engine E --model single --directio-threshold $THRESHOLD\`"
  echo "    (default \`--copy-threshold 16K\`: files up to 16 KiB are read into the response;"
  echo "    an engine named E/zero-copy runs with \`--copy-threshold 0\`, E/copy with \`--copy-threshold $THRESHOLD\`;"
  echo "    the reactor copies 64 KiB at most and has no asynchronous file reads, so it sends larger files zero-copy)"
  echo "  - server warm-up, once per block: \`taskset -c 1 wrk -t1 -c${connections[0]} -d${SERVER_WARMUP}s --timeout 30s URL/1k.bin\`"
  echo "  - per (connections C, file): \`taskset -c 1 wrk -t1 -cC -d${WARMUP}s --timeout 30s URL/FILE\` unmeasured, then"
  echo "    \`taskset -c 1 wrk -t1 -cC -d${DURATION}s --timeout 30s -s totals.lua URL/FILE\` measured; C is each of"
  echo "    CONNECTIONS for files below $THRESHOLD and $LARGE_CONNECTIONS for files at or above it"
  echo "- measured: requests/s, bytes/s, errors and p99 latency (\`latency:percentile(99)\`) from wrk's \`done()\` hook;"
  echo "  server CPU = utime+stime of the server's processes (nginx: master + worker; ours: the JVM) from"
  echo "  /proc/PID/stat, read just before and just after the measured wrk run; wrk core = wrk's (user+system)/wall"
  echo "  time, from bash's \`time\`; a cell is marked client-bound when wrk used >= $CLIENT_BOUND of its core;"
  echo "  server + wrk CPU: both, per request (on loopback a segment's TCP work, sender's and receiver's, runs on"
  echo "  the CPU that sends it: the server's or, when wrk's ACK clocks it out, wrk's)"
  echo "- raw measurements: \`$(basename "$CSV")\` beside this file"
  echo
  python3 - "$CSV" "$threshold_bytes" "$CLIENT_BOUND" "$ENGINES" "$FILES" "$CONNECTIONS" "$LARGE_CONNECTIONS" "$DURATION" "$FIO_DEPTH" <<'PY'
import csv, re, statistics, sys

path, threshold, bound, engines, files, conns, large_conns, duration, fio_depth = sys.argv[1:]
threshold, bound = int(threshold), float(bound)
engines, files = engines.split(), files.split()
servers = ["nginx-sendfile", "nginx-directio"] + engines
units = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}

def size(name):
    m = re.fullmatch(r"(\d+)([kmg]?)", name.rsplit(".", 1)[0].lower())
    return int(m.group(1)) * units[m.group(2)]

rows = {}
for r in csv.DictReader(open(path)):
    rps, n = float(r["rps"]), int(r["requests"])
    secs = n / rps if n > 0 and rps > 0 else float(duration) # no request completed: wrk ran about DURATION s
    cpu = float(r["server_cpu_s"])
    wrk_cpu = float(r["wrk_cpu_s"]) if r.get("wrk_cpu_s") else None # older CSVs lack it
    nbytes = float(r["bytes_per_s"]) * secs
    rows[(int(r["round"]), r["server"], int(r["connections"]), r["file"])] = {
        "rps": rps, "p99": float(r["p99_ms"]) if n > 0 else None, "errors": int(r["errors"]), "wrk": float(r["wrk_cpu_fraction"]),
        "us_req": cpu * 1e6 / n if n > 0 else None, "ns_byte": cpu * 1e9 / nbytes if nbytes > 0 else None,
        "us_req_all": (cpu + wrk_cpu) * 1e6 / n if n > 0 and wrk_cpu is not None else None}
rounds = sorted({k[0] for k in rows})

def num(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"

def values(server, c, f, key):
    return [rows[k][key] for k in ((r, server, c, f) for r in rounds) if k in rows and rows[k][key] is not None]

def med(v):
    return statistics.median(v) if v else None

def spread(v):
    return f"{num(med(v))} ({num(min(v))}–{num(max(v))})" if v else "-"

# connection counts, in order of measurement, with their files
pairs = []
for c in conns.split():
    pairs += [(int(c), f) for f in files if size(f) < threshold]
pairs += [(int(large_conns), f) for f in files if size(f) >= threshold]
by_conn = {}
for c, f in pairs:
    by_conn.setdefault(c, []).append(f)

def ref(f):
    return "nginx-sendfile" if size(f) < threshold else "nginx-directio"

for c, fs in by_conn.items():
    print(f"## {c} connections ({', '.join(fs)})\n")
    print("Median over the rounds; requests/s with min–max. CPU is the server's, during the measured run only.\n")
    print("| file | measure | " + " | ".join(servers) + " |")
    print("|---|---|" + "---:|" * len(servers))
    for f in fs:
        def line(label, fmt):
            print(f"| {f} | {label} | " + " | ".join(fmt(s) for s in servers) + " |")
        line("requests/s", lambda s: spread(values(s, c, f, "rps")))
        line("p99 latency (ms)", lambda s: num(med(values(s, c, f, "p99"))))
        line("server CPU µs/request", lambda s: num(med(values(s, c, f, "us_req"))))
        line("server CPU ns/byte", lambda s: num(med(values(s, c, f, "ns_byte"))))
        line("server + wrk CPU µs/request", lambda s: num(med(values(s, c, f, "us_req_all"))))
        def wrk(s):
            v = values(s, c, f, "wrk")
            if not v:
                return "-"
            hit = sum(1 for x in v if x >= bound)
            mark = "" if hit == 0 else " **client-bound**" if med(v) >= bound else f" client-bound in {hit}/{len(v)}"
            return f"{med(v):.2f}{mark}"
        line("wrk core used", wrk)
        errors = {s: sum(values(s, c, f, "errors")) for s in servers}
        if any(errors.values()):
            line("wrk errors (all rounds)", lambda s: str(errors[s]))
    print()
    print(f"Ours / nginx at {c} connections, like-for-like (nginx-sendfile below the threshold, nginx-directio at or "
          "above), per round, then the median of the per-round ratios (min–max). Requests/s: above 1 is faster; "
          "CPU per request (the server's, and the server's + wrk's): below 1 is cheaper.\n")
    print("| file | nginx | " + " | ".join(f"{e} req/s | {e} CPU/req | {e} +wrk CPU/req" for e in engines) + " |")
    print("|---|---|" + "---:|---:|---:|" * len(engines))
    for f in fs:
        cells = []
        for e in engines:
            for key in ("rps", "us_req", "us_req_all"):
                ratios = []
                for r in rounds:
                    a, b = rows.get((r, e, c, f)), rows.get((r, ref(f), c, f))
                    if a and b and a[key] is not None and b[key] is not None and b[key] > 0:
                        ratios.append(a[key] / b[key])
                cells.append(f"{med(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else "-")
        print(f"| {f} | {ref(f).removeprefix('nginx-')} | " + " | ".join(cells) + " |")
    print()

fio_path = path[:-len(".csv")] + "-fio.csv"
fio = {}
try:
    for r in csv.DictReader(open(fio_path)):
        fio[int(r["round"])] = float(r["fio_kib_per_s"]) * 1024
except FileNotFoundError:
    pass
big = [f for f in files if size(f) >= threshold]
if fio and big:
    f, c = big[0], int(large_conns)
    print(f"## {f}: the servers against the device (fio)\n")
    print(f"fio reading {f} with io_uring and O_DIRECT, 256 KiB blocks, {fio_depth} in flight, {duration} s per round: "
          f"{spread([v / 1048576 for v in fio.values()])} MiB/s (median, min–max). Each server's rate on {f} at "
          f"{c} connections over fio's in the same round (median of the per-round ratios, min–max):\n")
    print("| server | MiB/s | ratio to fio |")
    print("|---|---:|---:|")
    for s in servers:
        ratios = []
        rates = []
        for r in rounds:
            row = rows.get((r, s, c, f))
            if row and r in fio:
                rate = float(row["rps"]) * size(f)
                rates.append(rate / 1048576)
                ratios.append(rate / fio[r])
        print(f"| {s} | {spread(rates)} | " + (f"{med(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else "-") + " |")
    print()

total = sum(v["errors"] for v in rows.values())
print(f"wrk errors (connect, read, write, non-2xx, timeouts) over all {len(rows)} measured runs: {total}.")
empty = sorted(f"round {k[0]} {k[1]} -c{k[2]} {k[3]}" for k, v in rows.items() if v["us_req"] is None)
if empty:
    print(f"\nNo request completed within DURATION in {len(empty)} runs (no p99 or CPU per request there, and no "
          "ratio for their round; a longer DURATION fixes it): " + "; ".join(empty) + ".")
PY
} > "$OUT"
echo "results written to $OUT and $CSV" >&2
