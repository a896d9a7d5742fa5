// Spec §4.2, §8.3: run one case through the reference model.
#pragma once

#include <cstdint>

#include "model/case.h"
#include "model/config.h"
#include "model/run_output.h"

namespace simcheck::model {

// §12: expand a case into an explicit, arrival-sorted trace (ids assigned, defaults applied).
// Precondition: the case is valid (model::validate_case returned no error).
Trace materialise(const Case& c);

// Runs the trace under the configuration (cluster or standalone driver per config.driver).
// Preconditions: config valid, trace sorted by non-decreasing arrival, ids unique.
RunOutput simulate(const Config& config, int64_t seed, const Trace& trace);

// materialise + simulate.
RunOutput simulate(const Case& c);

}  // namespace simcheck::model
