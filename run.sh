#!/usr/bin/env bash
# Builds and starts the daemon on port 49983, outside a VM (-isnotfc). Extra arguments are passed to envd.
set -euo pipefail
cd "$(dirname "$0")"
dotnet publish src/Envd.Web -c Release -o out --nologo -v quiet
exec ./out/envd -isnotfc "$@"
