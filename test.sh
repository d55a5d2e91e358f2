#!/usr/bin/env bash
# Runs every Envd test: the .NET suites, then the official E2B JS SDK against the published daemon (tests/e2e).
# Must run as root (tests create Linux users and act as them).
set -uo pipefail
cd "$(dirname "$0")"
status=0
dotnet test Envd.sln -c Release || status=1
tests/e2e/run.sh || status=1
exit "$status"
