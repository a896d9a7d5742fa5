// Spec §4.1, §7, §10.1: the private state of one instance engine, shared by instance.cpp (event
// processing, enqueue, timeout, PD entry points, finalize) and batch_formation.cpp (STEP).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "model/chunked_vector.h"
#include "model/config.h"
#include "model/event_queue.h"
#include "model/instance.h"
#include "model/kv_cache.h"
#include "model/run_output.h"
#include "model/sim_request.h"

namespace simcheck::model {

// Everything the instance keeps about one request that reached it. The slot index doubles as the
// request's KV OwnerId and travels in the events, so the per-step hot path never hashes an id.
// The §10.1 maps are keyed by request id and ids are unique in a run, so one optional entry per
// slot is the same map; finalize() turns them into sorted IdMaps.
struct RequestSlot {
  SimRequest* req = nullptr;
  std::optional<int64_t> computed;  // §7.1 computed[r.id]
  bool in_wait_queue = false;       // a live (not timed-out) entry of wait_queue
  // §10.1 entries.
  bool has_meta = false;
  RequestMeta meta;
  std::optional<double> ttft, e2e, itl_avg, completion_time;
  std::optional<int64_t> sched_delay;
  RequestPhaseTimes phase;  // Addendum C phase times; reported with config.record_events
};

// Slots never move (a std::vector's doublings copied every slot, tens of MB per run).
using SlotStore = ChunkedVector<RequestSlot>;

// Request address → slot, open addressing with linear probing (entries are never erased: a
// request keeps its slot for the whole run). Only for requests that reached another instance
// first; a request's first instance finds its slot on the request itself (SimRequest::home_slot).
class SlotIndex {
 public:
  // The slot of `r`, or -1.
  int32_t find(const SimRequest* r) const {
    for (size_t s = home(r);; s = (s + 1) & (keys_.size() - 1)) {
      if (keys_[s] == r) return slots_[s];
      if (keys_[s] == nullptr) return -1;
    }
  }
  // Inserts r → slot; precondition: r is absent.
  void insert(const SimRequest* r, int32_t slot) {
    if ((size_ + 1) * 2 > keys_.size()) grow();
    size_t s = home(r);
    while (keys_[s] != nullptr) s = (s + 1) & (keys_.size() - 1);
    keys_[s] = r;
    slots_[s] = slot;
    size_ += 1;
  }

 private:
  size_t home(const SimRequest* r) const {
    uint64_t h = reinterpret_cast<uintptr_t>(r);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return static_cast<size_t>(h) & (keys_.size() - 1);
  }
  void grow() {
    std::vector<const SimRequest*> old_keys(keys_.size() * 2, nullptr);
    std::vector<int32_t> old_slots(keys_.size() * 2, -1);
    old_keys.swap(keys_);
    old_slots.swap(slots_);
    size_ = 0;
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] != nullptr) insert(old_keys[i], old_slots[i]);
    }
  }
  std::vector<const SimRequest*> keys_ = std::vector<const SimRequest*>(16, nullptr);
  std::vector<int32_t> slots_ = std::vector<int32_t>(16, -1);
  size_t size_ = 0;
};

// §7.4 FORM_BATCH locals that GROW_OR_PREEMPT updates.
struct BatchBuild {
  int64_t budget = 0;
  bool preempted_any = false;
  int64_t preempted = 0;
};

struct Instance::Impl {
  Impl(std::string id_, Role role_, const Config& config_);

  // ---- configuration ----
  std::string id;
  Role role;
  Config config;
  int64_t otp;  // §5.2 OTP
  bool causal;  // Addendum C: time_profile = causal

  // ---- §7.1 state ----
  int64_t clock = 0;
  EventQueue queue;
  int64_t steps_queued = 0;   // STEP events in the queue (reported per event for INV-8)
  bool step_pending = false;  // §4.1 step_pending handle
  // wait_queue with O(1) removal: a timed-out request's entry is marked dead
  // (slot.in_wait_queue = false) and skipped when it reaches the front. A request never re-enters
  // after timing out, so a slot has at most one entry.
  std::deque<int32_t> wait_queue;
  int64_t wait_live = 0;
  std::vector<int32_t> running;  // the batch, in batch order
  int64_t step_count = 0;
  KvCache kv;
  SlotStore slots;
  SlotIndex slot_of;

  // ---- §10.1 counters and lists ----
  int64_t completed = 0;
  int64_t dropped_unservable = 0;
  int64_t timed_out = 0;
  int64_t length_capped_count = 0;
  int64_t preemption_count = 0;
  int64_t kv_allocation_failures = 0;
  int64_t total_input_tokens = 0;
  int64_t total_output_tokens = 0;
  int64_t ttft_sum = 0;
  int64_t peak_kv_used = 0;
  double kv_used_integral = 0.0;
  std::vector<int64_t> all_itls;
  std::vector<int64_t> step_counters;
  std::optional<std::vector<EventRecord>> events;
  std::optional<std::vector<StepRecord>> steps;  // with events (Addendum C step log)
  int64_t event_adv = 0;                         // adv of the STEP being processed (its record)

  // ---- per-event and per-step scratch ----
  EventEffect* effect = nullptr;  // the effect of the event being processed
  std::vector<int32_t> newly;     // §7.3 admissions of the current step
  std::vector<int32_t> remaining;
  std::vector<BlockId> cached;  // LOOKUP result of the current admission

  // ---- helpers (instance.cpp) ----
  int32_t slot_for(SimRequest& r);               // the request's slot, created on first contact
  int32_t find_slot(const SimRequest& r) const;  // the request's slot, or -1
  void register_meta(int32_t slot);
  void schedule_step(int64_t t);
  void wait_push_back(int32_t slot);
  void wait_push_front(int32_t slot);
  int32_t wait_front();  // precondition: wait_live > 0
  void wait_pop_front();
  void wait_remove(int32_t slot);
  void enqueue(int32_t slot);             // §7.2
  void timeout(int32_t slot, int64_t t);  // §7.8
  void record_event(const InstanceEvent& e);

  // ---- STEP (batch_formation.cpp) ----
  void step(int64_t now);                                         // §7.3 (causal: Δ2 STEP)
  void step_end(int64_t e);                                       // Addendum C Δ2 STEP_END
  int64_t advance() const;                                        // §5.1 adv of the batch
  void account_kv(int64_t adv);                                   // §7.5 peak, integral
  void log_step(int64_t now, int64_t adv);                        // the step log
  void execute_causal(int64_t e);                                 // Addendum C Δ2 EXECUTE_C
  void form_batch(BatchBuild& bb);                                // §7.4
  bool grow_or_preempt(BatchBuild& bb, int32_t slot, int64_t n);  // §7.4
  int64_t execute(int64_t now);                                   // §7.5
  void complete(int64_t now, int64_t adv);                        // §7.6
  void record(int32_t slot);                                      // §7.6 RECORD
  void next_step(int64_t now, int64_t adv);                       // §7.7
};

}  // namespace simcheck::model
