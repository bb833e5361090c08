#!/usr/bin/env bash
# The file server before and after a change: wrk -t1 on each file size (FILES, default "1k 64k": 1k, 64k, 1m, ...),
# each connection count (CONNS, default 50), each engine (ENGINES, default "io_uring reactor"), ROUNDS interleaved
# rounds (default 3), each server a fresh JVM. BEFORE and AFTER are the roots of two built checkouts
# (mvn -o -q package -Dmaven.test.skip=true); JAVA a JDK 21+. Needs wrk and curl.
set -u
J="${JAVA:-java}"
BEFORE="${BEFORE:?the root of the built checkout before the change}"
AFTER="${AFTER:?the root of the built checkout after the change}"
FILES="${FILES:-1k 64k}"; CONNS="${CONNS:-50}"; ENGINES="${ENGINES:-io_uring reactor}"; ROUNDS="${ROUNDS:-3}"
ROOT="$(mktemp -d)"; trap 'rm -rf "$ROOT"' EXIT; mkdir -p $ROOT
for f in $FILES; do head -c $(numfmt --from=iec ${f^^}) /dev/urandom > $ROOT/f$f; done
declare -A CP=([before]="$BEFORE/proactor-demo/target/classes:$BEFORE/proactor-demo/target/lib/*" [after]="$AFTER/proactor-demo/target/classes:$AFTER/proactor-demo/target/lib/*")
for round in $(seq 1 $ROUNDS); do
 for engine in $ENGINES; do
  for build in before after; do
   port=$((18000 + RANDOM % 1000))
   taskset -c 0 $J --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xms256m -Xmx256m -cp "${CP[$build]}" io.proactor.samples.Main serve $ROOT --port $port --engine $engine > /tmp/httpba-srv.log 2>&1 &
   pid=$!
   first=f${FILES%% *}
   for i in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:$port/$first && break; sleep 0.1; done
   taskset -c 1 wrk -t1 -c50 -d4s http://127.0.0.1:$port/$first > /dev/null   # JIT warm-up
   for c in $CONNS; do for f in $FILES; do f=f$f
     t0=$(awk '{print $14+$15}' /proc/$pid/stat)
     out=$(taskset -c 1 wrk -t1 -c$c -d5s --latency http://127.0.0.1:$port/$f)
     t1=$(awk '{print $14+$15}' /proc/$pid/stat)
     rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
     p99=$(echo "$out" | awk '/ 99%/{print $2}')
     reqs=$(echo "$out" | awk '/requests in/{print $1}')
     cpu=$(python3 -c "print(f'{($t1-$t0)*10000/$reqs:.2f}')")  # clock ticks (10 ms) -> us per request
     echo "round $round $engine $build c$c $f req/s $rps p99 $p99 cpu_us/req $cpu"
   done; done
   kill $pid; wait $pid 2>/dev/null
  done
 done
done
