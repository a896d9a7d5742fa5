// Addendum C §C4, the laws about tokens and latencies: L6 (token accounting), L7 (latency order),
// L8 (no phantom first token), L9 (deadlines), L10 (no early completion). Strict under the causal
// profile; under the faithful profile a breach is a known exception only when a named quirk
// explains its shape.
#include <cmath>
#include <string>

#include "properties/causal_laws_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

using causal::report;
using causal::S;
using support::kv;

namespace {

bool decode_preempted(const model::ParentRecord& p, const causal::RunFacts& facts) {
  if (p.decode_sub && p.decode_sub->first_token_time != 0 &&
      !p.decode_sub->itl.empty()) {  // faithful: a first token only after a re-prefill
    return true;
  }
  const causal::Placement* pl = facts.placement(p.decode_id.view());
  return pl != nullptr && pl->phase != nullptr && pl->phase->preemptions > 0;
}

// A step of `id`'s instance in [from, to] (by start and end) whose batch lacks `id`: the request
// was skipped (or waiting) while it held a token stream, O3's shape.
bool skipped_a_step(const causal::Placement& pl, std::string_view id, int64_t from, int64_t to) {
  if (pl.instance == nullptr || !pl.instance->steps) return true;  // unconfirmable: no step log
  for (const auto& s : *pl.instance->steps) {
    if (s.start >= from && s.end <= to && !causal::RunFacts::in_batch(s, id)) return true;
  }
  return false;
}

}  // namespace

// L6: for every completed key (non-PD, or a parent whose decode completed), |itl| = n_tok - 1
// and e2e = ttft + Σ itl + P (parents: the decode sub-request's list). Non-PD keys, whose lists
// are not reported, satisfy e2e - ttft - P >= (n_tok - 1)(1 + OTP); per instance |all_itls| =
// Σ (n_tok - 1) over its completed requests (skipped when one was length-capped).
CheckResult check_law_c4_tokens(const RunOutput& run) {
  const char* id = "LAW-C4-L6-TOKENS";
  const causal::LawContext ctx = causal::law_context(run);
  if (!ctx.has_coefficients()) return not_applicable(id, "config missing (OTP, P)");
  const causal::RunFacts facts(run);
  std::string missing;
  const std::vector<causal::Completed> done = causal::completed_keys(run, facts, missing);
  if (done.empty() && !missing.empty()) return not_applicable(id, missing);
  support::Violations out(id);
  for (const auto& c : done) {
    if (!c.has_ttft) {
      report(out, ctx, c.key, "completed key without a TTFT entry", nullptr);
      continue;
    }
    const causal::RequestFacts* f = facts.facts(c.key);
    const int64_t N = f != nullptr ? f->output_len : c.n_tok;
    const int64_t P = N > 0 ? *ctx.post_decode : 0;
    if (c.parent) {
      const auto& itl = c.record->decode_sub->itl;
      exact::Sum sum;
      for (int64_t v : itl) sum.add(v);
      exact::Sum rhs(c.ttft);
      rhs.add(sum).add(P);
      const bool count_ok = static_cast<int64_t>(itl.size()) == c.n_tok - 1;
      if (count_ok && S(c.e2e) == rhs) continue;
      // A18: N decode-pod steps give N tokens only from the second on; the first decode step is
      // inside TTFT and in the ITL list (N = 1: one entry).
      exact::Sum rest(c.ttft);
      rest.add(P);
      for (size_t i = 1; i < itl.size(); ++i) rest.add(itl[i]);
      const bool a18 = (N == 1 && itl.size() == 1) || (!itl.empty() && S(c.e2e) == rest);
      const char* quirk = decode_preempted(*c.record, facts) ? "A14 (decode re-prefill)"
                          : a18 ? "A18 (N tokens from N - 1 decode steps)"
                                : nullptr;
      report(out, ctx, c.key,
             "|itl|=" + std::to_string(itl.size()) +
                 " (n_tok - 1 = " + std::to_string(c.n_tok - 1) + "), " + kv("e2e", c.e2e) +
                 " vs ttft + sum(itl) + P = " + rhs.str(),
             quirk);
      continue;
    }
    exact::Sum gap(c.e2e);
    gap.sub(c.ttft).sub(P);
    const exact::Sum least(std::max<int64_t>(c.n_tok - 1, 0) * (1 + *ctx.otp));
    if (gap < least) {
      report(out, ctx, c.key,
             "e2e - ttft - P = " + gap.str() + " < (n_tok - 1)(1 + OTP) = " + least.str(), nullptr);
    }
  }
  // Aggregate form, per instance (before projection).
  const auto parents = support::index_parents(run);
  for (const auto& inst : run.instances) {
    if (!inst.all_itls) continue;
    int64_t expected = 0, n1_decodes = 0;
    bool known = true;
    support::SortedCursor meta_of(inst.maps.requests_meta);
    for (const auto& [k, e2e] : inst.maps.e2e) {
      const model::RequestMeta* meta = meta_of.find(k);
      if (meta == nullptr || meta->length_capped) {
        known = false;
        break;
      }
      const int64_t N = meta->num_decode_tokens;
      expected += std::max<int64_t>(N - 1, 0);
      auto sub = parents.by_sub_id.find(std::string_view(k));
      if (N == 1 && sub != parents.by_sub_id.end() && sub->second->decode_id == k) ++n1_decodes;
    }
    const int64_t got = static_cast<int64_t>(inst.all_itls->size());
    if (!known || got == expected) continue;
    report(out, ctx, inst.id,
           "|all_itls|=" + std::to_string(got) + " != sum(n_tok - 1)=" + std::to_string(expected),
           got == expected + n1_decodes ? "A18 (an N = 1 decode sub-request has one ITL entry)"
                                        : nullptr);
  }
  return std::move(out).finish();
}

