#!/usr/bin/env bash
# Runs every Envd test: the .NET suites, then the official E2B JS SDK against the published daemon (tests/e2e).
# Run it as root, like the daemon: the tests create Linux users and act as them.
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
e2e_log=$(mktemp)
trap 'rm -f "$log" "$e2e_log"' EXIT

dotnet test Envd.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

tests/e2e/run.sh 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}

# One closing line over all suites: "total: N passed, N failed".
sum() { awk '{s += $NF} END {print s + 0}'; }
passed=$(($(grep -oE 'Passed: +[0-9]+' "$log" | sum) + $(grep -oE '^ℹ pass [0-9]+' "$e2e_log" | sum)))
failed=$(($(grep -oE 'Failed: +[0-9]+' "$log" | sum) + $(grep -oE '^ℹ (fail|cancelled) [0-9]+' "$e2e_log" | sum)))
if ((e2e_status != 0 && $(grep -oE '^ℹ (fail|cancelled) [0-9]+' "$e2e_log" | sum) == 0)); then
  # The e2e run stopped before its tests could report (setup, npm ci or publish failed).
  failed=$((failed + 1))
fi

echo "total: $passed passed, $failed failed"
((status == 0 && e2e_status == 0))
