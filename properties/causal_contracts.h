// Addendum C Δ9: the causal forms of C-2 (C-2c), C-3, C-4 and INV-PD-6. The catalogue's checks
// of those ids call these when the run's config selects the causal profile.
#pragma once

#include "model/run_output.h"
#include "properties/check_result.h"

namespace simcheck::properties::causal_contracts {

bool is_causal(const model::RunOutput& run);  // run.config present and causal

CheckResult ttft_sum(const model::RunOutput& run);              // C-2c
CheckResult one_entry_per_parent(const model::RunOutput& run);  // C-3
CheckResult projection_branches(const model::RunOutput& run);   // C-4 (Δ7 branches)
CheckResult parent_granularity(const model::RunOutput& run);    // INV-PD-6 (served)

}  // namespace simcheck::properties::causal_contracts
