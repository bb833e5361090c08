#!/usr/bin/env bash
# Server CPU time per echo round trip: the `reactor` engine (SINGLE model) against a hand-written
# single-thread Selector echo server (HandWrittenEchoServer), each in its own JVM pinned to one core, both
# loaded by the same echo client (what `./proactor echo-client` runs) pinned to another core.
#
#   mvn -B -q install -DskipTests            # once, from the repository root (builds samples/target/lib)
#   proactor-reactor/bench/echo-cpu.sh [MESSAGES_PER_CONNECTION] [ENGINE]
#
# CPU time is utime+stime of the server process from /proc/<pid>/stat (all its threads, GC and JIT included),
# read before and after the measured client run, after a warm-up run. Prints one line per server and the ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
messages="${1:-20000}"
engine="${2:-reactor}"
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

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

client() { # port messages
  taskset -c "$client_cpu" "$java_bin" "${jvm[@]}" -cp "$cp" io.proactor.samples.Main echo-client \
    --port "$1" --connections "$connections" --size "$size" --messages "$2"
}

measure() { # label main-class port [args]
  local label="$1" main="$2" port="$3"; shift 3
  local log; log="$(mktemp)"
  taskset -c "$server_cpu" "$java_bin" "${jvm[@]}" -cp "$cp" "$main" "$port" "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
  grep -q listening "$log" || { echo "error: $label did not start: $(cat "$log")" >&2; kill "$pid"; exit 1; }
  client "$port" $((messages / 4)) >/dev/null           # warm-up: JIT-compile the server's hot path
  local before after wall_start wall_end
  before=$(cpu_ticks "$pid"); wall_start=$(date +%s.%N)
  local said; said=$(client "$port" "$messages")
  after=$(cpu_ticks "$pid"); wall_end=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -f "$log"
  awk -v l="$label" -v t=$((after - before)) -v hz="$tck" -v n=$((connections * messages)) \
      -v w="$(echo "$wall_end - $wall_start" | bc)" \
      'BEGIN { printf "%-22s %8.3f s server CPU  %9d round trips  %7.3f us CPU per round trip  (%.1f s wall)\n", l, t / hz, n, t / hz / n * 1e6, w }'
  echo "    client: $said"
}

echo "machine: $(nproc) cores, Linux $(uname -r), $("$java_bin" -version 2>&1 | head -1)"
echo "load: $connections connections x $messages messages x $size bytes; server on CPU $server_cpu, client on CPU $client_cpu"
# A B B A: the machine's background load drifts; measuring in this order spreads the drift over both servers.
us() { echo "$1" | grep -oE '[0-9.]+ us CPU' | cut -d' ' -f1; }
a1=$(measure "$engine engine (single)" io.proactor.reactor.bench.ReactorEchoServer 7311 "$engine"); echo "$a1"
b1=$(measure "hand-written Selector" io.proactor.reactor.bench.HandWrittenEchoServer 7312); echo "$b1"
b2=$(measure "hand-written Selector" io.proactor.reactor.bench.HandWrittenEchoServer 7313); echo "$b2"
a2=$(measure "$engine engine (single)" io.proactor.reactor.bench.ReactorEchoServer 7314 "$engine"); echo "$a2"
awk -v a1="$(us "$a1")" -v a2="$(us "$a2")" -v b1="$(us "$b1")" -v b2="$(us "$b2")" -v e="$engine" \
  'BEGIN { a = (a1 + a2) / 2; b = (b1 + b2) / 2;
           printf "mean us CPU per round trip: %s %.3f, hand-written %.3f; ratio %s / hand-written: %.3f\n", e, a, b, e, a / b }'
