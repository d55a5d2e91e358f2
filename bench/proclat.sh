#!/usr/bin/env bash
# Scenario 7 alone: 1000 sequential Connect Start of /bin/true per round, p50/p99, for this repo's Envd and for any
# baseline Envd binaries given (e.g. a Release publish of main), builds alternating within each round. 127.0.0.1 only,
# root only (Envd runs as root as in the VM). Prints to stdout; RESULTS.md is left alone.
# usage: bench/proclat.sh [--rounds N] [--quick] [--baseline PATH/TO/envd]...
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/out"

dotnet publish "$repo/src/Envd.Web" -c Release -o "$out/envd" --nologo -v quiet
dotnet publish "$bench/Harness" -c Release -o "$out/harness" --nologo -v quiet
exec "$out/harness/envd-bench" --process-only --envd "$out/envd/envd" --bench-dir "$bench" "$@"
