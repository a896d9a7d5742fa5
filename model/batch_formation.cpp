// Spec §7.3 (STEP), §7.4 (FORM_BATCH, GROW_OR_PREEMPT), §7.5 (EXECUTE), §7.6 (COMPLETE, RECORD),
// §7.7 (NEXT_STEP); Addendum C Δ2 (causal STEP / STEP_END), Δ3 (causal batch formation).
#include <algorithm>
#include <span>

#include "model/instance_impl.h"
#include "model/latency.h"

namespace simcheck::model {

// ---- §7.3 STEP
// ------------------------------------------------------------------------------------

void Instance::Impl::step(int64_t now) {
  if (running.empty() && wait_live == 0) {  // orphan step
    step_pending = false;
    return;
  }
  step_count += 1;
  BatchBuild bb;
  form_batch(bb);
  preemption_count += bb.preempted;
  for (int32_t slot : newly) {
    queue.push(now, EventKind::scheduled, slot);
    slots[slot].sched_delay = now - slots[slot].req->arrival;  // overwritten on re-admission
  }
  if (causal) {  // Addendum C Δ2: the batch runs on [now, now + adv); its effects come at the end
    const int64_t adv = advance();
    account_kv(adv);
    event_adv = adv;
    if (steps) log_step(now, adv);
    queue.push(now + adv, EventKind::step_end, -1);
    steps_queued += 1;  // STEP_END holds step_pending (Δ1), so INV-8 counts it
    step_pending = true;
    return;
  }
  const int64_t adv = execute(now);
  event_adv = adv;
  if (steps) log_step(now, adv);  // the real interval, although the effects came at `now` (A5)
  if (effect != nullptr) effect->step_advance = adv;  // for detection at step end (A5 off)
  complete(now, adv);
  next_step(now, adv);
}

void Instance::Impl::step_end(int64_t e) {
  execute_causal(e);
  complete(e, 0);  // REQUEST_LEFT and RECORD at e
  if (!running.empty() || wait_live > 0) {
    schedule_step(e);
  } else {
    step_pending = false;
  }
}

void Instance::Impl::log_step(int64_t now, int64_t adv) {
  StepRecord rec;
  rec.start = now;
  rec.end = now + adv;
  for (int32_t slot : running) {
    const SimRequest& r = *slots[slot].req;
    if (r.num_new <= 0) continue;
    rec.batch.push_back(r.id.str());
    rec.tokens += r.num_new;
  }
  steps->push_back(std::move(rec));
}

// ---- §7.4 FORM_BATCH
// ------------------------------------------------------------------------------

bool Instance::Impl::grow_or_preempt(BatchBuild& bb, int32_t slot, int64_t n) {
  SimRequest& r = *slots[slot].req;
  for (;;) {
    if (kv.allocate(slot, r, r.pi, r.pi + n, {})) return true;
    // Spec circuit breaker; r itself is in `running` until it is the victim, so under FCFS tail
    // preemption this never fires.
    if (running.empty()) return false;
    bb.preempted_any = true;
    const int32_t victim = running.back();  // FCFS victim = tail of the batch
    running.pop_back();
    bb.preempted += 1;
    SimRequest& v = *slots[victim].req;
    if (v.num_new > 0) {  // unreachable under FCFS: the tail has not been visited yet
      bb.budget += v.num_new;
      v.num_new = 0;
    }
    v.state = RequestState::queued;
    v.pi = 0;
    v.itl.clear();
    v.ttft_set = false;
    slots[victim].phase.preemptions += 1;
    kv.release(victim);
    slots[victim].computed.reset();
    wait_push_front(victim);  // repeated push_front restores batch order
    if (victim == slot) return false;
  }
}

void Instance::Impl::form_batch(BatchBuild& bb) {
  const int64_t thr = config.long_prefill_token_threshold;
  const int64_t mml = config.max_model_len;
  const int64_t B = config.block_size_tokens;
  bb.budget = config.max_num_batched_tokens;
  newly.clear();
  for (int32_t slot : running) slots[slot].req->num_new = 0;

  // Phase 1: requests already running, in batch order.
  size_t i = 0;
  while (i < running.size()) {
    if (bb.budget <= 0) break;
    const int32_t slot = running[i];
    SimRequest& r = *slots[slot].req;
    const int64_t L = r.L();
    int64_t n = L - r.pi;
    if (n > 0) {  // continuing (possibly chunked) prefill
      if (0 < thr && thr < n) n = thr;
      n = std::min(n, bb.budget);
      if (mml > 0) n = std::min(n, std::max<int64_t>(mml - 1 - r.pi, 0));
      if (!grow_or_preempt(bb, slot, n)) break;
      bb.budget -= n;
      r.num_new = n;
      *slots[slot].computed += n;
    }
    if (r.pi >= L && r.N() > 0) {              // decode: one token
      if (!(mml > 0 && r.pi + 1 > mml - 1)) {  // proactive cap: skip at the boundary
        if (!grow_or_preempt(bb, slot, 1)) break;
        bb.budget -= 1;
        r.num_new = 1;
        *slots[slot].computed += 1;
      }
    }
    i += 1;
  }

  // Phase 2: admit from the head of the wait queue (head-of-line blocking, no preemption).
  while (static_cast<int64_t>(running.size()) < config.max_num_seqs && wait_live > 0 &&
         bb.budget > 0 && !bb.preempted_any) {
    const int32_t slot = wait_front();
    SimRequest& r = *slots[slot].req;
    if (r.is_decode_sub) {  // PD decode sub-request, KV already held
      if (causal && r.pi == r.L() && !r.ttft_set) {
        // Δ3b: the first-token step recomputes position L - 1, whose slot the transfer reserved.
        slots[slot].computed = r.L();
      } else {
        if (!kv.allocate(slot, r, r.pi, r.pi + 1, {})) break;
        slots[slot].computed = r.pi + 1;
      }
      wait_pop_front();
      running.push_back(slot);
      r.scheduled_step = step_count;
      newly.push_back(slot);
      if (slots[slot].phase.first_scheduled < 0) slots[slot].phase.first_scheduled = clock;
      bb.budget -= 1;
      r.state = RequestState::running;
      r.num_new = 1;
      continue;
    }
    if (causal) {  // Δ3a: the last prompt position is always recomputed (vLLM's cap)
      const size_t looked = static_cast<size_t>(std::max<int64_t>(r.L() - 1, 0));
      kv.lookup(std::span<const Token>(r.input()).first(looked), cached);
    } else {
      kv.lookup(r.input(), cached);
    }
    const int64_t c = static_cast<int64_t>(cached.size()) * B;
    int64_t n = r.L() - c;
    if (0 < thr && thr < n) n = thr;
    n = std::min(n, bb.budget);
    if (mml > 0) n = std::min(n, std::max<int64_t>(mml - 1 - c, 0));
    if (!kv.allocate(slot, r, c, c + n, cached)) break;
    wait_pop_front();
    running.push_back(slot);
    r.scheduled_step = step_count;
    newly.push_back(slot);
    if (slots[slot].phase.first_scheduled < 0) slots[slot].phase.first_scheduled = clock;
    bb.budget -= n;
    r.state = RequestState::running;
    r.num_new = n;
    slots[slot].computed = n + c;
  }
}

// ---- §7.5 EXECUTE
// ---------------------------------------------------------------------------------

int64_t Instance::Impl::advance() const {
  // S = running requests with num_new > 0, split into prefill and decode tokens (§5.1), before
  // any progress index moves.
  bool any_new = false;
  int64_t prefill_tokens = 0;
  int64_t decode_tokens = 0;
  for (int32_t slot : running) {
    const SimRequest& r = *slots[slot].req;
    if (r.num_new <= 0) continue;
    any_new = true;
    if (r.pi < r.L()) {
      prefill_tokens += r.num_new;
    } else if (r.N() > 0) {
      decode_tokens += r.num_new;
    }
  }
  return any_new ? std::max<int64_t>(1, step_time(config.beta, prefill_tokens, decode_tokens))
                 : empty_step_advance(config.empty_step_rule, config.beta);
}

void Instance::Impl::account_kv(int64_t adv) {
  const int64_t used = kv.used();
  peak_kv_used = std::max(peak_kv_used, used);
  // In binary64 (§7.5): used·adv need not fit an int64 when adv saturates.
  kv_used_integral += static_cast<double>(used) * static_cast<double>(adv);
}

int64_t Instance::Impl::execute(int64_t now) {
  const int64_t adv = advance();
  for (int32_t slot : running) {
    RequestSlot& s = slots[slot];
    SimRequest& r = *s.req;
    const int64_t L = r.L();
    if (r.pi < L) {
      r.pi = *s.computed;
    } else if (r.num_new > 0) {
      r.pi += 1;
      // One entry per decode step: N − 1 of them unless preempted (capacity survives clear()).
      if (r.itl.capacity() == 0) r.itl.reserve(static_cast<size_t>(std::max<int64_t>(r.N(), 1)));
      r.itl.push_back(adv + otp);
      s.phase.last_token_step_end = now + adv;
    }
    if (r.pi == L && !r.ttft_set) {
      r.ttft_set = true;
      r.first_token_time = now + adv + otp - r.arrival;
      s.ttft = static_cast<double>(r.first_token_time);  // overwritten on re-prefill
      s.phase.first_token_step_end = s.phase.last_token_step_end = now + adv;
    }
  }
  account_kv(adv);
  return adv;
}

// Addendum C Δ2: progress and tokens of the step that ends at e. Members a TIMEOUT removed while
// the step ran are no longer in `running`: their work in the step is lost.
void Instance::Impl::execute_causal(int64_t e) {
  for (int32_t slot : running) {
    RequestSlot& s = slots[slot];
    SimRequest& r = *s.req;
    if (r.num_new <= 0) continue;  // no compute, no progress
    const int64_t L = r.L();
    if (r.pi < L) {
      r.pi = *s.computed;
    } else if (r.ttft_set) {  // a decode token
      r.pi += 1;
      if (r.itl.capacity() == 0) r.itl.reserve(static_cast<size_t>(std::max<int64_t>(r.N(), 1)));
      r.itl.push_back((e - r.last_token_end) + otp);  // the real gap, skipped steps included
      r.last_token_end = e;
      s.phase.last_token_step_end = e;
    }
    // else: first-token step of a transferred decode sub-request (Δ3b): pi stays L.
    if (r.pi == L && !r.ttft_set) {
      r.ttft_set = true;
      r.first_token_time = e + otp - r.arrival;
      r.last_token_end = e;
      s.ttft = static_cast<double>(r.first_token_time);
      s.phase.first_token_step_end = s.phase.last_token_step_end = e;
    }
  }
}

// ---- §7.6 COMPLETE and RECORD
// ---------------------------------------------------------------------

void Instance::Impl::complete(int64_t now, int64_t adv) {
  const int64_t mml = config.max_model_len;
  remaining.clear();
  for (int32_t slot : running) {
    SimRequest& r = *slots[slot].req;
    const int64_t L = r.L();
    const int64_t N = r.N();
    if (r.pi >= L + std::max<int64_t>(N, 1) - 1) {  // normal completion
      r.state = RequestState::completed;
      if (N > 0 && r.pi < L + N) {  // KV for the final token
        if (!kv.allocate(slot, r, r.pi, r.pi + 1, {})) kv_allocation_failures += 1;
      }
    } else if (mml > 0 && r.pi >= mml - 1) {  // length cap
      length_capped_count += 1;
      r.length_capped = true;
      slots[slot].meta.length_capped = true;
      r.state = RequestState::completed;
    } else {
      remaining.push_back(slot);
      continue;
    }
    kv.release(slot);
    r.finished_step = step_count;
    queue.push(now + adv, EventKind::request_left, slot);
    record(slot);
  }
  running.swap(remaining);
}

void Instance::Impl::record(int32_t slot) {
  RequestSlot& s = slots[slot];
  SimRequest& r = *s.req;
  const int64_t L = r.L();
  const int64_t N = r.N();
  completed += 1;
  ttft_sum += r.first_token_time;
  int64_t k = r.pi - L;
  if (k < N) k += 1;
  if (k > 0) total_output_tokens += k;
  int64_t itl_total = 0;
  for (int64_t v : r.itl) itl_total += v;
  const int64_t overhead = N > 0 ? config.post_decode_fixed_overhead_us : 0;
  const int64_t lat = r.first_token_time + itl_total + overhead;
  s.e2e = static_cast<double>(lat);
  if (N > 0) {
    const int64_t steps = r.length_capped ? static_cast<int64_t>(r.itl.size()) : N;
    s.itl_avg =
        static_cast<double>(itl_total) / static_cast<double>(std::max<int64_t>(steps - 1, 1));
  } else {
    s.itl_avg = 0.0;
  }
  step_counters.push_back(r.finished_step - r.scheduled_step);
  s.completion_time = static_cast<double>(lat + r.arrival);
  all_itls.insert(all_itls.end(), r.itl.begin(), r.itl.end());
  effect->recorded.push_back(&r);
}

// ---- §7.7 NEXT_STEP
// -------------------------------------------------------------------------------

void Instance::Impl::next_step(int64_t now, int64_t adv) {
  if (!running.empty() || wait_live > 0) {
    schedule_step(now + adv);  // INV-8: work left ⇒ a STEP is pending
  } else {
    step_pending = false;
  }
}

}  // namespace simcheck::model
