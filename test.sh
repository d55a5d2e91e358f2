#!/usr/bin/env bash
# Runs every Envd test: the .NET suites. Must run as root (tests create Linux users and act as them).
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Envd.sln -c Release
