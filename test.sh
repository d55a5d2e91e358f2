#!/usr/bin/env bash
# Runs every Envd test: the .NET suites, then the Connect interop test (connect-node against the built daemon).
# Must run as root (tests create Linux users and act as them).
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Envd.sln -c Release
(
  cd tests/interop
  npm ci --no-audit --no-fund
  ENVD_DLL="$PWD/../../src/Envd.Web/bin/Release/net10.0/envd.dll" npm test
)
