// Spec §4.1 (event processing, lazy cancellation), §7.2 (ENQUEUE), §7.8 (TIMEOUT), §7.9 (PD entry
// points), §7.10 (finalize), §8.2 (INJECT), §8.6 (per-event deltas), §10.1 (per-instance metrics).
#include <algorithm>
#include <string_view>
#include <utility>

#include "model/arith.h"
#include "model/id_order.h"
#include "model/instance_impl.h"
#include "model/latency.h"
#include "model/statistics.h"

namespace simcheck::model {

Instance::Impl::Impl(std::string id_, Role role_, const Config& config_)
    : id(std::move(id_)),
      role(role_),
      config(config_),
      otp(output_token_processing_time(config_.alpha)),
      causal(config_.causal()),
      kv(config_.total_kv_blocks, config_.block_size_tokens,
         KvCache::Options{config_.quirks.empty_range_claims_nothing,
                          config_.quirks.decode_topup_block_keyed}) {
  // Δ8: the causal profile always keeps the processed-event log (simulate() also sets the flag).
  if (config.record_events || causal) {
    events.emplace();
    steps.emplace();
  }
}

// ---- helpers ----------------------------------------------------------------------------------

int32_t Instance::Impl::slot_for(SimRequest& r) {
  int32_t slot = find_slot(r);
  if (slot >= 0) return slot;
  slot = static_cast<int32_t>(slots.size());
  slots.emplace_back().req = &r;
  if (r.home_instance == nullptr) {
    r.home_instance = this;
    r.home_slot = slot;
  } else {
    slot_of.insert(&r, slot);
  }
  return slot;
}

int32_t Instance::Impl::find_slot(const SimRequest& r) const {
  // The home record is checked against the slot itself: an instance destroyed before this one may
  // have had the same address.
  if (r.home_instance == this && static_cast<size_t>(r.home_slot) < slots.size() &&
      slots[r.home_slot].req == &r) {
    return r.home_slot;
  }
  return r.home_instance == nullptr ? -1 : slot_of.find(&r);
}

// §10.1 requests_meta[r.id] = meta(r), written at injection (§8.2) and ENQUEUE_DECODE (§7.9).
void Instance::Impl::register_meta(int32_t slot) {
  RequestSlot& s = slots[slot];
  const SimRequest& r = *s.req;
  s.has_meta = true;
  s.meta.arrived_at_s = static_cast<double>(r.arrival) / 1e6;
  s.meta.num_prefill_tokens = r.L();
  s.meta.num_decode_tokens = r.N();
  s.meta.handled_by = r.assigned;
  s.meta.length_capped = r.length_capped;
}

void Instance::Impl::schedule_step(int64_t t) {
  queue.push(t, EventKind::step, -1);
  steps_queued += 1;
  step_pending = true;
}

void Instance::Impl::wait_push_back(int32_t slot) {
  wait_queue.push_back(slot);
  slots[slot].in_wait_queue = true;
  wait_live += 1;
}

void Instance::Impl::wait_push_front(int32_t slot) {
  wait_queue.push_front(slot);
  slots[slot].in_wait_queue = true;
  wait_live += 1;
}

int32_t Instance::Impl::wait_front() {
  while (!slots[wait_queue.front()].in_wait_queue) wait_queue.pop_front();  // dead entries
  return wait_queue.front();
}

void Instance::Impl::wait_pop_front() {
  const int32_t slot = wait_front();
  wait_queue.pop_front();
  slots[slot].in_wait_queue = false;
  wait_live -= 1;
}

void Instance::Impl::wait_remove(int32_t slot) {
  if (!slots[slot].in_wait_queue) return;  // "no-op if absent"
  slots[slot].in_wait_queue = false;
  wait_live -= 1;
  if (wait_live == 0) wait_queue.clear();  // only dead entries left
}

// ---- §7.2 ENQUEUE -------------------------------------------------------------------------------

void Instance::Impl::enqueue(int32_t slot) {
  SimRequest& r = *slots[slot].req;
  const int64_t now = clock;
  const int64_t L = r.L();
  const int64_t mml = config.max_model_len;
  if (r.state == RequestState::timed_out) return;  // 0. defensive; unreachable in v1
  if (r.max_output_len == 0 && mml > 0 && L < mml) r.max_output_len = mml - L;  // 1.
  // 2.-4. Drop guards (they read only L, max_output_len and deadline: INV-9).
  bool drop = r.max_output_len < 0;
  if (!drop && mml > 0) {
    // L + max_output_len > MML, written so that a huge budget cannot overflow (L < MML here).
    drop = L >= mml || (r.max_output_len > 0 && r.max_output_len > mml - L);
  }
  if (!drop) drop = ceil_div(L, config.block_size_tokens) > config.total_kv_blocks;
  if (drop) {
    dropped_unservable += 1;
    slots[slot].has_meta = false;  // erase requests_meta[r.id]
    return;
  }
  total_input_tokens += L;                    // 5.
  if (r.deadline > 0 && r.deadline <= now) {  // 6. already late
    r.state = RequestState::timed_out;
    timed_out += 1;
    slots[slot].phase.timed_out = now;
    effect->timed_out.push_back(&r);
    return;
  }
  wait_push_back(slot);  // 7. state stays QUEUED
  slots[slot].phase.enqueued = now;
  if (r.deadline > 0 && r.deadline <= config.horizon_us) {  // 8.
    queue.push(r.deadline, EventKind::timeout, slot);
  }
}

// ---- §7.8 TIMEOUT -------------------------------------------------------------------------------

void Instance::Impl::timeout(int32_t slot, int64_t t) {
  RequestSlot& s = slots[slot];
  SimRequest& r = *s.req;
  if (r.state == RequestState::timed_out) return;
  const bool was_running = r.state == RequestState::running;
  r.state = RequestState::timed_out;
  timed_out += 1;
  s.phase.timed_out = t;
  effect->timed_out.push_back(&r);
  kv.release(slot);
  s.computed.reset();
  // Δ4: the client left before it could see the first token (production + OTP).
  if (causal && s.ttft && r.arrival + static_cast<int64_t>(*s.ttft) > t) s.ttft.reset();
  if (was_running) {
    // Order of the others preserved; step_pending untouched.
    running.erase(std::find(running.begin(), running.end(), slot));
  } else {
    wait_remove(slot);
  }
  if (running.empty() && !step_pending && wait_live > 0) schedule_step(t);
}

// ---- event log
// ------------------------------------------------------------------------------------

void Instance::Impl::record_event(const InstanceEvent& e) {
  EventRecord rec;
  rec.time = e.time;
  rec.kind = e.kind;
  if (e.slot >= 0) rec.request_id = slots[e.slot].req->id;
  rec.wait_queue_len = wait_live;
  rec.running_len = static_cast<int64_t>(running.size());
  rec.steps_pending = steps_queued;
  rec.kv_free_count = kv.free_count();
  rec.kv_in_use_blocks = kv.in_use_count();
  rec.kv_ref_sum = kv.ref_sum();
  rec.kv_owned_sum = kv.owned_sum();
  if (e.kind == EventKind::step) rec.adv = event_adv;
  events->push_back(std::move(rec));
}

// ---- id order
// -------------------------------------------------------------------------------------

namespace {

// Slot indices sorted by request id, byte-wise (§0).
std::vector<int32_t> slots_in_id_order(const SlotStore& slots) {
  return indices_in_id_order(
      slots.size(), [&](size_t i) -> std::string_view { return slots[i].req->id; },
      [&](size_t i) { __builtin_prefetch(slots[i].req); });
}

}  // namespace

// ---- public API
// -----------------------------------------------------------------------------------

Instance::Instance(std::string id, Role role, const Config& config)
    : impl_(std::make_unique<Impl>(std::move(id), role, config)) {}
Instance::~Instance() = default;
Instance::Instance(Instance&&) noexcept = default;
Instance& Instance::operator=(Instance&&) noexcept = default;

const std::string& Instance::id() const { return impl_->id; }
Role Instance::role() const { return impl_->role; }
int64_t Instance::clock() const { return impl_->clock; }
int64_t Instance::queue_depth() const { return impl_->wait_live; }
int64_t Instance::batch_size() const { return static_cast<int64_t>(impl_->running.size()); }

void Instance::inject(SimRequest& r, int64_t t) {
  Impl& m = *impl_;
  const int32_t slot = m.slot_for(r);
  m.register_meta(slot);
  m.queue.push(t, EventKind::arrival, slot);
}

std::optional<int64_t> Instance::next_event_time() const {
  if (impl_->queue.empty()) return std::nullopt;
  return impl_->queue.top().time;
}

EventEffect Instance::process_next() {
  EventEffect effect;
  process_next(effect);
  return effect;
}

void Instance::process_next(EventEffect& effect) {
  Impl& m = *impl_;
  const InstanceEvent e = m.queue.pop();
  if (e.kind == EventKind::step || e.kind == EventKind::step_end) m.steps_queued -= 1;
  effect.lazily_cancelled = false;
  effect.time = e.time;
  effect.delta_completed = effect.delta_dropped_unservable = effect.delta_timed_out = 0;
  effect.recorded.clear();
  effect.timed_out.clear();
  effect.step_advance = 0;
  m.event_adv = 0;
  if (e.kind == EventKind::timeout && m.slots[e.slot].req->state == RequestState::completed) {
    effect.lazily_cancelled = true;  // discarded without touching the clock
    return;
  }
  m.clock = e.time;
  const int64_t completed_before = m.completed;
  const int64_t dropped_before = m.dropped_unservable;
  const int64_t timed_out_before = m.timed_out;
  m.effect = &effect;
  switch (e.kind) {
    case EventKind::arrival: {
      const SimRequest& r = *m.slots[e.slot].req;
      m.queue.push(e.time + queueing_time(m.config.alpha, r.L()), EventKind::queued, e.slot);
      break;
    }
    case EventKind::queued:
      m.enqueue(e.slot);
      if (!m.step_pending && m.wait_live > 0) m.schedule_step(e.time);
      break;
    case EventKind::step:
      m.step(e.time);
      break;
    case EventKind::scheduled:
      break;  // a timeline marker: it only advances the clock
    case EventKind::request_left:
      m.slots[e.slot].phase.left = e.time;
      break;
    case EventKind::timeout:
      m.timeout(e.slot, e.time);
      break;
    case EventKind::step_end:  // only scheduled under the causal profile (Addendum C Δ1)
      m.step_end(e.time);
      break;
  }
  m.effect = nullptr;
  effect.delta_completed = m.completed - completed_before;
  effect.delta_dropped_unservable = m.dropped_unservable - dropped_before;
  effect.delta_timed_out = m.timed_out - timed_out_before;
  if (m.events) m.record_event(e);
}

bool Instance::reserve(SimRequest& dec) {
  Impl& m = *impl_;
  const int32_t slot = m.slot_for(dec);
  // dec.pi = 0 < L: PREFILL mode, ceil_div(L, B) fresh blocks, the full ones keyed.
  const bool ok = m.kv.allocate(slot, dec, 0, dec.L(), {});
  if (ok) dec.pi = dec.L();
  return ok;
}

void Instance::enqueue_decode(SimRequest& dec, int64_t t) {
  Impl& m = *impl_;
  const int32_t slot = m.slot_for(dec);
  m.register_meta(slot);
  if (m.causal && dec.deadline > 0 && dec.deadline <= t) {
    // Δ5: the deadline passed during the transfer. An ordinary TIMEOUT at t (no clock step
    // back) releases the reserved KV; the sub-request is never queued.
    m.queue.push(t, EventKind::timeout, slot);
    return;
  }
  m.wait_push_back(slot);
  m.slots[slot].phase.enqueued = t;
  if (dec.deadline > 0 && dec.deadline <= m.config.horizon_us) {
    // ⚑ A4: the deadline may lie before t (and before the clock); with the quirk off the decode
    // TIMEOUT is never scheduled before the enqueue time.
    const int64_t at = m.config.quirks.stale_decode_deadline && !m.causal
                           ? dec.deadline
                           : std::max(dec.deadline, t);
    m.queue.push(at, EventKind::timeout, slot);
  }
  if (m.running.empty() && !m.step_pending) m.schedule_step(std::max(m.clock, t));
}

void Instance::release(SimRequest& r) {
  Impl& m = *impl_;
  const int32_t slot = m.find_slot(r);
  if (slot >= 0) m.kv.release(slot);
}

// ---- §7.10 FINALIZE and §10.1 output
// -------------------------------------------------------------

InstanceOutput Instance::finalize(int64_t horizon) {
  Impl& m = *impl_;
  InstanceOutput out;
  out.id = m.id;
  out.role = m.role;

  Counters& c = out.counters;
  c.completed = m.completed;
  c.still_queued = m.wait_live;
  c.still_running = static_cast<int64_t>(m.running.size());
  c.dropped_unservable = m.dropped_unservable;
  c.timed_out = m.timed_out;
  c.length_capped_count = m.length_capped_count;
  c.preemption_count = m.preemption_count;
  c.kv_allocation_failures = m.kv_allocation_failures;
  c.total_input_tokens = m.total_input_tokens;
  c.total_output_tokens = m.total_output_tokens;
  c.ttft_sum = m.ttft_sum;
  c.sim_ended = std::min(m.clock, horizon);
  c.peak_kv_used = m.peak_kv_used;
  c.kv_used_integral = m.kv_used_integral;
  c.cache_hit_rate = m.kv.hit_rate();
  c.cache_hits = m.kv.hits();
  c.cache_misses = m.kv.misses();

  // Maps: slots in id order (byte-wise, §0), each entry appended at the end of its IdMap
  // (push_back), each map reserved to its exact size first (one allocation, no regrowth).
  const std::vector<int32_t> order = slots_in_id_order(m.slots);
  MetricMaps& maps = out.maps;
  IdMap<double>& completion_time = maps.completion_time.emplace();
  size_t n_meta = 0, n_ttft = 0, n_e2e = 0, n_itl = 0, n_sched = 0, n_ct = 0;
  for (size_t i = 0; i < m.slots.size(); ++i) {
    const RequestSlot& s = m.slots[i];
    n_meta += s.has_meta;
    n_ttft += s.ttft.has_value();
    n_e2e += s.e2e.has_value();
    n_itl += s.itl_avg.has_value();
    n_sched += s.sched_delay.has_value();
    n_ct += s.completion_time.has_value();
  }
  maps.requests_meta.reserve(n_meta);
  maps.ttft.reserve(n_ttft);
  maps.e2e.reserve(n_e2e);
  maps.itl_avg.reserve(n_itl);
  maps.sched_delay.reserve(n_sched);
  completion_time.reserve(n_ct);
  out.final_states.reserve(order.size());
  IdMap<RequestPhaseTimes>* phases = m.events ? &out.phase_times.emplace() : nullptr;
  if (phases) phases->reserve(order.size());
  // The walk is random over the slots and their requests (id order is not arrival order), so
  // the slot 16 ahead and the request 8 ahead are prefetched: the cache misses overlap.
  for (size_t k = 0; k < order.size(); ++k) {
    if (k + 16 < order.size()) __builtin_prefetch(&m.slots[order[k + 16]]);
    if (k + 8 < order.size()) {
      const SimRequest* ahead = m.slots[order[k + 8]].req;
      __builtin_prefetch(ahead);
      __builtin_prefetch(&ahead->pi);
    }
    const int32_t i = order[k];
    const RequestSlot& s = m.slots[i];
    const Id& rid = s.req->id;
    if (s.has_meta) maps.requests_meta.emplace_hint(maps.requests_meta.end(), rid, s.meta);
    if (s.ttft) maps.ttft.emplace_hint(maps.ttft.end(), rid, *s.ttft);
    if (s.e2e) maps.e2e.emplace_hint(maps.e2e.end(), rid, *s.e2e);
    if (s.itl_avg) maps.itl_avg.emplace_hint(maps.itl_avg.end(), rid, *s.itl_avg);
    if (s.sched_delay) maps.sched_delay.emplace_hint(maps.sched_delay.end(), rid, *s.sched_delay);
    if (s.completion_time) {
      completion_time.emplace_hint(completion_time.end(), rid, *s.completion_time);
    }
    out.final_states.emplace_hint(out.final_states.end(), rid,
                                  FinalRequestState{s.req->state, s.req->pi, m.kv.owned_count(i)});
    if (phases) phases->emplace_hint(phases->end(), rid, s.phase);
  }

  out.statistics = summary_statistics(c, maps, m.all_itls);
  out.all_itls = std::move(m.all_itls);
  out.step_counters = std::move(m.step_counters);
  out.kv_total_blocks = m.kv.total_blocks();
  out.kv_used_at_end = m.kv.used();
  for (int32_t slot : m.wait_queue) {
    if (m.slots[slot].in_wait_queue) out.wait_queue_at_end.push_back(m.slots[slot].req->id.str());
  }
  for (int32_t slot : m.running) out.running_at_end.push_back(m.slots[slot].req->id.str());
  if (m.events) out.events = std::move(*m.events);
  if (m.steps) out.steps = std::move(*m.steps);
  // FINALIZE is the instance's last call (§7.10, end of run): its KV cache and request slots are
  // freed now, so that the aggregate's maps reuse their memory instead of adding to the peak.
  m.kv = KvCache(m.config.total_kv_blocks, m.config.block_size_tokens,
                 KvCache::Options{m.config.quirks.empty_range_claims_nothing,
                                  m.config.quirks.decode_topup_block_keyed});
  m.slots = SlotStore();
  m.slot_of = SlotIndex();
  return out;
}

}  // namespace simcheck::model
