#!/usr/bin/env bash
# Runs every Envd test. Run it as root, like the daemon: the tests create Linux users and act as them.
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test Envd.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line over all suites: "total: N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
echo "total: $passed passed, $failed failed"
exit "$status"
