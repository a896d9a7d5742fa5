// Spec §10.3: PD conservation correction of the aggregate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/run_output.h"

namespace simcheck::model {

// Applies §10.3 to `counters` using the PD counters (their pending_decode_at_end must be set)
// and stores pd_in_transfer in `pd`. A negative pd_in_transfer is a bookkeeping error: it is
// reported in `warnings` and left out of still_running.
void apply_pd_correction(Counters& counters, PdCounters& pd, std::vector<std::string>& warnings);

}  // namespace simcheck::model
