// Spec §4.1: an instance's min-priority event queue keyed by (time, priority, seq).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/run_output.h"

namespace simcheck::model {

// §4.1 priorities: equal-time events run in this order.
constexpr int event_priority(EventKind kind) {
  switch (kind) {
    case EventKind::arrival:
      return 0;
    case EventKind::queued:
      return 1;
    case EventKind::step:
    case EventKind::step_end:  // Addendum C Δ1: STEP_END shares STEP's priority
      return 3;                // 2 is reserved for LoRA adapter loads (out of scope)
    case EventKind::scheduled:
      return 4;
    case EventKind::request_left:
      return 5;
    case EventKind::timeout:
      return 6;
  }
  return 7;
}

struct InstanceEvent {
  int64_t time = 0;
  // priority in the top 8 bits, the insertion counter `seq` below: one integer comparison orders
  // (priority, seq) lexicographically.
  uint64_t order = 0;
  EventKind kind = EventKind::step;
  int32_t slot = -1;  // the instance's request slot; -1 for STEP

  int priority() const { return static_cast<int>(order >> 56); }
  uint64_t seq() const { return order & ((uint64_t{1} << 56) - 1); }
};

// Binary min-heap; `seq` is incremented on every insertion so ties in (time, priority) pop in
// insertion order.
class EventQueue {
 public:
  void push(int64_t time, EventKind kind, int32_t slot) {
    const uint64_t order = (static_cast<uint64_t>(event_priority(kind)) << 56) | next_seq_++;
    heap_.push_back(InstanceEvent{time, order, kind, slot});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  InstanceEvent pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    InstanceEvent e = heap_.back();
    heap_.pop_back();
    return e;
  }
  const InstanceEvent& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }

 private:
  // std heap algorithms build a max-heap under the comparator; "later" as less-than gives a
  // min-heap on (time, priority, seq).
  struct Later {
    bool operator()(const InstanceEvent& a, const InstanceEvent& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.order > b.order;
    }
  };
  std::vector<InstanceEvent> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace simcheck::model
