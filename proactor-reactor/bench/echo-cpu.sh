#!/usr/bin/env bash
# Server CPU time per echo round trip: the `reactor` engine (SINGLE model) against a hand-written
# single-thread Selector echo server (HandWrittenEchoServer), each in its own JVM pinned to one core, both
# loaded by the same echo client (what `./proactor echo-client` runs) pinned to another core.
#
#   mvn -B -q install -DskipTests                                   # once, from the repository root
#   proactor-reactor/bench/echo-cpu.sh [MESSAGES_PER_ROUND] [ROUNDS] [ENGINE]
#
# Both servers start once and are warmed up; then ROUNDS client runs alternate between them (A B A B ...), so
# that the machine's background load drifts over both alike. For each client run the server's CPU time is
# utime+stime from /proc/<pid>/stat (all its threads: GC and JIT count) before and after, divided by the round
# trips. Reports each round, then per server the median and the minimum, and their ratios.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
messages="${1:-5000}"
rounds="${2:-8}"
engine="${3:-reactor}"
connections=50
size=64
server_cpu="${SERVER_CPU:-1}"
client_cpu="${CLIENT_CPU:-0}"

java_bin=""
for j in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java; do
  if [ -x "$j" ] && "$j" -version 2>&1 | head -1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then java_bin="$j"; break; fi
done
[ -n "$java_bin" ] || { echo "error: no JDK 21+ found" >&2; exit 1; }
[ -d proactor-samples/target/lib ] && [ -d proactor-reactor/target/test-classes/io/proactor/reactor/bench ] \
  || { echo "error: build first: mvn -B -q install -DskipTests" >&2; exit 1; }

cp="proactor-reactor/target/test-classes:proactor-samples/target/classes:proactor-samples/target/lib/*"
jvm=(-Xms256m -Xmx256m -XX:+UseSerialGC)
if "$java_bin" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  jvm+=(--sun-misc-unsafe-memory-access=allow)
fi
tck=$(getconf CLK_TCK)
pids=()
# stop the servers and wait for them, so that a next run finds the ports free
stop_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}
trap stop_servers EXIT

start_server() { # port main-class [args] -> pid
  local port="$1"; shift
  local log="/tmp/echo-cpu-$port.log"
  taskset -c "$server_cpu" "$java_bin" "${jvm[@]}" -cp "$cp" "$@" "$port" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
  grep -q listening "$log" || { echo "error: $* did not start: $(cat "$log")" >&2; exit 1; }
  echo "$pid"
}

client() { # port messages
  taskset -c "$client_cpu" "$java_bin" "${jvm[@]}" -cp "$cp" io.proactor.samples.Main echo-client \
    --port "$1" --connections "$connections" --size "$size" --messages "$2" >/dev/null
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

us_per_round_trip() { # pid port -> microseconds of server CPU per round trip for one client run
  local before after
  before=$(cpu_ticks "$1")
  client "$2" "$messages"
  after=$(cpu_ticks "$1")
  awk -v t=$((after - before)) -v hz="$tck" -v n=$((connections * messages)) 'BEGIN { printf "%.3f", t / hz / n * 1e6 }'
}

a_pid=$(start_server 7311 -Dbench.engine="$engine" io.proactor.reactor.bench.ReactorEchoServer); pids+=("$a_pid")
b_pid=$(start_server 7312 io.proactor.reactor.bench.HandWrittenEchoServer); pids+=("$b_pid")
for _ in 1 2 3; do client 7311 "$messages"; client 7312 "$messages"; done   # warm-up: let the JIT finish both hot paths

echo "machine: $(nproc) cores, Linux $(uname -r), $("$java_bin" -version 2>&1 | head -1)"
echo "load per round: $connections connections x $messages messages x $size bytes; servers on CPU $server_cpu, client on CPU $client_cpu"
a_all=(); b_all=()
for r in $(seq "$rounds"); do
  a=$(us_per_round_trip "$a_pid" 7311); b=$(us_per_round_trip "$b_pid" 7312)
  a_all+=("$a"); b_all+=("$b")
  echo "round $r: $engine $a us, hand-written $b us of server CPU per round trip"
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f", m, v[1] }'; }
read -r a_med a_min <<<"$(stats "${a_all[@]}")"
read -r b_med b_min <<<"$(stats "${b_all[@]}")"
awk -v e="$engine" -v am="$a_med" -v an="$a_min" -v bm="$b_med" -v bn="$b_min" 'BEGIN {
  printf "median: %s %.3f us, hand-written %.3f us; ratio %.3f\n", e, am, bm, am / bm;
  printf "min:    %s %.3f us, hand-written %.3f us; ratio %.3f\n", e, an, bn, an / bn }'
