// Spec §10.4: the projection of one PD parent recomputed from the parent record and the
// per-instance maps before projection, so that checks never trust the recorded branch labels.
#pragma once

#include <cstdint>
#include <optional>

#include "model/run_output.h"
#include "properties/check_support.h"

namespace simcheck::properties {

// The five values §10.4 reads before erasing any key, and what the projection must produce.
struct ProjectionExpectation {
  bool completed = false;      // completion_time > 0 and decode_instance != ""
  std::optional<int64_t> dd;   // sched_delay[decode_id]
  std::optional<double> de;    // e2e[decode_id]
  std::optional<double> pt;    // ttft[prefill_id]
  std::optional<int64_t> pdl;  // sched_delay[prefill_id]
  std::optional<double> di;    // itl_avg[decode_id]

  model::E2eBranch e2e_branch = model::E2eBranch::none;
  std::optional<double> e2e;  // value stored under the parent id, if any
  model::TtftBranch ttft_branch = model::TtftBranch::none;
  std::optional<double> ttft;
  // trunc(v - pt) added to ttft_sum on T-PRIMARY, evaluated as §10.4 writes it.
  int64_t ttft_sum_delta = 0;
  std::optional<int64_t> sched_delay;
  std::optional<double> itl_avg;
  std::optional<double> completion_time;  // (double)arrival + E
};

// Evaluates §10.4 in binary64 exactly as written (the values the spec defines), from the merged
// per-instance maps (§10.2, before projection).
ProjectionExpectation expected_projection(const model::ParentRecord& parent,
                                          const support::MergedMaps& before);

// True if some instance reports per-request maps (requests_meta is written at every injection,
// so a source with per-instance summaries only leaves them all empty).
bool instance_maps_reported(const model::RunOutput& run);

}  // namespace simcheck::properties
