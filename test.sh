#!/usr/bin/env bash
# Runs every Envd test: the .NET suites, the Connect interop test (connect-node against the built daemon), then the
# official E2B JS SDK against the published daemon (tests/e2e).
# Run it as root, like the daemon: the tests create Linux users and act as them.
set -uo pipefail
cd "$(dirname "$0")"

# The interop and SDK suites need Node.js 20+; a machine without it gets Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

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

tests/e2e/run.sh 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

# One closing line over all suites: "total: N passed, N failed". node's test runner reports "# pass N" (tap) or
# "ℹ pass N" (spec); its cancelled tests count as failed.
passed=$(grep -oE '^(Passed!|Failed!) .*Passed: +[0-9]+|^(#|ℹ) pass [0-9]+' "$log" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}')
failed=$(grep -oE '^(Passed!|Failed!) +- Failed: +[0-9]+|^(#|ℹ) (fail|cancelled) [0-9]+' "$log" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}')
# A suite that failed before its tests could report (a build, npm ci or publish) still counts as a failure.
if ((status != 0 && failed == 0)); then
  failed=1
fi

echo "total: $passed passed, $failed failed"
exit "$status"
