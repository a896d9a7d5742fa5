#!/usr/bin/env bash
# Builds every test with AddressSanitizer + UndefinedBehaviorSanitizer (SIMCHECK_SANITIZE=ON)
# into ${BUILD_DIR:-build-asan} and runs them with ctest (docs/fuzzing.md "Sanitizer build").
# Any sanitizer report fails the test that triggered it. Extra args go to cmake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${BUILD_DIR:-build-asan}
cmake -S . -B "$build" -DSIMCHECK_SANITIZE=ON -DSIMCHECK_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}"
# UBSan: stop at the first report (the build also passes -fno-sanitize-recover) with a stack.
# ASan: abort (not exit) so that ctest shows the report and the failing test.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_init_order=1:check_initialization_order=1}
ctest --test-dir "$build" --output-on-failure -j "${JOBS:-$(nproc)}"
