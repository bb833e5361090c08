#!/usr/bin/env bash
# Bytes allocated per request by the file server under wrk, from a JFR recording of the server.
#   http-alloc.sh CLASSPATH ENGINE DIR FILE [PORT]
# Starts `proactor serve DIR --engine ENGINE` from CLASSPATH on CPU 0 (wrk on CPU 1), warms it up with
# wrk -t1 -c50 for 8 s, then makes two recordings of 10 s of wrk -t1 -c50 each:
#  1. only jdk.ThreadAllocationStatistics: bytes allocated by each server thread (first and last event) and
#     per request. Nothing else is recorded, because JFR's events allocate on the thread that commits them
#     (its string pool): with settings=profile that alone was ~40 B per request on the loop thread.
#  2. settings=profile: where the allocation is, the samples' top frames by weight (jdk.ObjectAllocationSample),
#     JFR's own allocation among them.
set -euo pipefail
cp="$1"; engine="$2"; dir="$3"; file="$4"; port="${5:-18080}"
jdk="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="${OUT:-/tmp/http-alloc}"; mkdir -p "$out"
tag="$engine-$(date +%H%M%S)"
taskset -c 0 "$jdk/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$cp" \
    io.proactor.samples.Main serve "$dir" --engine "$engine" --port "$port" > "$out/$tag.server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/$file" && break
  sleep 0.1
done
taskset -c 1 wrk -t1 -c50 -d8s "http://127.0.0.1:$port/$file" > /dev/null
"$jdk/bin/jfr" configure --input none --output "$out/$tag.counts.jfc" \
    "+jdk.ThreadAllocationStatistics#enabled=true" "+jdk.ThreadAllocationStatistics#period=1 s" > /dev/null
record() { # settings name: 10 s of load under a recording; prints the requests served
  "$jdk/bin/jcmd" $pid JFR.start settings="$1" name="$2" filename="$out/$tag.$2.jfr" > /dev/null
  taskset -c 1 wrk -t1 -c50 -d10s --latency "http://127.0.0.1:$port/$file" > "$out/$tag.$2.wrk"
  "$jdk/bin/jcmd" $pid JFR.stop name="$2" > /dev/null
  sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$out/$tag.$2.wrk"
}
counted=$(record "$out/$tag.counts.jfc" counts)
sampled=$(record profile samples)
"$jdk/bin/jfr" print --json --events jdk.ThreadAllocationStatistics "$out/$tag.counts.jfr" > "$out/$tag.tas.json"
"$jdk/bin/jfr" print --json --stack-depth 8 --events jdk.ObjectAllocationSample "$out/$tag.samples.jfr" \
    > "$out/$tag.oas.json"
python3 - "$out/$tag" "$counted" "$sampled" <<'PY'
import json, sys, collections
base, requests, sampled = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
first, last = {}, {}
for e in json.load(open(base + '.tas.json'))['recording']['events']:
    name = e['values']['thread']['javaName'] or e['values']['thread']['osName']
    first.setdefault(name, e['values']['allocated']); last[name] = e['values']['allocated']
print(f"{requests} requests in the counting recording ({base}.counts.wrk)")
total = 0
for name in sorted(first):
    d = last[name] - first[name]
    if d > 0 and not name.startswith(('JFR', 'Attach', 'RMI', 'C1 ', 'C2 ')):
        total += d
        print(f"  {name}: {d} B")
print(f"server threads: {total} B, {total / requests:.1f} B per request")
weights = collections.Counter()
for e in json.load(open(base + '.oas.json'))['recording']['events']:
    v = e['values']
    frames = v['stackTrace']['frames'] if v.get('stackTrace') else []
    where = ' < '.join(f"{f['method']['type']['name'].split('.')[-1]}.{f['method']['name']}" for f in frames[:4])
    weights[(v['objectClass']['name'], where)] += v['weight']
all_w = sum(weights.values()) or 1
print(f"{sampled} requests in the sampling recording: {all_w} B by weight ({all_w / sampled:.1f} B per request); top:")
for (cls, where), w in weights.most_common(25):
    print(f"  {w / sampled:8.1f} B/req  {cls}  at {where}")
PY
