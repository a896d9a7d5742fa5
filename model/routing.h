// Spec §8.5 (routing policies, load snapshot), §8.6 (in-flight accounting), §13 A6/A8.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/config.h"

namespace simcheck::model {

// Draws a uniform index in [0, n) from the run's "router" stream (§12.1 U(n)).
using UniformIndexDraw = std::function<int64_t(int64_t n)>;

// Live load of one instance at decision time (§8.5, "immediate" freshness).
struct InstanceLoad {
  int64_t queue_depth = 0;
  int64_t batch_size = 0;
  int64_t in_flight = 0;
  int64_t total() const { return queue_depth + batch_size + in_flight; }
};

// One routing-policy object (§8.5). Round-robin keeps one counter per object; in PD mode the
// cluster shares one object between the pools (⚑ A6) unless Quirks::shared_pd_routing_policy is
// off.
class Router {
 public:
  // `draw` is used only by least-loaded with the `random` tie-break.
  Router(RoutingPolicy policy, LeastLoadedTiebreak tiebreak, UniformIndexDraw draw);

  // Chooses among `candidates` (instance indices in index order, non-empty); `load_of(i)` gives
  // instance i's snapshot.
  int choose(const std::vector<int>& candidates, const std::function<InstanceLoad(int)>& load_of);

  int64_t round_robin_counter() const { return counter_; }

 private:
  RoutingPolicy policy_;
  LeastLoadedTiebreak tiebreak_;
  UniformIndexDraw draw_;
  int64_t counter_ = 0;
};

// §8.6: in_flight[i] rises at every injection and decode promotion into i, and falls by the
// completions, unservable drops and timeouts each processed event of i caused.
class InFlightCounters {
 public:
  explicit InFlightCounters(int num_instances) : counts_(num_instances, 0) {}
  int64_t operator[](int i) const { return counts_[i]; }
  void on_dispatch(int i) { counts_[i] += 1; }
  // Returns false when the counter would have gone negative (clamped to 0; the caller warns).
  bool on_event(int i, int64_t delta);

 private:
  std::vector<int64_t> counts_;
};

}  // namespace simcheck::model
