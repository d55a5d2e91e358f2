#!/usr/bin/env bash
# Runs every Envd test: the .NET suites, then the Connect interop test (connect-node against the built daemon).
# Run it as root, like the daemon: the tests create Linux users and act as them.
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

dotnet test Envd.sln -c Release 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

(
  cd tests/interop &&
    npm ci --no-audit --no-fund &&
    ENVD_DLL="$PWD/../../src/Envd.Web/bin/Release/net10.0/envd.dll" npm test
) 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

# One closing line over all suites: "total: N passed, N failed".
passed=$(grep -oE '^(Passed!|Failed!) .*Passed: +[0-9]+|^# pass [0-9]+' "$log" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}')
failed=$(grep -oE '^(Passed!|Failed!) +- Failed: +[0-9]+|^# fail [0-9]+' "$log" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}')
echo "total: $passed passed, $failed failed"
exit "$status"
