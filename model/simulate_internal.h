// Spec §4.2, §8.3, §10.2–§10.5: simulate() with the cluster driver's test hooks exposed (the
// routability predicate that stands in for the out-of-scope instance lifecycle).
#pragma once

#include <cstdint>

#include "model/cluster.h"
#include "model/run_output.h"

namespace simcheck::model {

RunOutput simulate_with_hooks(const Config& config, int64_t seed, const Trace& trace,
                              const ClusterHooks& hooks);

}  // namespace simcheck::model
