#!/usr/bin/env bash
# Measures Envd's footprint on this machine: start-up (exec to first /health 204, median of N runs), idle RSS a few
# seconds after start-up, and RSS and peak RSS (VmHWM) after a burst of requests. Only 127.0.0.1 is contacted.
#
#   bench/footprint.sh               publish Release to bench/out/envd, then measure
#   ENVD_DIR=DIR bench/footprint.sh  measure an existing publish in DIR (DIR/envd)
#   RUNS=20 IDLE_SECONDS=5 BURST=2000 ENVD_ENV="DOTNET_GCgen0size=0x400000" bench/footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-20}
idle_seconds=${IDLE_SECONDS:-5}
burst=${BURST:-2000}
dir=${ENVD_DIR:-bench/out/envd}
# Extra environment for the daemon, e.g. DOTNET_ knobs to try before they go into the runtimeconfig.
read -r -a extra_env <<<"${ENVD_ENV:-}"

if [[ -z ${ENVD_DIR:-} ]]; then
  dotnet publish src/Envd.Web -c Release -o "$dir" --nologo -v quiet >/dev/null
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

now_ns() { date +%s%N; }

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# User plus system CPU time the process has used so far; a shared, loaded machine stretches wall time, not this.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Starts the daemon; sets $pid, $port, $startup_ms (exec to its first /health 204) and $startup_cpu_ms.
start() {
  port=$(free_port)
  local t0 deadline
  t0=$(now_ns)
  env "${extra_env[@]}" "$dir/envd" -isnotfc -port "$port" >"$work/envd.log" 2>&1 &
  pid=$!
  deadline=$((t0 + 10000000000))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health") == 204 ]]; do
    if ! kill -0 "$pid" 2>/dev/null || (($(now_ns) > deadline)); then
      echo "envd did not answer /health within 10 s:" >&2
      cat "$work/envd.log" >&2
      exit 1
    fi
  done
  startup_ms=$((($(now_ns) - t0) / 1000000))
  startup_cpu_ms=$(cpu_ms "$pid")
}

stop() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

times=()
cpu_times=()
for ((i = 0; i < runs; i++)); do
  start
  times+=("$startup_ms")
  cpu_times+=("$startup_cpu_ms")
  stop
done
median=$(printf '%s\n' "${times[@]}" | median)
cpu_median=$(printf '%s\n' "${cpu_times[@]}" | median)
fastest=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
slowest=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)

start
sleep "$idle_seconds"
idle_rss=$(kib "$pid" VmRSS)
idle_anon=$(kib "$pid" RssAnon)
idle_file=$(kib "$pid" RssFile)
idle_shmem=$(kib "$pid" RssShmem)
idle_hwm=$(kib "$pid" VmHWM)
idle_threads=$(kib "$pid" Threads)

# The burst: REST reads, /init and a Connect RPC, 16 at a time over keep-alive connections; "next" ends a request.
base="http://127.0.0.1:$port"
for ((i = 0; i < burst / 4; i++)); do
  for path in health metrics envs; do
    printf 'url = "%s/%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' "$base" "$path"
  done
done | sed '$d' >"$work/get.curl"
for ((i = 0; i < burst / 8; i++)); do
  printf 'url = "%s/init"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nheader = "Content-Type: application/json"\ndata = "{\\"envVars\\":{\\"N\\":\\"%s\\"}}"\nnext\n' "$base" "$i"
  printf 'url = "%s/filesystem.Filesystem/ListDir"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nheader = "Content-Type: application/json"\ndata = "{\\"path\\":\\"/usr/lib\\",\\"depth\\":1}"\nnext\n' "$base"
done | sed '$d' >"$work/post.curl"
burst_t0=$(now_ns)
curl -s --no-progress-meter --parallel --parallel-max 16 -K "$work/get.curl" >"$work/get.codes"
curl -s --no-progress-meter --parallel --parallel-max 16 -K "$work/post.curl" >"$work/post.codes"
burst_ms=$((($(now_ns) - burst_t0) / 1000000))
failed=$(cat "$work/get.codes" "$work/post.codes" | grep -cvE '^20[04]$' || true)
sent=$(cat "$work/get.codes" "$work/post.codes" | wc -l)
after_rss=$(kib "$pid" VmRSS)
peak_rss=$(kib "$pid" VmHWM)
sleep "$idle_seconds"
settled_rss=$(kib "$pid" VmRSS)
stop

echo "start-up (exec to first /health 204, $runs runs): median ${median} ms, fastest ${fastest} ms, slowest ${slowest} ms; median CPU ${cpu_median} ms"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "idle after ${idle_seconds} s: RSS $(mib "$idle_rss") MiB (anonymous $(mib "$idle_anon"), mapped files $(mib "$idle_file"), shared memory $(mib "$idle_shmem")), peak so far $(mib "$idle_hwm") MiB, ${idle_threads} threads"
echo "burst of $sent requests in ${burst_ms} ms ($failed not 200/204): RSS $(mib "$after_rss") MiB, peak $(mib "$peak_rss") MiB"
echo "idle ${idle_seconds} s after the burst: RSS $(mib "$settled_rss") MiB"
