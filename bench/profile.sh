#!/usr/bin/env bash
# Profiles Envd under one load of the benchmark, on 127.0.0.1 only, and leaves the evidence in bench/out/profile-LOAD/:
# perf CPU samples (kernel + JIT frames via perf maps), dotnet-counters (GC, allocation rate, thread pool), a
# dotnet-trace sampled-thread report and an allocation report (types and call sites) from a gc-verbose trace. LOAD is upload (64 × 1 MiB multipart, the default), download (64 × 1 MiB) or
# big-upload (8 × 256 MiB). Every step is bounded in time; Envd is stopped at the end.
set -euo pipefail
load="${1:-upload}"
case "$load" in upload|download|big-upload) ;; *) echo "usage: $0 [upload|download|big-upload]" >&2; exit 2 ;; esac
bench="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/out"
result="$out/profile-$load"
tools="$out/tools"

missing=()
for tool in wrk curl perf; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q wrk curl linux-perf
fi
for tool in dotnet-counters dotnet-trace; do
  [ -x "$tools/$tool" ] || dotnet tool install --tool-path "$tools" "$tool" --version 10.0.750501 >/dev/null
done
dotnet publish "$repo/src/Envd.Web" -c Release -o "$out/envd" --nologo -v quiet
dotnet publish "$bench/AllocationReport" -c Release -o "$out/allocation-report" --nologo -v quiet

rm -rf "$result" && mkdir -p "$result"
work="$(mktemp -d /tmp/envd-profile-XXXXXX)"
envd_pid=""
cleanup() {
  if [ -n "$envd_pid" ] && kill -0 "$envd_pid" 2>/dev/null; then
    kill "$envd_pid"
    for _ in $(seq 50); do kill -0 "$envd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$envd_pid" 2>/dev/null || true
  fi
  # The perf map goes with perf.data: copy it back to /tmp/perf-PID.map to read perf.data's JIT frames later.
  [ -f "/tmp/perf-$envd_pid.map" ] && mv "/tmp/perf-$envd_pid.map" "$result/"
  rm -rf "$work" "/tmp/perfinfo-$envd_pid.map"
}
trap cleanup EXIT

port=""
for candidate in $(seq 41000 41100); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port="$candidate"; break; fi
done
[ -n "$port" ] || { echo "no free port in 41000-41100" >&2; exit 1; }

mkdir -p "$work/dl" "$work/up"
for i in $(seq 0 63); do head -c 1048576 /dev/urandom > "$work/dl/f$i.bin"; done
[ "$load" = big-upload ] && head -c $((256 * 1048576)) /dev/urandom > "$work/big.bin"

# W^X off: with it, JIT code runs from a memfd double mapping that perf cannot match to the perf map.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$out/envd/envd" -isnotfc -port "$port" > "$result/envd.log" 2>&1 &
envd_pid=$!
for _ in $(seq 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 204 ] && break
  sleep 0.1
done

# Runs the chosen load for $1 seconds against Envd.
run_load() {
  local seconds="$1"
  case "$load" in
    upload)
      BENCH_WRK_DIR="$bench/wrk" timeout $((seconds + 60)) wrk -t1 -c64 -d"${seconds}s" --timeout 30s -s "$bench/wrk/upload.lua" \
        "http://127.0.0.1:$port" -- post "$work/up/f" 256 1048576 ;;
    download)
      BENCH_WRK_DIR="$bench/wrk" timeout $((seconds + 60)) wrk -t1 -c64 -d"${seconds}s" --timeout 30s -s "$bench/wrk/download.lua" \
        "http://127.0.0.1:$port" -- "/files?path=$work/dl/f" 64 ;;
    big-upload)
      local end=$((SECONDS + seconds))
      for round in $(seq 20); do
        [ "$SECONDS" -lt "$end" ] || break
        local curls=()
        for i in $(seq 0 7); do
          curl -sS -o /dev/null -H 'Expect:' --max-time 120 -w '%{http_code} %{time_total}\n' \
            -F "file=@$work/big.bin;type=application/octet-stream" "http://127.0.0.1:$port/files?path=$work/up/b$i.bin" &
          curls+=($!)
        done
        # Only the curls: a bare wait would also wait for Envd itself.
        wait "${curls[@]}"
      done ;;
  esac
}

echo "warming up"
run_load 3 > /dev/null
echo "perf + counters under load"
run_load 15 > "$result/load-perf.txt" &
load_pid=$!
sleep 2
timeout 30 "$tools/dotnet-counters" collect -p "$envd_pid" --duration 00:00:00:10 --format csv -o "$result/counters.csv" \
  --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel > /dev/null &
counters_pid=$!
timeout 30 perf record -F 499 -g -p "$envd_pid" -o "$result/perf.data" -- sleep 10 2> /dev/null
wait "$counters_pid" || true
wait "$load_pid"
echo "dotnet-trace under load"
run_load 12 > "$result/load-trace.txt" &
load_pid=$!
sleep 1
timeout 60 "$tools/dotnet-trace" collect -p "$envd_pid" --profile dotnet-sampled-thread-time --duration 00:00:00:08 \
  -o "$result/trace.nettrace" > /dev/null
wait "$load_pid"
echo "allocation sampling under load"
run_load 12 > "$result/load-alloc.txt" &
load_pid=$!
sleep 1
timeout 60 "$tools/dotnet-trace" collect -p "$envd_pid" --profile gc-verbose --duration 00:00:00:08 \
  -o "$result/alloc.nettrace" > /dev/null
wait "$load_pid"

# The report only reads what was collected: a short pipe (head) must not end it.
set +e +o pipefail
{
  echo "# Envd under '$load' load, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$repo" rev-parse --abbrev-ref HEAD) @ $(git -C "$repo" rev-parse --short HEAD)"
  echo; echo "## load during perf"; cat "$result/load-perf.txt"
  echo; echo "## perf: self time by DSO"
  perf report -i "$result/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -15
  echo; echo "## perf: self time by symbol (top 40)"
  perf report -i "$result/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep '%' | head -40
  echo; echo "## perf: inclusive time by symbol (top 60)"
  perf report -i "$result/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -60
  echo; echo "## perf: who calls the three hottest kernel symbols"
  for sym in $(perf report -i "$result/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
      | awk '$2 == "[k]" { print $3 }' | head -3); do
    echo "### $sym"
    perf report -i "$result/perf.data" --no-children --stdio -S "$sym" -G 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
  done
  echo; echo "## dotnet-counters: mean over 10 s"
  awk -F, 'NR > 1 { key = $2 "/" $3 " " $4; sum[key] += $NF; n[key]++ } END { for (k in sum) printf "%-110s %16.1f\n", k, sum[k] / n[k] }' \
    "$result/counters.csv" | sort
  echo; echo "## dotnet-trace: sampled thread time, exclusive (top 25)"
  "$tools/dotnet-trace" report "$result/trace.nettrace" topN -n 25 2>&1 || true
  echo; echo "## dotnet-trace: sampled thread time, inclusive (top 40)"
  "$tools/dotnet-trace" report "$result/trace.nettrace" topN -n 40 --inclusive 2>&1 || true
  echo; echo "## allocations (gc-verbose AllocationTick samples), load during the capture:"
  grep BENCH "$result/load-alloc.txt"
  "$out/allocation-report/allocation-report" "$result/alloc.nettrace" 25 2>&1 || true
} > "$result/summary.txt"
echo "wrote $result/summary.txt"
