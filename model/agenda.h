// Spec §8.3: the cluster loop's scan "earliest next instance event, ties to the lowest index", kept
// incrementally. A tournament tree over the instances: O(log N) per update, the answer at the root,
// no allocation after construction (a node-based set costs a heap node per update).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace simcheck::model {

class Agenda {
 public:
  explicit Agenda(int instances) {
    while (leaves_ < instances) leaves_ *= 2;
    nodes_.assign(static_cast<size_t>(2 * leaves_), Entry{});
  }

  // Instance i's next event time, or nullopt when its queue is empty.
  void set(int i, std::optional<int64_t> time) {
    size_t at = static_cast<size_t>(leaves_ + i);
    nodes_[at] = time ? Entry{*time, i} : Entry{};
    for (at /= 2; at >= 1; at /= 2) {
      const Entry &a = nodes_[2 * at];
      const Entry &b = nodes_[2 * at + 1];
      nodes_[at] = earlier(b, a) ? b : a;  // a (the lower indices) wins ties
    }
  }

  bool empty() const { return nodes_[1].index < 0; }
  // The earliest (time, index); precondition: !empty().
  int64_t time() const { return nodes_[1].time; }
  int index() const { return nodes_[1].index; }

 private:
  struct Entry {
    int64_t time = std::numeric_limits<int64_t>::max();
    int index = -1;  // -1 = no event
  };
  static bool earlier(const Entry &x, const Entry &y) {
    if (x.index < 0) return false;
    if (y.index < 0) return true;
    return x.time != y.time ? x.time < y.time : x.index < y.index;
  }
  int leaves_ = 1;
  std::vector<Entry> nodes_;  // 1-based heap layout; leaves at [leaves_, 2 * leaves_)
};

}  // namespace simcheck::model
