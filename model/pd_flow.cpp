// Spec §9.2–§9.8: disaggregated routing (decode first), prefill routing, prefill completion
// detection, KV transfer start/completion (every drop path), decode completion and timeout
// detection, and the per-parent outcome (§9.8). §13 A4, A5, A6.
#include <algorithm>
#include <utility>

#include "model/arith.h"
#include "model/cluster_driver.h"

namespace simcheck::model {
namespace {

// "Sorted" = byte-wise lexicographic (§0); std::string's operator< compares bytes. Ids are unique,
// so the order is total.
void sort_by_id(std::vector<SimRequest*>& v) {
  std::sort(v.begin(), v.end(),
            [](const SimRequest* a, const SimRequest* b) { return a->id < b->id; });
}

}  // namespace

void ClusterDriver::disagg_route(SimRequest& r, int64_t t) {
  const std::vector<int>& dc = candidates(Role::decode, t);
  if (dc.empty()) {
    counters_.routing_rejections += 1;
    return;
  }
  // Decode first (#1159): the shared policy object (⚑ A6) picks the decode pod before the
  // prefill pod is chosen by a later C_PREFILL_ROUTE.
  const int d = router_for(Role::decode).choose(dc, [this](int i) { return load_of(i); });
  if (config_.pd_decider == PdDecider::never) {
    dispatch(d, r, t);  // served whole on the decode pod
    return;
  }
  PdParent& p = parents_.emplace_back();  // built in place: a parent is a large record
  const int parent = static_cast<int>(parents_.size()) - 1;
  p.original = &r;
  p.decode_index = d;
  ParentRecord& rec = p.record;
  rec.id = r.id;
  rec.prefill_id = Id::concat(r.id, "_prefill");
  rec.decode_id = Id::concat(r.id, "_decode");
  rec.input_len = r.L();
  rec.output_len = r.N();
  rec.num_kv_blocks = ceil_div(r.L(), config_.block_size_tokens);  // prefix caching ignored
  rec.arrival = r.arrival;
  rec.decode_instance = instances_[d].id();

  SimRequest& s = arena_.emplace_back();
  s.id = rec.prefill_id;
  s.arrival = r.arrival;
  s.set_tokens(r.input_tokens(), &no_output_);
  s.max_output_len = r.max_output_len;
  s.deadline = r.deadline;
  s.state = RequestState::queued;
  p.prefill = &s;
  events_.push(t, ClusterEventKind::prefill_route, &s, parent);  // no extra latency
}

void ClusterDriver::prefill_route(int parent, int64_t t) {
  PdParent& p = parents_[parent];
  const std::vector<int>& pc = candidates(Role::prefill, t);
  if (pc.empty()) {
    counters_.routing_rejections += 1;
    p.prefill_rejected = true;
    return;
  }
  const int x = router_for(Role::prefill).choose(pc, [this](int i) { return load_of(i); });
  p.prefill_index = x;
  p.record.prefill_instance = instances_[x].id();
  p.record.prefill_enqueue_time = t;  // the routing time, not the instance enqueue time
  p.prefill->pd_parent = parent;      // pending_prefill[p.id] = parent
  p.prefill->pd_pending = true;
  dispatch(x, *p.prefill, t);
}

int64_t ClusterDriver::detection_time(const EventEffect& effect) {
  // ⚑ A5: BLIS detects a completion at the start of the finishing step (the cluster clock).
  // With the quirk off, detection is placed at the end of that step: clock + its advance.
  // Causal (Δ6): completions are RECORDed by STEP_END events, so the clock is the step's end.
  if (config_.causal() || config_.quirks.detect_completion_at_step_start) return clock_;
  // Only a STEP RECORDs completions, and batch formation reports its advance (≥ 1 µs, §5.1).
  return clock_ + effect.step_advance;
}

void ClusterDriver::detect_prefill(const EventEffect& effect) {
  std::vector<SimRequest*>& ids = detected_;
  ids.clear();
  for (SimRequest* r : effect.recorded) {
    if (r->pd_pending && !r->is_decode_sub) ids.push_back(r);  // in pending_prefill
  }
  if (ids.empty()) return;
  const int64_t t = detection_time(effect);
  sort_by_id(ids);
  for (SimRequest* s : ids) {
    const int parent = s->pd_parent;
    PdParent& p = parents_[parent];
    p.record.prefill_complete_time = t;
    p.prefill_detected = true;
    s->pd_pending = false;  // erase pending_prefill[s]
    pd_.pd_prefill_completed += 1;
    events_.push(t, ClusterEventKind::kv_start, nullptr, parent);
  }
}

void ClusterDriver::kv_start(int parent, int64_t t) {
  PdParent& p = parents_[parent];
  const SimRequest& o = *p.original;
  SimRequest& dec = arena_.emplace_back();
  dec.id = p.record.decode_id;
  dec.arrival = o.arrival;
  dec.set_tokens(o.input_tokens(), o.output_tokens());
  dec.max_output_len = o.max_output_len;
  dec.deadline = o.deadline;
  dec.state = RequestState::waiting_for_remote_kvs;
  dec.is_decode_sub = true;
  dec.pi = 0;
  // The decode pod always exists (chosen at DISAGG_ROUTE); routability is the only v1-external
  // condition, and reservation failure the only drop cause reachable in v1.
  const bool reserved = routable(p.decode_index, t) && instances_[p.decode_index].reserve(dec);
  refresh_agenda(p.decode_index);  // RESERVE schedules nothing; kept in step with every call
  if (!reserved) {
    drop_at_start(parent, t);
    return;
  }
  p.decode = &dec;
  pd_.transfers_initiated += 1;
  p.record.transfer_start_time = t;
  int64_t active = 1;
  if (config_.pd_transfer_contention) active = contention_.on_start();
  p.record.active_at_start = active;
  events_.push(t + transfer_duration(config_, p.record.num_kv_blocks, active),
               ClusterEventKind::kv_done, nullptr, parent);
}

void ClusterDriver::drop_at_start(int parent, int64_t t) {
  PdParent& p = parents_[parent];
  pd_.dropped_at_decode_kv += 1;
  pd_.transfers_initiated += 1;
  p.dropped_at_start = true;
  p.record.transfer_start_time = t;
  p.record.completion_time = t;
  events_.push(t, ClusterEventKind::kv_done, nullptr, parent);  // degenerate completion
}

void ClusterDriver::kv_done(int parent, int64_t t) {
  PdParent& p = parents_[parent];
  pd_.transfers_completed += 1;
  if (p.decode == nullptr) return;  // degenerate (drop at start)
  SimRequest& dec = *p.decode;
  p.kv_done = true;
  p.record.transfer_complete_time = t;
  if (config_.pd_transfer_contention) contention_.on_done();
  Instance& d = instances_[p.decode_index];
  if (!routable(p.decode_index, t)) {  // late drop (unreachable in v1)
    d.release(dec);
    refresh_agenda(p.decode_index);
    pd_.dropped_at_decode_kv += 1;
    p.record.completion_time = t;
    p.decode = nullptr;
    p.late_drop = true;
    return;
  }
  dec.state = RequestState::queued;
  dec.assigned = d.id();
  p.record.decode_enqueue_time = t;
  in_flight_.on_dispatch(p.decode_index);
  dec.pd_parent = parent;  // pending_decode[dec.id] = parent
  dec.pd_pending = true;
  pending_decode_count_ += 1;
  d.enqueue_decode(dec, t);
  refresh_agenda(p.decode_index);
}

void ClusterDriver::detect_decode(const EventEffect& effect) {
  std::vector<SimRequest*>& done = detected_;
  done.clear();
  for (SimRequest* r : effect.recorded) {
    if (r->pd_pending && r->is_decode_sub) done.push_back(r);  // in pending_decode
  }
  std::vector<SimRequest*>& timed = timed_;
  timed.clear();
  for (SimRequest* r : effect.timed_out) {
    // A decode sub-request in the completion map is never TIMED_OUT; the check mirrors §9.7.
    if (r->pd_pending && r->is_decode_sub && r->state == RequestState::timed_out) {
      timed.push_back(r);
    }
  }
  if (!done.empty()) {
    const int64_t t = detection_time(effect);
    // Appendix A: before #846 the completion time was the detection clock, without P.
    const int64_t p_overhead =
        config_.projection == ProjectionEra::pre_846 ? 0 : config_.post_decode_fixed_overhead_us;
    sort_by_id(done);
    for (SimRequest* s : done) {
      PdParent& p = parents_[s->pd_parent];
      p.record.completion_time = t + p_overhead;
      p.record.decode_detect_tick = t;
      s->pd_pending = false;  // erase pending_decode[s]
      pending_decode_count_ -= 1;
      pd_.pd_decode_completed += 1;
    }
  }
  sort_by_id(timed);
  for (SimRequest* s : timed) {
    PdParent& p = parents_[s->pd_parent];
    // ⚑ A4: with a stale deadline this clock lies before decode_enqueue_time.
    p.record.completion_time = clock_;  // no P
    s->pd_pending = false;
    pending_decode_count_ -= 1;
    pd_.pd_decode_timed_out += 1;
  }
}

ParentOutcome ClusterDriver::classify(const PdParent& p,
                                      const std::vector<InstanceOutput>& outputs) const {
  if (p.decode != nullptr) {
    if (!p.kv_done) return ParentOutcome::in_transfer;
    switch (p.decode->state) {
      case RequestState::completed:
        return ParentOutcome::decode_completed;
      case RequestState::timed_out:
        return ParentOutcome::decode_timed_out;
      default:
        return ParentOutcome::decode_pending;
    }
  }
  if (p.dropped_at_start) return ParentOutcome::dropped_at_start;
  if (p.late_drop) return ParentOutcome::late_drop;
  // Prefill detected but C_KV_START not run: possible only when detection is moved to the end of
  // the step (quirk off) and that lies beyond the horizon. Counted by pd_in_transfer (§10.3).
  if (p.prefill_detected) return ParentOutcome::in_transfer;
  // A prefill routing rejection (reachable only through the routability hook) has no row in
  // §9.8; it is reported as a prefill drop (its INV-1 bucket is routing_rejections).
  if (p.prefill_rejected) return ParentOutcome::prefill_dropped;
  if (p.prefill_index < 0) return ParentOutcome::prefill_pending;  // C_PREFILL_ROUTE queued
  const SimRequest& s = *p.prefill;
  if (s.state == RequestState::timed_out) return ParentOutcome::prefill_timed_out;
  // §9.8: a drop at enqueue leaves the state unchanged but erases requests_meta (§7.2).
  if (s.state == RequestState::queued &&
      outputs[p.prefill_index].maps.requests_meta.count(s.id) == 0) {
    return ParentOutcome::prefill_dropped;
  }
  return ParentOutcome::prefill_pending;  // queued, running, or ARRIVAL/QUEUED still pending
}

ParentRecord ClusterDriver::final_record(PdParent& p,
                                         const std::vector<InstanceOutput>& outputs) const {
  // Called once per parent after every instance is finalized: nothing reads the lifecycle
  // record or the decode sub-request's ITLs afterwards, so they are moved, not copied.
  ParentRecord rec = std::move(p.record);
  if (p.decode != nullptr) {
    rec.decode_sub = DecodeSubRecord{p.decode->state, p.decode->pi, p.decode->first_token_time,
                                     std::move(p.decode->itl)};
  }
  rec.outcome = classify(p, outputs);
  return rec;
}

}  // namespace simcheck::model
