// Spec §1.3 item 1 (fidelity target): request-by-request comparison of two run outputs of the
// same trace (the reference model's and another simulator's), every metric both sides report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/run_output.h"

namespace simcheck::properties {

struct DiffOptions {
  // A difference of at most this many µs is not a difference (§0: times are integer µs, so the
  // default 0 demands exact agreement).
  int64_t tolerance_us = 0;
};

// One request-level disagreement beyond tolerance.
struct RequestDifference {
  std::string id;
  // "ttft", "e2e", "itl_avg", "sched_delay", "completion_time", "num_prefill_tokens",
  // "num_decode_tokens", "handled_by"
  std::string metric;
  std::optional<std::string> reference;  // the value as text; absent = no entry on that side
  std::optional<std::string> other;
  std::optional<double> abs_diff_us;  // numeric metrics with entries on both sides
};

struct MetricSummary {
  std::string metric;
  int64_t compared = 0;   // keys present on both sides
  int64_t differing = 0;  // beyond tolerance, including presence mismatches
  int64_t only_reference = 0, only_other = 0;
  double max_abs_diff_us = 0;
  std::string max_at;           // id of the largest difference
  double mean_abs_diff_us = 0;  // over the compared keys
};

struct CounterDifference {
  std::string name;
  double reference = 0, other = 0;
};

struct DiffResult {
  // Every request-level difference, in order of the reference's arrival, then id, then metric.
  std::vector<RequestDifference> differences;
  std::vector<MetricSummary> metrics;       // one per compared metric
  std::vector<CounterDifference> counters;  // counters beyond tolerance
  std::vector<std::string> counters_compared;
  std::vector<std::string> not_compared;  // "<what>: <why>", e.g. "sched_delay: not reported"
  int64_t requests_compared = 0;          // ids known to both sides
  int64_t requests_differing = 0;         // ids with at least one difference
  bool any_difference() const { return !differences.empty() || !counters.empty(); }
};

// Compares the aggregate maps (§10.4) and counters of `other` against `reference`. A metric or
// counter is compared only when both sides report it (`missing_fields`, optional fields). Integer
// metrics are compared exactly; the ITL average (a binary64 mean, and a decimal-millisecond round
// trip for BLIS) allows, on top of the tolerance, 2^-50 relative (a few units in the last place).
DiffResult diff_runs(const model::RunOutput& reference, const model::RunOutput& other,
                     const DiffOptions& options);

}  // namespace simcheck::properties
