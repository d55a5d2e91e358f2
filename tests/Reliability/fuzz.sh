#!/usr/bin/env bash
# The long fuzz run: every MalformedInputTests property for ENVD_FUZZ_SECONDS each (default 600), from ENVD_FUZZ_SEED
# (default: a fresh random seed, printed first so a failure can be replayed). CI runs the same properties for 4 s each
# from a fixed seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
export ENVD_FUZZ_SECONDS="${ENVD_FUZZ_SECONDS:-600}"
export ENVD_FUZZ_SEED="${ENVD_FUZZ_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
echo "fuzzing for ${ENVD_FUZZ_SECONDS} s per property from seed ${ENVD_FUZZ_SEED}"
exec dotnet test tests/Envd.Web.Tests -c Release --filter "FullyQualifiedName~Reliability.MalformedInputTests" --logger "console;verbosity=normal"
