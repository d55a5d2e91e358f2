#!/usr/bin/env bash
# Two Envd builds under the same load, alternating within each round, so a change is judged against its baseline in
# the same minutes of a noisy machine. Each run starts a fresh daemon, warms it up with the same load, then measures:
# requests/s, the daemon's CPU-s per GiB moved and its peak RSS (VmHWM). 127.0.0.1 only; every load is bounded in time.
#
#   bench/ab.sh [--rounds N] [--load upload|download|big-upload] A/envd B/envd
#
# A and B are published daemons, e.g. `dotnet publish src/Envd.Web -c Release -o /tmp/a` on each side of a change.
# Loads: upload = 64 connections of 1 MiB multipart uploads for 10 s (scenario 1); download = 64 connections of 1 MiB
# downloads for 10 s (scenario 3); big-upload = 8 concurrent 256 MiB multipart uploads (scenario 2). Prints to stdout.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"

rounds=3
load=upload
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    *) break ;;
  esac
done
if (($# != 2)); then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
case "$load" in upload|download|big-upload) ;; *) echo "unknown load: $load" >&2; exit 2 ;; esac
builds=("$1" "$2")
for build in "${builds[@]}"; do
  [ -x "$build" ] || { echo "not an executable: $build" >&2; exit 2; }
done

for tool in wrk curl; do
  if ! command -v "$tool" >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q wrk curl
    break
  fi
done

work="$(mktemp -d /tmp/envd-ab-XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
export BENCH_WRK_DIR="$bench/wrk"

# Inputs shared by both builds: 64 files of 1 MiB to download, one 256 MiB file to upload.
mkdir -p "$work/dl"
for i in $(seq 0 63); do head -c 1048576 /dev/urandom >"$work/dl/f$i.bin"; done
[ "$load" = big-upload ] && head -c $((256 << 20)) /dev/urandom >"$work/big.bin"

# Runs the load once against the daemon on $port; prints "REQUESTS BYTES".
run_load() {
  local seconds="$1" dir="$2"
  case "$load" in
    upload)
      wrk -t1 -c64 -d"${seconds}s" --timeout 30s -s "$bench/wrk/upload.lua" "http://127.0.0.1:$port" -- post "$dir/f" 64 1048576 |
        awk '/requests in/ { print $1, $1 * 1048576 }' ;;
    download)
      wrk -t1 -c64 -d"${seconds}s" --timeout 30s -s "$bench/wrk/download.lua" "http://127.0.0.1:$port" -- "/files?path=$work/dl/f" 64 |
        awk '/requests in/ { print $1, $1 * 1048576 }' ;;
    big-upload)
      local pids=()
      for i in $(seq 1 8); do
        curl -sS -o /dev/null --max-time 300 -H Expect: -F "file=@$work/big.bin" "http://127.0.0.1:$port/files?path=$dir/b$i.bin" &
        pids+=($!)
      done
      wait "${pids[@]}"
      echo 8 $((8 * (256 << 20))) ;;
  esac
}

echo "load: $load, $rounds rounds, builds alternating; A = ${builds[0]}, B = ${builds[1]}"
for ((round = 1; round <= rounds; round++)); do
  for side in 0 1; do
    name=$([ "$side" = 0 ] && echo A || echo B)
    port=$(free_port)
    # Each run starts from the same disk state: nothing left by the previous run, its writes flushed.
    data="$work/data-$name"
    rm -rf "$work"/data-* && mkdir -p "$data" && sync
    "${builds[$side]}" -isnotfc -port "$port" >"$work/envd-$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
    # The same warm-up for both: uploads then downloads, so the JIT has seen both paths.
    saved_load="$load"
    load=upload; run_load 3 "$data" >/dev/null
    load=download; run_load 3 "$data" >/dev/null
    load="$saved_load"
    sync
    echo 5 >"/proc/$pid/clear_refs"
    c0=$(cpu_ticks "$pid")
    t0=$(date +%s%N)
    read -r requests bytes < <(run_load 10 "$data")
    t1=$(date +%s%N)
    c1=$(cpu_ticks "$pid")
    peak=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
    awk -v r="$round" -v n="$name" -v q="$requests" -v b="$bytes" -v ns=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$hz" -v k="$peak" 'BEGIN {
      printf "round %d %s: %.1f requests/s, %.0f MiB/s, %.2f CPU-s/GiB, peak RSS %.0f MiB\n",
        r, n, q / (ns / 1e9), b / 1048576 / (ns / 1e9), (c / hz) / (b / 1073741824), k / 1024 }'
  done
done
