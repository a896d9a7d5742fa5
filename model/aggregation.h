// Spec §10.2: cluster aggregation of the per-instance metrics.
#pragma once

#include <string>
#include <vector>

#include "model/run_output.h"

namespace simcheck::model {

// Sums counters (index order), takes maxima of sim_ended and peak_kv_used, averages
// cache_hit_rate, merges maps (a duplicate key: the later instance wins and a warning is
// appended) and concatenates all_itls and step_counters in instance order. Statistics are left
// at their defaults (computed after PD_CORRECT and PROJECT).
Aggregate aggregate_instances(const std::vector<InstanceOutput>& instances,
                              std::vector<std::string>& warnings);

// The two halves of aggregate_instances: everything but the maps (no warnings possible), and the
// map merge (in instance order, a duplicate key: the later instance wins, with a warning).
Aggregate aggregate_counters_and_lists(const std::vector<InstanceOutput>& instances);
void merge_instance_maps(const std::vector<InstanceOutput>& instances, MetricMaps& maps,
                         std::vector<std::string>& warnings);

}  // namespace simcheck::model