// L7: ttft[k] <= e2e[k] for every key with both; a PD parent has ttft iff it has e2e.
CheckResult check_law_c4_latency_order(const RunOutput& run) {
  const char* id = "LAW-C4-L7-LATENCY-ORDER";
  const causal::LawContext ctx = causal::law_context(run);
  const auto parents = support::index_parents(run);
  const model::MetricMaps& m = run.aggregate.maps;
  support::Violations out(id);
  using O = model::ParentOutcome;
  const auto quirk_of = [&](const model::ParentRecord* p) -> const char* {
    if (p == nullptr) return nullptr;
    if (p->outcome == O::dropped_at_start) return "A1/A2 (drop at transfer start reported)";
    if (p->outcome == O::decode_timed_out) return "O2 (decode timed out inside a step)";
    return nullptr;
  };
  support::SortedCursor e2e_of(m.e2e);
  for (const auto& [k, ttft] : m.ttft) {
    const double* e2e = e2e_of.find(k);
    const model::ParentRecord* p = parents.parent(k);
    if (e2e == nullptr) {
      if (p != nullptr) report(out, ctx, k, "PD parent with ttft but no e2e", nullptr);
      continue;
    }
    if (!std::isfinite(ttft) || !std::isfinite(*e2e) || !(S(*e2e) < S(ttft))) continue;
    report(out, ctx, k, kv("ttft", ttft) + " > " + kv("e2e", *e2e), quirk_of(p));
  }
  if (run.parents) {
    for (const auto& p : *run.parents) {
      if (m.e2e.count(p.id) != 0 && m.ttft.count(p.id) == 0) {
        report(out, ctx, p.id, "PD parent with e2e but no ttft", nullptr);
      }
    }
  }
  return std::move(out).finish();
}

