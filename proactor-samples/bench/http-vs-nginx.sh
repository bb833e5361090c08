#!/usr/bin/env bash
# The file server against nginx on the same files, measured with wrk on loopback.
#
#   proactor-samples/bench/http-vs-nginx.sh            # writes proactor-samples/bench/http-vs-nginx.md
#
# Settings (environment): DURATION=5 (s per measurement), WARMUP=2 (s before each), SERVER_WARMUP=10 (s of
# 1 KiB requests once after each server starts: a JVM compiles its hot paths in its first seconds),
# CONNECTIONS=16 (for files below the threshold), LARGE_CONNECTIONS=2 (for files at or above it: with more, one
# response outlasts the measurement), THRESHOLD=4m (direct-I/O threshold of both servers),
# ENGINES="io_uring io_uring/zero-copy nio2 reactor" (E/zero-copy: engine E with --copy-threshold 0),
# OUT=<markdown file>, NOTE=<a line put at the top of the results, e.g. how quiet the machine was>.
#
# Servers run on CPU 0 (taskset), wrk (one thread) on CPU 1. nginx runs one worker, access log off, in two
# configurations: "sendfile" (sendfile on) and "directio" (sendfile on + aio + directio THRESHOLD: files at or
# above the threshold read with O_DIRECT asynchronously, smaller ones sendfile). Our server runs single-threaded
# with --directio-threshold THRESHOLD on each engine. The ratio columns compare each of our engines with the
# like-for-like nginx configuration: "sendfile" for files below the threshold, "directio" for files at or above.
# Installs nginx-light and wrk with apt-get when missing (needs root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-2}"
SERVER_WARMUP="${SERVER_WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
LARGE_CONNECTIONS="${LARGE_CONNECTIONS:-2}"
NOTE="${NOTE:-}"
THRESHOLD="${THRESHOLD:-4m}"
ENGINES="${ENGINES:-io_uring io_uring/zero-copy nio2 reactor}"
OUT="${OUT:-$here/http-vs-nginx.md}"
NGINX_PORT=18181
OUR_PORT=18182

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need wrk; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk
fi
for tool in nginx wrk taskset curl; do
  need "$tool" || { echo "error: $tool is missing" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "error: needs 2 CPUs (server on CPU 0, wrk on CPU 1)" >&2
  exit 1
fi

# Files on a real file system (O_DIRECT does not work on tmpfs), readable by nginx's worker user.
work="$repo/proactor-samples/target/http-bench"
www="$work/www"
mkdir -p "$www" "$work/nginx"
chmod a+rx "$work" "$www"
make_file() { # name size-in-KiB
  if [ ! -f "$www/$1" ] || [ "$(stat -c %s "$www/$1")" -ne $(( $2 * 1024 )) ]; then
    head -c $(( $2 * 1024 )) /dev/urandom > "$www/$1"
  fi
  chmod a+r "$www/$1"
}
make_file 1k.bin 1
make_file 64k.bin 64
make_file 1m.bin 1024
make_file 256m.bin $(( 256 * 1024 ))
FILES="1k.bin 64k.bin 1m.bin 256m.bin"
threshold_bytes=$(numfmt --from=iec "${THRESHOLD^^}")

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

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

wait_ready() { # port
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/1k.bin" && return 0
    sleep 0.1
  done
  echo "error: server on port $1 did not answer" >&2
  return 1
}

# wrk's done() hook prints exact totals: requests, bytes, duration in microseconds, errors.
lua="$work/totals.lua"
cat > "$lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("TOTALS %d %d %d %d\n", summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
LUA

declare -A rps mibs errs
measure() { # label port
  local label=$1 port=$2 file out c
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SERVER_WARMUP}s" "http://127.0.0.1:$port/1k.bin" > /dev/null
  for file in $FILES; do
    c=$CONNECTIONS
    [ "$(stat -c %s "$www/$file")" -ge "$threshold_bytes" ] && c=$LARGE_CONNECTIONS
    cat "$www/$file" > /dev/null # zero-copy runs read the page cache: start warm (O_DIRECT runs bypass it)
    taskset -c 1 wrk -t1 -c"$c" -d"${WARMUP}s" --timeout 30s "http://127.0.0.1:$port/$file" > /dev/null
    out=$(taskset -c 1 wrk -t1 -c"$c" -d"${DURATION}s" --timeout 30s -s "$lua" "http://127.0.0.1:$port/$file")
    read -r _ n bytes micros errors < <(grep '^TOTALS' <<< "$out")
    rps[$label,$file]=$(awk -v n="$n" -v us="$micros" 'BEGIN { r = n / (us / 1e6); printf (r < 100 ? "%.1f" : "%.0f"), r }')
    mibs[$label,$file]=$(awk -v b="$bytes" -v us="$micros" 'BEGIN { printf "%.1f", b / (us / 1e6) / 1048576 }')
    errs[$label,$file]=$errors
    printf '%-18s %-9s %10s req/s %10s MiB/s  errors %s\n' "$label" "$file" "${rps[$label,$file]}" \
      "${mibs[$label,$file]}" "$errors" >&2
  done
}

