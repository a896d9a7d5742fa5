// Spec §10.2 (map merge) and §10.4 (re-keying by PROJECT) in one linear pass: the aggregate's
// §10.1 maps built once, in key order, from the instances' sorted maps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/projection.h"
#include "model/run_output.h"

namespace simcheck::model {

// What merge-then-project (aggregate_instances' maps, then project_pd_metrics) gives, computed
// without building the intermediate maps. It applies only when the result cannot depend on the
// order of those steps: no key in two instances' maps (no duplicate warning), distinct parent
// ids, no parent id ending in "_prefill" or "_decode" (so no parent id is another parent's
// sub-request id), and no parent id among the instances' keys that survive the projection.
// Valid cases always satisfy this (§3.1 unique ids; case validation rejects colliding names).
//
// On success: `maps` (empty on entry) holds the projected aggregate maps, each parent has its
// `completed` flag and branches, `ttft_sum` is adjusted, and the projection's warnings (in parent
// order) are appended to `projection_warnings`. Returns false, changing nothing, when a
// precondition fails; the caller then runs the two steps one after the other. `parents` may be
// empty (no PD: the maps are merged only).
bool build_projected_maps(const std::vector<InstanceOutput>& instances,
                          std::vector<ParentRecord>& parents, const ProjectionRules& rules,
                          MetricMaps& maps, int64_t& ttft_sum,
                          std::vector<std::string>& projection_warnings);

}  // namespace simcheck::model
