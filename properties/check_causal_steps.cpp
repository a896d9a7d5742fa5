// Addendum C §C4, the laws about an instance's clock and steps: L1 (clock monotonicity), L2 (step
// exclusivity) and L11 (horizon). Strict under the causal profile; under the faithful profile a
// breach is a known exception only when a named quirk explains its shape.
#include <algorithm>
#include <string>

#include "properties/causal_laws_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

using causal::report;
using causal::S;
using support::kv;

// L1: per instance, the processed (non-cancelled) event times are non-decreasing. The cluster
// loop's own events are not logged by any source, so only the instances are checked. Faithful:
// A4 steps the clock back with a decode sub-request's TIMEOUT at a deadline before its enqueue.
CheckResult check_law_c4_clock(const RunOutput& run) {
  const char* id = "LAW-C4-L1-CLOCK";
  bool any = false;
  for (const auto& inst : run.instances) any = any || inst.events.has_value();
  if (!any) return not_applicable(id, "instances[].events missing");
  const causal::LawContext ctx = causal::law_context(run);
  const auto parents = support::index_parents(run);
  support::Violations out(id);
  for (const auto& inst : run.instances) {
    if (!inst.events) continue;
    const auto& ev = *inst.events;
    for (size_t i = 1; i < ev.size(); ++i) {
      if (ev[i].time >= ev[i - 1].time) continue;
      const model::ParentRecord* p = parents.parent(ev[i].request_id);
      if (p == nullptr) {
        auto it = parents.by_sub_id.find(ev[i].request_id);
        if (it != parents.by_sub_id.end()) p = it->second;
      }
      const bool a4 = ev[i].kind == model::EventKind::timeout && ctx.quirks.stale_decode_deadline &&
                      p != nullptr && p->decode_id == ev[i].request_id &&
                      ev[i].time < p->decode_enqueue_time;
      report(out, ctx, inst.id,
             "event " + std::to_string(i) + " (" + model::to_string(ev[i].kind) + " " +
                 ev[i].request_id + ") at " + kv("t", ev[i].time) + " < previous " +
                 kv("t", ev[i - 1].time),
             a4 ? "A4 (stale_decode_deadline)" : nullptr);
    }
  }
  return std::move(out).finish();
}

// L2: per instance, step intervals [start, end) are pairwise disjoint: in log order each step
// starts no earlier than the previous one ended, and end > start. Causal event logs also
// alternate STEP and STEP_END. Faithful: O1 — a step whose members all completed at its start
// cleared step_pending, so a QUEUED, decode enqueue or TIMEOUT inside it started the next step
// (with A5 the cluster also detected those completions at the start).
CheckResult check_law_c4_step_exclusive(const RunOutput& run) {
  const char* id = "LAW-C4-L2-STEP-EXCLUSIVE";
  bool any = false;
  for (const auto& inst : run.instances) any = any || inst.steps.has_value();
  if (!any) return not_applicable(id, "instances[].steps missing");
  const causal::LawContext ctx = causal::law_context(run);
  support::Violations out(id);
  for (const auto& inst : run.instances) {
    if (inst.steps) {
      const auto& st = *inst.steps;
      for (size_t i = 0; i < st.size(); ++i) {
        if (st[i].end <= st[i].start) {
          report(out, ctx, inst.id,
                 "step " + std::to_string(i) + " has " + kv("end", st[i].end) +
                     " <= " + kv("start", st[i].start),
                 nullptr);
        }
        if (i == 0 || st[i].start >= st[i - 1].end) continue;
        // O1's shape: the previous step emptied its batch at its start (every member completed
        // there), so no STEP was left pending at its end. Read from the STEP's event record
        // (state after the event), else from the members' REQUEST_LEFT times.
        const auto& prev = st[i - 1];
        bool emptied = false;
        if (inst.events) {
          for (const auto& e : *inst.events) {
            if (e.kind == model::EventKind::step && e.time == prev.start &&
                e.adv == prev.end - prev.start) {
              emptied = e.running_len == 0 && e.steps_pending == 0;
            }
          }
        } else if (inst.phase_times) {
          emptied = true;
          for (const auto& r : prev.batch) {
            auto it = inst.phase_times->find(r);
            emptied = emptied && it != inst.phase_times->end() && it->second.left == prev.end;
          }
        }
        const char* quirk = !emptied ? nullptr
                            : ctx.quirks.detect_completion_at_step_start
                                ? "O1/A5 (completion at step start clears step_pending; "
                                  "detect_completion_at_step_start)"
                                : "O1 (completion at step start clears step_pending)";
        report(out, ctx, inst.id,
               "step " + std::to_string(i) + " starts at " + kv("t", st[i].start) +
                   " inside step " + std::to_string(i - 1) + " [" + std::to_string(prev.start) +
                   ", " + std::to_string(prev.end) + ")",
               quirk);
      }
    }
    if (!ctx.causal || !inst.events) continue;
    // Causal logs: STEP and STEP_END alternate (Δ1), each STEP_END at its STEP's start + adv.
    bool in_step = false;
    int64_t expected_end = 0;
    for (size_t i = 0; i < inst.events->size(); ++i) {
      const auto& e = (*inst.events)[i];
      if (e.kind == model::EventKind::step) {
        if (e.adv == 0) continue;  // an orphan STEP (nothing to run) starts no step
        if (in_step) out.fail(inst.id, "event " + std::to_string(i) + ": STEP inside a step");
        in_step = true;
        expected_end = e.time + e.adv;
      } else if (e.kind == model::EventKind::step_end) {
        if (!in_step || e.time != expected_end) {
          out.fail(inst.id, "event " + std::to_string(i) + ": STEP_END at " + kv("t", e.time) +
                                (in_step ? " != STEP + adv = " + std::to_string(expected_end)
                                         : " without a step in flight"));
        }
        in_step = false;
      }
    }
  }
  return std::move(out).finish();
}

