#!/usr/bin/env bash
# Drives a freshly published Envd through the official E2B JS SDK (tests/e2e/test/*.test.mjs). Must run as root.
# Arguments go to node's test runner, e.g. `run.sh test/files.test.mjs` runs one file.
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)

./prepare-machine.sh
npm ci --no-audit --no-fund --loglevel=error

work=$(mktemp -d /tmp/envd-e2e-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
dotnet publish "$repo/src/Envd.Web" -c Release -o "$work/envd" --nologo -v quiet

# Files Envd creates get mode 0666/0777 minus this umask; the tests expect the usual 0644/0755.
umask 022
export ENVD_BIN="$work/envd/envd" E2E_LOG_DIR="$work/logs"
# No single test may hang CI: each gets two minutes at most.
if ! node --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec "$@"; then
  for log in "$E2E_LOG_DIR"/*.log; do
    echo "----- $log (last 60 lines)"
    tail -n 60 "$log"
  done
  exit 1
fi
