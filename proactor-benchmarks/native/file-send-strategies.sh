#!/usr/bin/env bash
# Builds and runs file-send-strategies.c (next to this script): the kernel CPU cost of sending a file that is hot
# in the page cache to a loopback TCP socket with pread+send, mmap+send MSG_ZEROCOPY, mmap+send, sendfile and
# splice, each with and without TCP_CORK, for files of 1 KiB, 16 KiB, 64 KiB, 256 KiB, 1 MiB and 4 MiB.
#
#   proactor-benchmarks/native/file-send-strategies.sh [OUTPUT.md]
#
# OUTPUT.md defaults to proactor-benchmarks/results/file-send-strategies-native.md in the repository.
# Environment: QUICK=1 for a short check (50 MiB per measurement, 1 round) instead of the full run (~2 GiB and
# at least 2,000 sends per measurement, 3 rounds); ARGS for further options of the binary (e.g. ARGS="-s 2 -c 3"
# for other CPUs). Needs 2 CPUs (0: sender, 1: receiver by default) and gcc, which it
# installs with apt-get if it is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/proactor-benchmarks/results/file-send-strategies-native.md}
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
cd "$root"
source_file=proactor-benchmarks/native/file-send-strategies.c
binary=proactor-benchmarks/target/file-send-strategies

if ! command -v gcc >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq gcc
fi
mkdir -p "$(dirname "$binary")"
gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$binary" "$source_file"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=()
for spec in 1k:1024 16k:16384 64k:65536 256k:262144 1m:1048576 4m:4194304; do
    name=${spec%%:*}
    bytes=${spec#*:}
    head -c "$bytes" /dev/urandom >"$tmp/$name.bin"
    actual=$(stat -c %s "$tmp/$name.bin")
    if [ "$actual" != "$bytes" ]; then
        echo "file-send-strategies.sh: $tmp/$name.bin has $actual bytes, wanted $bytes" >&2
        exit 1
    fi
    files+=("$tmp/$name.bin")
done
cat "${files[@]}" >/dev/null

args=()
if [ "${QUICK:-0}" = 1 ]; then
    args+=(-q)
fi
# shellcheck disable=SC2206 # ARGS is split into words on purpose
args+=(${ARGS:-})

command_line="${QUICK:+QUICK=$QUICK }${ARGS:+ARGS=\"$ARGS\" }"
command_line+="proactor-benchmarks/native/file-send-strategies.sh${1:+ $1}"
cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "file-send-strategies.sh: running $binary ${args[*]} on ${files[*]} (progress below)" >&2
"$binary" "${args[@]}" "${files[@]}" >"$tmp/table.md"

mkdir -p "$(dirname "$out")"
{
    finished=$(date -u '+%Y-%m-%d %H:%M UTC')
    echo "Command: \`$command_line\` (runs \`$binary ${args[*]} 1k.bin 16k.bin 64k.bin 256k.bin 1m.bin 4m.bin\`);" \
        "started $started, finished $finished; Linux $(uname -r); CPU: $cpu_model ($(nproc) online)."
    echo
    cat "$tmp/table.md"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
echo "file-send-strategies.sh: wrote $out" >&2