// L8 (a): a TTFT without an E2E was produced by sim_ended and, for a request that timed out, was
// visible by its deadline; a PD parent's TTFT needs a decode sub-request that received its KV and
// produced something. (b) non-PD completed keys: ttft - sched_delay >= s_P + OTP. (c) step form:
// a first token is reported only at the end of a step whose batch holds the request, and is
// observed (a + ttft on its instance) no earlier than that end + OTP.
CheckResult check_law_c4_no_phantom_token(const RunOutput& run) {
  const char* id = "LAW-C4-L8-NO-PHANTOM-TOKEN";
  const causal::LawContext ctx = causal::law_context(run);
  if (!ctx.has_coefficients()) return not_applicable(id, "config missing (OTP, s_P)");
  const causal::RunFacts facts(run);
  const model::MetricMaps& m = run.aggregate.maps;
  const std::optional<int64_t> ended = run.aggregate.counters.sim_ended;
  support::Violations out(id);
  const char* a7 = "A7 (zero-new-token admission: a first token without compute)";
  // (a)
  support::SortedCursor e2e_of(m.e2e);
  for (const auto& [k, ttft] : m.ttft) {
    if (!std::isfinite(ttft)) continue;
    const model::ParentRecord* p = facts.parents().parent(k);
    if (p != nullptr) {
      const bool produced =
          p->decode_sub && (p->decode_sub->first_token_time != 0 || !p->decode_sub->itl.empty());
      if (!produced || p->transfer_complete_time <= 0) {
        report(out, ctx, k, "PD parent TTFT without a decode sub-request that ran",
               ctx.quirks.dropped_parent_counts_completed ? "A1 (T-FALLBACK)" : nullptr);
      }
    }
    if (e2e_of.find(k) != nullptr) continue;
    const causal::RequestFacts* f = facts.facts(k);
    if (f == nullptr) continue;
    exact::Sum produced_at(f->arrival);
    produced_at.add(ttft).sub(*ctx.otp);
    if (ended && S(*ended) < produced_at) {
      report(out, ctx, k,
             "first token produced at " + produced_at.str() + " > " + kv("sim_ended", *ended),
             "O4 (effects at step start)");
    }
    if (ended && f->deadline > 0 && f->deadline <= *ended) {
      exact::Sum visible(f->arrival);
      visible.add(ttft);
      if (S(f->deadline) < visible) {
        report(out, ctx, k,
               "timed out at " + kv("deadline", f->deadline) +
                   " before its first token was "
                   "visible at " +
                   visible.str(),
               p != nullptr ? "O2 (decode timed out inside a step)"
                            : "O2 (timed out inside its prefill step)");
      }
    }
  }
  // (b)
  std::string missing;
  for (const auto& c : causal::completed_keys(run, facts, missing)) {
    if (c.parent || !c.has_ttft) continue;
    const auto sd = m.sched_delay.find(c.key);
    if (sd == m.sched_delay.end()) continue;
    exact::Sum compute(c.ttft);
    compute.sub(sd->second);
    const exact::Sum least(*ctx.s_prefill + *ctx.otp);
    if (!(compute < least)) continue;
    const causal::Placement* pl = facts.placement(c.key);
    const causal::RequestFacts* f = facts.facts(c.key);
    bool shape = true;  // without a step log the shape cannot be confirmed or refuted
    if (pl != nullptr && pl->instance != nullptr && pl->instance->steps && f != nullptr) {
      const model::StepRecord* s =
          causal::RunFacts::step_starting(*pl->instance, f->arrival + sd->second);
      shape = s != nullptr && !causal::RunFacts::in_batch(*s, c.key);
    }
    report(out, ctx, c.key,
           "ttft - sched_delay = " + compute.str() + " < s_P + OTP = " + least.str(),
           shape ? a7 : nullptr);
  }
  // (c)
  for (const auto& inst : run.instances) {
    if (!inst.phase_times) continue;
    support::SortedCursor ttft_of(inst.maps.ttft);
    for (const auto& [rid, ph] : *inst.phase_times) {
      const double* ttft = ttft_of.find(rid);
      if (ph.first_token_step_end < 0) continue;
      if (inst.steps) {
        const model::StepRecord* s = causal::RunFacts::step_ending(inst, ph.first_token_step_end);
        bool found = false;
        for (const auto& st : *inst.steps) {
          if (st.end == ph.first_token_step_end && causal::RunFacts::in_batch(st, rid)) {
            found = true;
          }
        }
        if (!found) {
          report(out, ctx, rid,
                 "first token at step end " + std::to_string(ph.first_token_step_end) +
                     (s == nullptr ? ": no step ends there" : ": not in that step's batch"),
                 s != nullptr ? a7 : nullptr);
        }
      }
      const causal::RequestFacts* f = facts.facts(rid);
      if (ttft == nullptr || f == nullptr || !std::isfinite(*ttft)) continue;
      exact::Sum observed(f->arrival);
      observed.add(*ttft);
      if (observed < S(ph.first_token_step_end + *ctx.otp)) {
        report(out, ctx, rid,
               "first token observed at a + ttft = " + observed.str() +
                   " < step end + OTP = " + std::to_string(ph.first_token_step_end + *ctx.otp),
               nullptr);
      }
    }
  }
  return std::move(out).finish();
}

