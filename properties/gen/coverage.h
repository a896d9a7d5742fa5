// Spec §7.2 (enqueue guards), §7.4 (preemption), §7.6 (length cap), §7.8 (timeouts), §8.3
// (horizon), §9.5 (drop at transfer start, contention), §9.8 (outcomes), §10.4 (projection
// branches): which behaviours a campaign exercised, and the gate that fails a vacuous campaign.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/run_output.h"

namespace simcheck::gen {

enum class CoverageItem {
  // §10.4 projection branches of completed PD parents.
  t_primary,
  t_fallback,
  e_primary,
  e_preempted,
  e_fallback,
  t_none,      // completed parent without a prefill TTFT (unreachable in v1)
  t_negative,  // unreachable in v1
  e_negative,  // unreachable in v1
  late_drop,   // §9.6 late drop (unreachable in v1: every instance stays routable)
  // §7.2 enqueue guards, classified at each processed QUEUED event.
  drop_mml_input,          // guard 3: L >= MML
  drop_mml_budget,         // guard 3: L + max_output_len > MML
  drop_kv_capacity,        // guard 4: ceil_div(L, B) > T
  drop_negative_budget,    // guard 2 (unreachable: validation forbids max_output_len < 0)
  drop_at_transfer_start,  // §9.5 reservation failure on the decode pod
  drop_at_start_t0,        // the same at t = 0: parent "not completed" (A13)
  // §7.2 guard 6 and §7.8 timeouts.
  timeout_at_enqueue,  // deadline already passed at the QUEUED event
  timeout_queued,      // TIMEOUT removed the request from a wait queue
  timeout_running,     // TIMEOUT removed the request from a batch
  timeout_decode,      // a PD decode sub-request timed out (§9.7)
  stale_deadline,      // decode timeout before its enqueue (§9.7, A4)
  // Engine.
  preemption,                // preemption_count > 0
  length_cap,                // length_capped_count > 0 (§7.6)
  prefix_hit,                // cache_hits > 0 on some instance
  zero_new_token_admission,  // §7.4 A7, seen when it is alone in its step (see coverage.cpp)
  kv_allocation_failure,     // final-token allocation failed (§7.6)
  // §9.5 transfer contention: divisor of successful transfer starts.
  contention_1,
  contention_2,
  contention_3_plus,
  // Horizon cuts.
  horizon_pipeline_pending,  // requests still in admission/routing/ARRIVAL (A12)
  horizon_in_transfer,       // pd_in_transfer > 0 (§10.3)
  horizon_work_left,         // still_queued + still_running > 0
  // Drivers and deciders.
  standalone_driver,
  pd_decider_never,  // PD pools, decider never: requests served whole on decode pods
  kCount,
};

inline constexpr size_t kCoverageItemCount = static_cast<size_t>(CoverageItem::kCount);

enum class Requirement {
  required,          // the gate fails if no case hit it
  required_current,  // required when the projection era is `current` (§10.4 branches)
  informational,     // shown, never gating (rare or only partially observable)
  unreachable,       // the spec says v1 cannot reach it; a hit is shown, never gating
};

struct CoverageItemInfo {
  CoverageItem item;
  const char* name;  // stable identifier used in reports ("T-PRIMARY", "drop.mml_input", ...)
  Requirement requirement;
  const char* meaning;  // one line for the table
};

// Every item in enum order.
const std::array<CoverageItemInfo, kCoverageItemCount>& coverage_items();
const CoverageItemInfo& info(CoverageItem item);

// Which items one run hit. Needs the reference model's full output (config, trace, parents,
// event log); items whose inputs are absent are simply not hit.
using CoverageHits = std::array<bool, kCoverageItemCount>;
CoverageHits coverage_of(const model::RunOutput& out);

// Number of cases that hit each item.
struct CoverageTable {
  int64_t cases = 0;
  std::array<int64_t, kCoverageItemCount> hits{};
  void add(const CoverageHits& h);
  void merge(const CoverageTable& other);
  int64_t count(CoverageItem item) const { return hits[static_cast<size_t>(item)]; }
};

// `faithful_cases`: false for an all-causal campaign, whose parents take Addendum C's Δ7
// branches, so the §10.4 branch items cannot be hit.
bool is_required(CoverageItem item, model::ProjectionEra era, bool faithful_cases = true);

// Required items that no case hit (the gate fails iff this is non-empty).
std::vector<CoverageItem> coverage_gaps(const CoverageTable& table, model::ProjectionEra era,
                                        bool faithful_cases = true);

// A fixed-width text table, one line per item: name, requirement, cases hitting it, share.
std::string format_coverage_table(const CoverageTable& table, model::ProjectionEra era,
                                  bool faithful_cases = true);

}  // namespace simcheck::gen
