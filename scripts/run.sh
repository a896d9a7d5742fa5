#!/usr/bin/env bash
# The main job: installs dependencies if missing, builds, runs the default property campaign.
# Extra arguments go to `simcheck run` (e.g. --cases 1000000 --jobs 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build} bash scripts/build.sh
exec "${BUILD_DIR:-build}/simcheck" run "$@"
