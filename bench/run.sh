#!/usr/bin/env bash
# Measures Envd side by side with nginx (WebDAV) and a raw Kestrel server, on 127.0.0.1 only, and writes the figures
# into bench/RESULTS.md. Must run as root (it installs Debian packages; Envd and nginx run as root as in the VM).
# Arguments are passed to the harness: --quick for a smoke run, --results FILE to write elsewhere.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/out"

missing=()
for tool in nginx wrk iperf3 curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q nginx wrk iperf3 curl
fi

publish() { dotnet publish "$1" -c Release -o "$2" --nologo -v quiet; }
publish "$repo/src/Envd.Web" "$out/envd"
publish "$bench/RawKestrel" "$out/raw-kestrel"
publish "$bench/Harness" "$out/harness"

source="$(git -C "$repo" rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?') @ $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$repo" status --porcelain -- src 2>/dev/null)" ]; then source="$source (with uncommitted changes in src/)"; fi

exec "$out/harness/envd-bench" \
  --envd "$out/envd/envd" \
  --raw-kestrel "$out/raw-kestrel/raw-kestrel" \
  --nginx "$(command -v nginx || echo /usr/sbin/nginx)" \
  --bench-dir "$bench" \
  --results "$bench/RESULTS.md" \
  --source "$source" \
  "$@"
