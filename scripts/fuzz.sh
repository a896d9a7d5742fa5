#!/usr/bin/env bash
# Fuzzes simcheck's libFuzzer targets (docs/fuzzing.md).
#
#   scripts/fuzz.sh TARGET|all [SECONDS=60]
#
# TARGET is a fuzz/fuzz_<TARGET>.cpp name: case_reader, run_output_reader, blis_metrics_reader,
# blis_trace_reader, simulate_check. Builds the targets with clang (ASan+UBSan+coverage) into
# ${FUZZ_BUILD_DIR:-build-fuzz}, fuzzes each for SECONDS from its seeds corpus/fuzz/<target>/
# (with corpus/fuzz/json.dict for JSON targets) into a scratch directory, merges inputs that add
# coverage back into corpus/fuzz/<target>/ (libFuzzer -merge=1), and prints executions per
# second per target: wall-clock (libFuzzer's stat::average_exec_per_sec) and per CPU second of the
# fuzzer process (the honest figure on a shared, loaded machine). Exit status 1 if any target
# found a crash or a finding.
#
# Environment:
#   SIMCHECK_FUZZ_PROJECTION=pre-931|...  projection era for simulate_check (no merge unless
#                                         current: seeds are replayed under the current era)
#   SIMCHECK_FUZZ_STRICT=1                known exceptions gate too (simulate_check)
#   FUZZ_MERGE=0                          do not merge new inputs into corpus/fuzz/
#   FUZZ_JOBS=N                           build parallelism (default 1)
#   FUZZ_NO_BUILD=1                       use the targets already in the build directory
#   FUZZ_SCRATCH=DIR                      where runs, logs and crash artifacts go (default mktemp)
#   ASAN_OPTIONS / UBSAN_OPTIONS          override the defaults below (malloc_context_size=0)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
want=$1
seconds=${2:-60}

all_targets=()
for src in fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  all_targets+=("${name#fuzz_}")
done
if [ "$want" = all ]; then
  targets=("${all_targets[@]}")
elif [ -f "fuzz/fuzz_$want.cpp" ]; then
  targets=("$want")
else
  echo "fuzz.sh: unknown target '$want' (known: ${all_targets[*]} all)" >&2
  exit 2
fi

build=${FUZZ_BUILD_DIR:-build-fuzz}
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  # clang and the libFuzzer runtime (libclang-rt-14-dev) are installed only when asked for.
  SIMCHECK_FUZZ=1 bash scripts/setup.sh
  cxx=$(command -v clang++ || command -v clang++-14 || true)
  cc=$(command -v clang || command -v clang-14 || true)
  if [ -z "$cxx" ] || [ -z "$cc" ]; then
    echo "fuzz.sh: clang not found after setup" >&2
    exit 2
  fi
  CC=$cc CXX=$cxx cmake -S . -B "$build" -DSIMCHECK_FUZZ=ON -DSIMCHECK_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "${FUZZ_JOBS:-1}" --target "${targets[@]/#/fuzz_}"
fi

scratch=${FUZZ_SCRATCH:-$(mktemp -d "${TMPDIR:-/tmp}/simcheck-fuzz.XXXXXX")}
mkdir -p "$scratch"
projection=${SIMCHECK_FUZZ_PROJECTION:-current}
merge=${FUZZ_MERGE:-1}

declare -A dict_of=(
  [case_reader]=corpus/fuzz/json.dict
  [run_output_reader]=corpus/fuzz/json.dict
  [blis_metrics_reader]=corpus/fuzz/json.dict
  [blis_trace_reader]=corpus/fuzz/blis_trace.dict
)
# simulate_check decodes at most 65 + 64 * 16 bytes (fuzz/decode_case.h); longer inputs only
# slow the fuzzer down.
declare -A max_len_of=([simulate_check]=1089)
# simulate_check's coverage has ~20k features; libFuzzer's entropic scheduler updates their
# frequencies on every run and spent 70% of the CPU there (perf), so it runs without it: measured
# 83 -> 487 executions per CPU second.
declare -A extra_of=([simulate_check]=-entropic=0)

# ASan keeps the allocation and free stack of every heap block for its reports; unwinding and
# storing them (StackDepot::Put, UnwindFast) took 12 % of simulate_check's CPU (perf). Reports
# still carry the stack of the bad access; rerun a crash input with ASAN_OPTIONS= (unset) for
# the allocation stacks (docs/fuzzing.md "Triage"). An ASAN_OPTIONS in the environment wins.
export ASAN_OPTIONS=${ASAN_OPTIONS-malloc_context_size=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS-print_stacktrace=1}

failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  seeds="corpus/fuzz/$t"
  work="$scratch/$t"
  mkdir -p "$work/new" "$work/artifacts" "$seeds"
  common=(-timeout=10 -rss_limit_mb=2048)
  [ -n "${dict_of[$t]:-}" ] && [ -f "${dict_of[$t]}" ] && common+=(-dict="${dict_of[$t]}")
  [ -n "${max_len_of[$t]:-}" ] && common+=(-max_len="${max_len_of[$t]}")
  [ -n "${extra_of[$t]:-}" ] && common+=("${extra_of[$t]}")
  opts=("${common[@]}" -max_total_time="$seconds" -print_final_stats=1
        -artifact_prefix="$work/artifacts/")
  echo "== fuzz_$t: ${seconds}s from $seeds (log: $work/fuzz.log)" >&2
  status=0
  # CPU seconds (user + sys) of the run, so that a loaded machine's rate can be normalised.
  TIMEFORMAT='%U %S'
  { time "$bin" "${opts[@]}" "$work/new" "$seeds" >"$work/fuzz.log" 2>&1 || status=$?; } \
    2>"$work/cpu.txt"
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$work/cpu.txt")

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)
  added=$(sed -n 's/^stat::new_units_added: *//p' "$work/fuzz.log" | tail -1)
  crash=$(ls "$work/artifacts" 2>/dev/null | head -1 || true)
  verdict=ok
  if [ "$status" -ne 0 ] || [ -n "$crash" ]; then
    verdict="FOUND (exit $status)"
    failed=1
    echo "-- fuzz_$t stopped on an input: $work/artifacts/$crash" >&2
    grep -a -m1 -A25 -E 'finding:|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$work/fuzz.log" >&2 || tail -30 "$work/fuzz.log" >&2
    echo "-- reproduce (with allocation stacks): ASAN_OPTIONS= $bin $work/artifacts/$crash" >&2
  fi

  merged=0
  if [ "$merge" = 1 ] && [ "$projection" = current ] && [ -z "$crash" ] && \
     [ -n "$(ls -A "$work/new" 2>/dev/null)" ]; then
    before=$(ls "$seeds" | wc -l)
    "$bin" -merge=1 "${common[@]}" "$seeds" "$work/new" \
      >"$work/merge.log" 2>&1 || echo "-- merge of fuzz_$t failed, see $work/merge.log" >&2
    merged=$(( $(ls "$seeds" | wc -l) - before ))
  fi
  per_cpu=$(awk -v e="${execs:-0}" -v c="$cpu" 'BEGIN { if (c > 0) printf "%d", e / c; else print "?" }')
  summary+=("$(printf '%-20s %5s s %10s execs %8s exec/s %7s cpu-s %8s exec/cpu-s %6s new %6s merged  %s' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$cpu" "$per_cpu" "${added:-?}" "$merged" "$verdict")")
done

echo "== summary (projection $projection; scratch $scratch)"
printf '%s\n' "${summary[@]}"
exit "$failed"