for cfg in sendfile directio; do
  conf_var="conf_$cfg"
  taskset -c 0 nginx -c "${!conf_var}" -p "$work/nginx/$cfg" &
  server_pid=$!
  wait_ready $NGINX_PORT
  measure "nginx-$cfg" $NGINX_PORT
  stop_server
done

(cd "$repo" && ./proactor --help > /dev/null) # builds once, outside the measurements
for engine in $ENGINES; do
  copy=() # ENGINE/zero-copy: small files zero-copy too (--copy-threshold 0), to show what the copy saves
  [[ $engine == */zero-copy ]] && copy=(--copy-threshold 0)
  taskset -c 0 "$repo/proactor" serve "$www" --port $OUR_PORT --engine "${engine%/zero-copy}" --model single \
    --directio-threshold "$THRESHOLD" "${copy[@]}" > "$work/serve-${engine%/zero-copy}.log" 2>&1 &
  server_pid=$!
  wait_ready $OUR_PORT
  measure "$engine" $OUR_PORT
  stop_server
done

jdk_version() { # the JDK ./proactor runs: JAVA_HOME or the first 21+ under /usr/lib/jvm
  local j
  for j in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    if "$j" -version 2>&1 | head -1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      "$j" -version 2>&1 | sed -n 2p
      return
    fi
  done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
file_bytes() { stat -c %s "$www/$1"; }
{
  echo "# File server vs nginx"
  echo
  echo "Produced by \`proactor-samples/bench/http-vs-nginx.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  if [ -n "$NOTE" ]; then echo "**$NOTE**"; echo; fi
  echo "- machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), Linux $(uname -r)"
  echo "- JDK: $(jdk_version)"
  echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), one worker; directio config: \`aio $aio; directio $THRESHOLD;\`"
  echo "- wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), \`taskset -c 1 wrk -t1 -c$CONNECTIONS -d${DURATION}s --timeout 30s\` (\`-c$LARGE_CONNECTIONS\` for files of $THRESHOLD or more) after a ${WARMUP} s warm-up per file and ${SERVER_WARMUP} s of 1 KiB requests per server; servers on CPU 0"
  echo "- our server: \`taskset -c 0 ./proactor serve DIR --engine E --model single --directio-threshold $THRESHOLD\`"
  echo "  (default \`--copy-threshold 16K\`: files up to 16 KiB are read into the response and sent with its head;"
  echo "  an engine named E/zero-copy runs with \`--copy-threshold 0\`, every file below $THRESHOLD zero-copy)"
  echo "- ratio: ours / nginx with the like-for-like config (sendfile below $THRESHOLD, directio at or above);"
  echo "  the reactor engine has no asynchronous file reads, so it sends every file zero-copy"
  echo
  echo "## Requests per second"
  echo
  header="| file | nginx sendfile | nginx directio |"
  line="|---|---:|---:|"
  for engine in $ENGINES; do header="$header $engine | ratio |"; line="$line---:|---:|"; done
  echo "$header"; echo "$line"
  for file in $FILES; do
    ref=nginx-sendfile; [ "$(file_bytes "$file")" -ge "$threshold_bytes" ] && ref=nginx-directio
    row="| $file | ${rps[nginx-sendfile,$file]} | ${rps[nginx-directio,$file]} |"
    for engine in $ENGINES; do row="$row ${rps[$engine,$file]} | $(ratio "${rps[$engine,$file]}" "${rps[$ref,$file]}") |"; done
    echo "$row"
  done
  echo
  echo "## Transfer rate (MiB/s)"
  echo
  echo "$header"; echo "$line"
  for file in $FILES; do
    ref=nginx-sendfile; [ "$(file_bytes "$file")" -ge "$threshold_bytes" ] && ref=nginx-directio
    row="| $file | ${mibs[nginx-sendfile,$file]} | ${mibs[nginx-directio,$file]} |"
    for engine in $ENGINES; do row="$row ${mibs[$engine,$file]} | $(ratio "${mibs[$engine,$file]}" "${mibs[$ref,$file]}") |"; done
    echo "$row"
  done
  echo
  total_errors=0
  for k in "${!errs[@]}"; do total_errors=$(( total_errors + errs[$k] )); done
  echo "wrk errors (connect, read, write, non-2xx, timeouts) over all runs: $total_errors."
} > "$OUT"
echo "results written to $OUT" >&2
