#!/usr/bin/env bash
# Interleaved wrk comparison of file-server builds: for each round, each engine, each build, a fresh server.
#   http-compare.sh DIR FILE ROUNDS NAME=CLASSPATH...      (engines: ENGINES, default "io_uring reactor")
# Each run: `proactor serve DIR --engine E` on CPU 0, wrk -t1 -c50 on CPU 1 for 8 s of warm-up, then 10 s
# measured with --latency; prints one line per run: requests/s, p50, p99, the server's CPU time per request in the
# measured 10 s (utime + stime from /proc, robust on a busy machine where throughput is not) and the young
# collections of the whole run (-Xlog:gc); keeps wrk's output and the GC log in OUT.
set -euo pipefail
dir="$1"; file="$2"; rounds="$3"; shift 3
jdk="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="${OUT:-/tmp/http-compare}"; mkdir -p "$out"
port=18081
echo "| round | engine | build | requests/s | p50 | p99 | server CPU µs/request | young GCs |"
echo "|---:|---|---|---:|---:|---:|---:|---:|"
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq "$rounds"); do
  for engine in ${ENGINES:-io_uring reactor}; do
    for build in "$@"; do
      name="${build%%=*}"; cp="${build#*=}"
      gclog="$out/$round-$engine-$name.gc.log"
      taskset -c 0 "$jdk/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
          "-Xlog:gc:file=$gclog" -cp "$cp" io.proactor.samples.Main serve "$dir" --engine "$engine" --port "$port" \
          > "$out/$round-$engine-$name.server.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/$file" && break
        sleep 0.1
      done
      taskset -c 1 wrk -t1 -c50 -d8s "http://127.0.0.1:$port/$file" > /dev/null
      cpu0=$(cpu "$pid")
      taskset -c 1 wrk -t1 -c50 -d10s --latency "http://127.0.0.1:$port/$file" > "$out/$round-$engine-$name.wrk"
      cpu1=$(cpu "$pid")
      kill "$pid"; wait "$pid" 2>/dev/null || true
      w="$out/$round-$engine-$name.wrk"
      rps=$(sed -nE 's/^Requests\/sec: *([0-9.]+).*/\1/p' "$w")
      p50=$(sed -nE 's/^ *50% +([0-9.]+[a-z]+).*/\1/p' "$w")
      p99=$(sed -nE 's/^ *99% +([0-9.]+[a-z]+).*/\1/p' "$w")
      requests=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$w")
      us=$(awk -v c=$((cpu1 - cpu0)) -v t="$tick" -v r="$requests" 'BEGIN { printf "%.1f", c / t * 1e6 / r }')
      gcs=$(grep -c "Pause Young" "$gclog" || true)
      echo "| $round | $engine | $name | $rps | $p50 | $p99 | $us | $gcs |"
      port=$((port + 1))
    done
  done
done