// L9: for every completed key with a deadline d > 0, the last token was produced by d:
// a + e2e - P - n_tok*OTP <= d. Step form: no token-producing step of a request (or
// sub-request) with a deadline ends after it. Faithful: O2 (completion or token at the start of
// a step that ends after the deadline).
CheckResult check_law_c4_deadline(const RunOutput& run) {
  const char* id = "LAW-C4-L9-DEADLINE";
  if (!run.trace) return not_applicable(id, "trace missing (deadlines)");
  const causal::LawContext ctx = causal::law_context(run);
  const causal::RunFacts facts(run);
  support::Violations out(id);
  const char* o2 = "O2 (effects at step start beat the deadline)";
  // A11: the standalone driver ran a step past the horizon, and a deadline beyond the horizon
  // has no TIMEOUT (§7.2 step 8), so that step's tokens can follow the deadline.
  const char* a11 = "A11 (standalone_runs_event_past_horizon; no TIMEOUT past the horizon)";
  const auto shape_of = [&](const model::StepRecord* s, int64_t deadline) -> const char* {
    if (s == nullptr) return o2;
    if (s->start <= deadline) return o2;
    if (ctx.standalone && ctx.quirks.standalone_runs_event_past_horizon && s->start > ctx.horizon) {
      return a11;
    }
    return nullptr;
  };
  if (ctx.has_coefficients()) {
    std::string missing;
    for (const auto& c : causal::completed_keys(run, facts, missing)) {
      const causal::RequestFacts* f = facts.facts(c.key);
      if (f == nullptr || f->deadline <= 0) continue;
      const exact::Sum last = causal::last_token_time(c, *f, ctx);
      if (!(S(f->deadline) < last)) continue;
      const causal::Placement* pl = facts.placement(c.token_id);
      bool shape = true;
      if (pl != nullptr && pl->instance != nullptr && pl->instance->steps && pl->left) {
        const model::StepRecord* s = causal::RunFacts::step_ending(*pl->instance, *pl->left);
        shape = s != nullptr && s->start <= f->deadline;
      }
      report(out, ctx, c.key, "last token at " + last.str() + " > " + kv("deadline", f->deadline),
             shape ? o2 : nullptr);
    }
  }
  for (const auto& inst : run.instances) {
    if (!inst.phase_times) continue;
    for (const auto& [rid, ph] : *inst.phase_times) {
      const causal::RequestFacts* f = facts.facts(rid);
      if (f == nullptr || f->deadline <= 0) continue;
      const int64_t t = std::max(ph.first_token_step_end, ph.last_token_step_end);
      if (t <= f->deadline) continue;
      const model::StepRecord* s = causal::RunFacts::step_ending(inst, t);
      const char* quirk = s == nullptr ? (inst.steps ? nullptr : o2) : shape_of(s, f->deadline);
      report(out, ctx, rid,
             "token step ends at " + kv("t", t) + " > " + kv("deadline", f->deadline), quirk);
    }
  }
  return std::move(out).finish();
}

// L10: for every completed key, a + e2e - P - n_tok*OTP = t_left(k) (parents: of the decode
// sub-request). Faithful: O3 (an ITL of adv + OTP ignores skipped steps, so the identity falls
// short), A18 (a PD parent with N >= 2 is one OTP short), O4 (REQUEST_LEFT past the horizon).
CheckResult check_law_c4_no_early_completion(const RunOutput& run) {
  const char* id = "LAW-C4-L10-NO-EARLY-COMPLETION";
  const causal::LawContext ctx = causal::law_context(run);
  if (!ctx.has_coefficients()) return not_applicable(id, "config missing (OTP, P)");
  bool any = false;
  for (const auto& inst : run.instances) any = any || inst.events || inst.phase_times;
  if (!any) return not_applicable(id, "instances[].events and instances[].phase_times missing");
  const causal::RunFacts facts(run);
  support::Violations out(id);
  std::string missing;
  for (const auto& c : causal::completed_keys(run, facts, missing)) {
    const causal::RequestFacts* f = facts.facts(c.key);
    const causal::Placement* pl = facts.placement(c.token_id);
    if (f == nullptr || pl == nullptr) continue;
    const exact::Sum last = causal::last_token_time(c, *f, ctx);
    if (!pl->left) {
      report(out, ctx, c.key, "completed but REQUEST_LEFT was never processed",
             ctx.horizon != model::kNoHorizon ? "O4 (completion at step start)" : nullptr);
      continue;
    }
    const int64_t left = *pl->left;
    if (last == S(left)) continue;
    const int64_t shift = (c.parent && f->output_len >= 2) ? *ctx.otp : 0;  // A18's missing OTP
    const char* quirk = nullptr;
    if (shift > 0 && last == S(left - shift)) {
      quirk = "A18 (N tokens from N - 1 decode steps: one OTP short)";
    } else if (last < S(left - shift)) {
      const int64_t from = pl->phase != nullptr ? pl->phase->first_scheduled : 0;
      if (skipped_a_step(*pl, c.token_id, from, left)) {
        quirk = shift > 0 ? "O3/A18 (ITL ignores skipped steps; one OTP short)"
                          : "O3 (ITL = adv + OTP ignores skipped steps)";
      }
    }
    report(out, ctx, c.key,
           "a + e2e - P - n_tok*OTP = " + last.str() + " != t_left = " + std::to_string(left),
           quirk);
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
