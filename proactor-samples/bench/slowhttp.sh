#!/usr/bin/env bash
# Slow clients against the file server: slowhttptest's slowloris (headers trickled) and slow-read (the
# response read through a tiny window) modes, while a well-behaved client keeps asking for a file. Shows
# whether the server stays responsive to others, per engine.
#
#   proactor-samples/bench/slowhttp.sh          # writes proactor-samples/bench/slowhttp.md
#
# Settings (environment): ENGINES="io_uring nio2 reactor", SLOW=1000 (slow connections), SECONDS_EACH=30,
# HEADER_TIMEOUT=5s (the server's), OUT=<markdown file>. Installs slowhttptest and curl when missing (root).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
ENGINES=${ENGINES:-"io_uring nio2 reactor"}
SLOW=${SLOW:-1000}
SECONDS_EACH=${SECONDS_EACH:-30}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-5s}
OUT=${OUT:-proactor-samples/bench/slowhttp.md}
PORT=18090

for tool in slowhttptest curl; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool"; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # slow connections hold descriptors on both sides
./proactor --help >/dev/null 2>&1 || true # builds when needed

www=$(mktemp -d)
trap 'rm -rf "$www"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
head -c 1048576 /dev/urandom > "$www/big.bin"   # what the slow readers ask for
echo hello > "$www/hello.txt"                   # what the well-behaved client asks for

# Asks for hello.txt every 100 ms for SECONDS_EACH s; prints "ok failed max_ms p_ms(median)"
probe() {
  local ok=0 failed=0 times=()
  local end=$((SECONDS + SECONDS_EACH))
  while [ $SECONDS -lt $end ]; do
    if t=$(curl -s -o /dev/null -m 5 -w '%{time_total}' "http://127.0.0.1:$PORT/hello.txt"); then
      ok=$((ok + 1)); times+=("$t")
    else
      failed=$((failed + 1))
    fi
    sleep 0.1
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v ok=$ok -v failed=$failed \
    '{a[NR]=$1} END {printf "%d %d %.1f %.1f\n", ok, failed, (NR ? a[NR] * 1000 : 0), (NR ? a[int((NR + 1) / 2)] * 1000 : 0)}'
}

{
  echo "# Slow clients against the file server"
  echo
  echo "Machine: $(uname -r), $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%MZ). Command: \`$0\` (SLOW=$SLOW, SECONDS_EACH=$SECONDS_EACH, HEADER_TIMEOUT=$HEADER_TIMEOUT)."
  echo
  echo "While slowhttptest holds $SLOW slow connections, a well-behaved client (curl) asks for a small file every"
  echo "100 ms. The server: \`./proactor serve\` single-threaded, \`--header-timeout $HEADER_TIMEOUT\`."
  echo
  echo "| engine | attack | probe requests ok | failed | median ms | max ms |"
  echo "|---|---|---|---|---|---|"
} > "$OUT"

for engine in $ENGINES; do
  for mode in slowloris slow-read; do
    ./proactor serve "$www" --port $PORT --engine "$engine" --header-timeout "$HEADER_TIMEOUT" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/hello.txt" && break; sleep 0.2; done
    if [ $mode = slowloris ]; then
      args=(-H -i 2 -r 500 -l $((SECONDS_EACH + 5)))        # a header line every 2 s per connection
    else
      args=(-X -w 10 -y 20 -n 5 -z 32 -r 500 -k 3 -l $((SECONDS_EACH + 5)))   # 10-20 byte window, 32 bytes every 5 s
    fi
    slowhttptest -c "$SLOW" "${args[@]}" -u "http://127.0.0.1:$PORT/big.bin" -p 3 >/dev/null 2>&1 &
    attack=$!
    sleep 3 # let the slow connections build up
    read -r ok failed max median < <(probe)
    kill $attack 2>/dev/null || true; wait $attack 2>/dev/null || true
    kill -TERM $server; wait $server 2>/dev/null || true   # a background job ignores SIGINT
    server=
    echo "| $engine | $mode | $ok | $failed | $median | $max |" >> "$OUT"
    echo "$engine $mode: ok=$ok failed=$failed median=${median}ms max=${max}ms" >&2
  done
done
cat "$OUT"
