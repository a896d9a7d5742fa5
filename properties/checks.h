// Every check of the invariant catalogue (spec §11 plus simcheck's physical laws and statistics
// checks; docs/invariants.md states each one). Each is a pure function of one run output.
#pragma once

#include "model/run_output.h"
#include "properties/check_result.h"

namespace simcheck::properties {

using model::RunOutput;

// check_conservation.cpp
CheckResult check_conservation(const RunOutput& run);    // INV-1
CheckResult check_parent_buckets(const RunOutput& run);  // INV-1-PD
// check_lifecycle.cpp
CheckResult check_lifecycle(const RunOutput& run);  // INV-2
// check_clock.cpp
CheckResult check_clock(const RunOutput& run);     // INV-3
CheckResult check_end_time(const RunOutput& run);  // LAW-END-TIME
// check_kv_blocks.cpp
CheckResult check_kv_blocks(const RunOutput& run);  // INV-4
// check_causality.cpp
CheckResult check_causality(const RunOutput& run);  // INV-5
// check_work_conservation.cpp
CheckResult check_work_conservation(const RunOutput& run);  // INV-8
// check_pd_phases.cpp
CheckResult check_pd_kv_completeness(const RunOutput& run);       // INV-PD-1
CheckResult check_pd_phase_causality(const RunOutput& run);       // INV-PD-4
CheckResult check_pd_post_decode_overhead(const RunOutput& run);  // INV-PD-6b
// check_pd_pools.cpp
CheckResult check_pd_pool_exclusivity(const RunOutput& run);  // INV-PD-2
CheckResult check_pd_pool_stability(const RunOutput& run);    // INV-PD-5
// check_pd_transfers.cpp
CheckResult check_pd_transfer_conservation(const RunOutput& run);  // INV-PD-3
CheckResult check_pd_fair_share(const RunOutput& run);             // INV-P2-2
// check_pd_granularity.cpp
CheckResult check_pd_parent_granularity(const RunOutput& run);  // INV-PD-6
// check_contracts.cpp
CheckResult check_ttft_le_e2e(const RunOutput& run);           // C-1
CheckResult check_ttft_sum(const RunOutput& run);              // C-2
CheckResult check_one_entry_per_parent(const RunOutput& run);  // C-3
// check_projection.cpp
CheckResult check_projection_branches(const RunOutput& run);  // C-4
// check_nonpd_identity.cpp
CheckResult check_nonpd_e2e_identity(const RunOutput& run);  // C-5
// check_laws.cpp
CheckResult check_law_first_token(const RunOutput& run);        // LAW-FIRST-TOKEN
CheckResult check_law_e2e_covers_tokens(const RunOutput& run);  // LAW-E2E-COVERS-TOKENS
CheckResult check_token_counts(const RunOutput& run);           // LAW-TOKEN-COUNTS
CheckResult check_timeline_kv_ready(const RunOutput& run);          // LAW-TL-KV-READY
CheckResult check_timeline_token_after_step(const RunOutput& run);  // LAW-TL-TOKEN-AFTER-STEP
// Addendum C §C4 strict laws: check_causal_steps.cpp, check_causal_phases.cpp,
// check_causal_tokens.cpp
CheckResult check_law_c4_clock(const RunOutput& run);                // LAW-C4-L1-CLOCK
CheckResult check_law_c4_step_exclusive(const RunOutput& run);       // LAW-C4-L2-STEP-EXCLUSIVE
CheckResult check_law_c4_kv_ready(const RunOutput& run);             // LAW-C4-L3-KV-READY
CheckResult check_law_c4_phase_order(const RunOutput& run);          // LAW-C4-L4-PHASE-ORDER
CheckResult check_law_c4_pd_first_token(const RunOutput& run);       // LAW-C4-L5-PD-FIRST-TOKEN
CheckResult check_law_c4_tokens(const RunOutput& run);               // LAW-C4-L6-TOKENS
CheckResult check_law_c4_latency_order(const RunOutput& run);        // LAW-C4-L7-LATENCY-ORDER
CheckResult check_law_c4_no_phantom_token(const RunOutput& run);     // LAW-C4-L8-NO-PHANTOM-TOKEN
CheckResult check_law_c4_deadline(const RunOutput& run);             // LAW-C4-L9-DEADLINE
CheckResult check_law_c4_no_early_completion(const RunOutput& run);  // LAW-C4-L10-...
CheckResult check_law_c4_horizon(const RunOutput& run);              // LAW-C4-L11-HORIZON
// check_statistics.cpp
CheckResult check_stat_means(const RunOutput& run);        // STAT-MEANS
CheckResult check_stat_percentiles(const RunOutput& run);  // STAT-PERCENTILES
CheckResult check_stat_rates(const RunOutput& run);        // STAT-RATES
CheckResult check_stat_injected(const RunOutput& run);     // STAT-INJECTED
// check_requests.cpp
CheckResult check_req_nonneg(const RunOutput& run);         // REQ-NONNEG
CheckResult check_req_sched_le_ttft(const RunOutput& run);  // REQ-SCHED-LE-TTFT
CheckResult check_req_one_record(const RunOutput& run);     // REQ-ONE-RECORD
// check_aggregation.cpp
CheckResult check_agg_sum_of_instances(const RunOutput& run);  // AGG-SUM-OF-INSTANCES

}  // namespace simcheck::properties
