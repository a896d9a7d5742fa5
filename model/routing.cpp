// Spec §8.5 (round-robin, least-loaded with first/random tie-break), §8.6 (in-flight).
#include "model/routing.h"

#include <utility>

namespace simcheck::model {

Router::Router(RoutingPolicy policy, LeastLoadedTiebreak tiebreak, UniformIndexDraw draw)
    : policy_(policy), tiebreak_(tiebreak), draw_(std::move(draw)) {}

int Router::choose(const std::vector<int>& candidates,
                   const std::function<InstanceLoad(int)>& load_of) {
  const int64_t n = static_cast<int64_t>(candidates.size());
  if (policy_ == RoutingPolicy::round_robin) {
    const int chosen = candidates[static_cast<size_t>(counter_ % n)];
    counter_ += 1;
    return chosen;
  }
  std::vector<int64_t> loads;
  loads.reserve(candidates.size());
  int64_t min_load = 0;
  for (int64_t j = 0; j < n; ++j) {
    loads.push_back(load_of(candidates[j]).total());
    if (j == 0 || loads[j] < min_load) min_load = loads[j];
  }
  std::vector<int> tied;  // candidate order
  for (int64_t j = 0; j < n; ++j) {
    if (loads[j] == min_load) tied.push_back(candidates[j]);
  }
  if (tiebreak_ == LeastLoadedTiebreak::random && tied.size() > 1) {
    return tied[static_cast<size_t>(draw_(static_cast<int64_t>(tied.size())))];
  }
  return tied.front();  // `first`, or a single minimum (no draw)
}

bool InFlightCounters::on_event(int i, int64_t delta) {
  if (delta <= 0) return true;
  counts_[i] -= delta;
  if (counts_[i] < 0) {
    counts_[i] = 0;
    return false;
  }
  return true;
}

}  // namespace simcheck::model
