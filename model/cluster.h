// Spec §4.2 (standalone driver), §8 (cluster driver), §9 (PD flow): the drivers' public entry
// points. simulate() (simulate.cpp) runs one of them, then aggregates and projects.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/run_output.h"
#include "model/sim_request.h"

namespace simcheck::model {

// Everything a driver produces before AGGREGATE (§10.2).
struct DriverResult {
  std::vector<InstanceOutput> instances;  // FINALIZEd (§7.10), in index order
  ClusterCounters cluster;
  // PD runs only. pending_decode_at_end and the contention counters are set; pd_in_transfer is
  // left to PD_CORRECT (§10.3).
  std::optional<PdCounters> pd;
  // PD runs only, in creation order: lifecycle fields (§9.1), decode_sub snapshot, outcome
  // (§9.8). `completed` and the branches are left to PROJECT (§10.4).
  std::vector<ParentRecord> parents;
  std::vector<std::string> warnings;
};

// Whether instance `i` is routable at time `t`. v1 has no instance lifecycle, so every instance
// always is (the default); tests inject a predicate to reach the spec's "not routable" paths
// (§8.5 routing rejections, §9.5 drop at start, §9.6 late drop).
using RoutablePredicate = std::function<bool(int instance, int64_t time)>;

struct ClusterHooks {
  RoutablePredicate routable;  // empty = always routable
};

// §8.3 RUN over `trace` (sorted by arrival; SimRequests in `arena`, which must outlive the
// call). Sub-requests are created in `arena`. `seed` feeds the "router" stream (§12.1).
DriverResult run_cluster(const Config& config, int64_t seed, const std::vector<SimRequest*>& trace,
                         RequestArena& arena, const ClusterHooks& hooks = {});

// §4.2 on one instance ("instance_0", no role; requests keep assigned = "").
DriverResult run_standalone(const Config& config, const std::vector<SimRequest*>& trace);

}  // namespace simcheck::model