// L11: for every completed key, the last token was produced no later than sim_ended, and
// sim_ended <= H. Step form: no request's token-producing step (phase_times) ends after its
// instance's sim_ended. Faithful: O4 (a request completed at a step start <= H although its
// step ends after it), A11 (the standalone driver ran the first event past the horizon).
CheckResult check_law_c4_horizon(const RunOutput& run) {
  const char* id = "LAW-C4-L11-HORIZON";
  const causal::LawContext ctx = causal::law_context(run);
  support::Violations out(id);
  const auto& agg = run.aggregate.counters;
  if (!agg.sim_ended) return not_applicable(id, "aggregate.counters.sim_ended missing");
  const int64_t ended = *agg.sim_ended;
  if (ended > ctx.horizon) {
    report(out, ctx, "", kv("sim_ended", ended) + " > " + kv("horizon", ctx.horizon), nullptr);
  }
  const char* past_horizon = ctx.standalone && ctx.quirks.standalone_runs_event_past_horizon
                                 ? "O4/A11 (effects at step start; standalone_runs_event_past_"
                                   "horizon)"
                                 : "O4 (effects at step start, §8.3)";
  // A4's shape: a stale decode TIMEOUT stepped some instance's clock back, so sim_ended (the
  // clock at the end) lies before events already processed.
  bool clock_stepped_back = false;
  for (const auto& inst : run.instances) {
    if (!inst.events) continue;
    int64_t latest = 0;
    for (const auto& e : *inst.events) {
      clock_stepped_back = clock_stepped_back || e.time < latest;
      latest = std::max(latest, e.time);
    }
  }
  const char* a4 = ctx.quirks.stale_decode_deadline && clock_stepped_back
                       ? "A4 (stale_decode_deadline stepped the clock back)"
                       : nullptr;
  bool checked = false;
  if (ctx.has_coefficients()) {
    const causal::RunFacts facts(run);
    std::string missing;
    for (const auto& c : causal::completed_keys(run, facts, missing)) {
      const causal::RequestFacts* f = facts.facts(c.key);
      if (f == nullptr) continue;
      checked = true;
      const exact::Sum last = causal::last_token_time(c, *f, ctx);
      if (S(ended) < last) {
        // The faithful shape: the completing step started by sim_ended and ends after it.
        const causal::Placement* pl = facts.placement(c.token_id);
        const model::StepRecord* s = nullptr;
        if (pl != nullptr && pl->instance != nullptr && pl->left) {
          s = causal::RunFacts::step_ending(*pl->instance, *pl->left);
        }
        const bool shape = s == nullptr || s->start <= ended;
        report(out, ctx, c.key,
               "last token at a + e2e - P - n_tok*OTP = " + last.str() + " > " +
                   kv("sim_ended", ended),
               a4 != nullptr ? a4
               : shape       ? past_horizon
                             : nullptr);
      }
    }
  }
  for (const auto& inst : run.instances) {
    if (!inst.phase_times || !inst.counters.sim_ended) continue;
    checked = true;
    const int64_t inst_end = *inst.counters.sim_ended;
    for (const auto& [rid, ph] : *inst.phase_times) {
      const int64_t t = std::max(ph.first_token_step_end, ph.last_token_step_end);
      if (t <= inst_end) continue;
      report(out, ctx, rid,
             "token step ends at " + kv("t", t) + " > " + inst.id + " " + kv("sim_ended", inst_end),
             past_horizon);
    }
  }
  if (!checked) return not_applicable(id, "config (OTP, P) and instances[].phase_times missing");
  return std::move(out).finish();
}

}  // namespace simcheck::properties
