// Spec §8.1: the cluster event queue, a min-queue keyed by (time, priority, seq).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/sim_request.h"

namespace simcheck::model {

// §8.1 kinds; the enumerator value is the priority (3 is BLIS's dead "disaggregation decision"
// event, 5–9 its out-of-scope gateway/autoscaler events; C_KV_START/C_KV_DONE sit at 5 and 6).
enum class ClusterEventKind : int {
  arrival = 0,        // C_ARRIVAL(r)
  admit = 1,          // C_ADMIT(r)
  route = 2,          // C_ROUTE(r)
  prefill_route = 4,  // C_PREFILL_ROUTE(p, parent)
  kv_start = 5,       // C_KV_START(parent)
  kv_done = 6,        // C_KV_DONE(parent)
};

struct ClusterEvent {
  int64_t time = 0;
  ClusterEventKind kind = ClusterEventKind::arrival;
  uint64_t seq = 0;               // cluster-wide insertion counter
  SimRequest* request = nullptr;  // arrival/admit/route: the user request; prefill_route: p
  int parent = -1;                // prefill_route/kv_start/kv_done: index of the parent

  int priority() const { return static_cast<int>(kind); }
};

class ClusterEventQueue {
 public:
  void push(int64_t time, ClusterEventKind kind, SimRequest* request, int parent) {
    heap_.push_back(ClusterEvent{time, kind, next_seq_++, request, parent});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  ClusterEvent pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    ClusterEvent e = heap_.back();
    heap_.pop_back();
    return e;
  }
  const ClusterEvent& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  // Pending events, in no particular order (end-of-run accounting only).
  const std::vector<ClusterEvent>& pending() const { return heap_; }

 private:
  // "Later" as the heap's less-than makes std's max-heap a min-heap on (time, priority, seq).
  struct Later {
    bool operator()(const ClusterEvent& a, const ClusterEvent& b) const {
      if (a.time != b.time) return a.time > b.time;
      if (a.priority() != b.priority()) return a.priority() > b.priority();
      return a.seq > b.seq;
    }
  };
  std::vector<ClusterEvent> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace simcheck::model
