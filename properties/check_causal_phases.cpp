// Addendum C §C4, the laws about a PD parent's phases: L3 (KV readiness), L4 (phase order) and
// L5 (PD first-token bound). Strict under the causal profile; under the faithful profile a breach
// is a known exception only when a named quirk explains its shape.
#include <cmath>
#include <string>

#include "properties/causal_laws_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

using causal::report;
using causal::S;
using support::kv;

namespace {

// prefill_end(p): when the prefill's final step ended. From the prefill instance's phase times
// when present, else a + ttft_inst[p_prefill] - OTP (§C4 symbols).
std::optional<int64_t> prefill_end(const RunOutput& run, const model::ParentRecord& p,
                                   const causal::LawContext& ctx) {
  const model::InstanceOutput* inst = support::find_instance(run, p.prefill_instance);
  if (inst == nullptr) return std::nullopt;
  if (inst->phase_times) {
    auto it = inst->phase_times->find(p.prefill_id);
    if (it != inst->phase_times->end() && it->second.first_token_step_end >= 0) {
      return it->second.first_token_step_end;
    }
  }
  if (!ctx.otp) return std::nullopt;
  auto t = inst->maps.ttft.find(p.prefill_id);
  if (t == inst->maps.ttft.end() || !exact::is_integral(t->second)) return std::nullopt;
  return p.arrival + static_cast<int64_t>(t->second) - *ctx.otp;
}

// A5's shape: the transfer started at the start of the prefill's final step, which ended at
// `end` (confirmed on the step log when there is one).
bool a5_shape(const RunOutput& run, const model::ParentRecord& p, int64_t end,
              const causal::LawContext& ctx) {
  if (!ctx.quirks.detect_completion_at_step_start || p.transfer_start_time >= end) return false;
  const model::InstanceOutput* inst = support::find_instance(run, p.prefill_instance);
  if (inst == nullptr || !inst->steps) return true;
  const model::StepRecord* s = causal::RunFacts::step_starting(*inst, p.transfer_start_time);
  return s != nullptr && s->end == end;
}

constexpr const char* kA5 = "A5 (detect_completion_at_step_start)";

}  // namespace

// L3: transfer_start_time >= prefill_end(p) for every parent whose transfer started (drops
// included), and decode_enqueue_time >= transfer_complete_time when both are set.
CheckResult check_law_c4_kv_ready(const RunOutput& run) {
  const char* id = "LAW-C4-L3-KV-READY";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  const causal::LawContext ctx = causal::law_context(run);
  support::Violations out(id);
  for (const auto& p : *run.parents) {
    if (p.transfer_start_time > 0) {
      const std::optional<int64_t> end = prefill_end(run, p, ctx);
      if (end && p.transfer_start_time < *end) {
        report(out, ctx, p.id,
               kv("transfer_start_time", p.transfer_start_time) + " < " + kv("prefill_end", *end),
               a5_shape(run, p, *end, ctx) ? kA5 : nullptr);
      }
    }
    if (p.decode_enqueue_time > 0 && p.transfer_complete_time > 0 &&
        p.decode_enqueue_time < p.transfer_complete_time) {
      report(out, ctx, p.id,
             kv("decode_enqueue_time", p.decode_enqueue_time) + " < " +
                 kv("transfer_complete_time", p.transfer_complete_time),
             nullptr);
    }
  }
  return std::move(out).finish();
}

// L4: for every parent with transfer_complete_time > 0: a <= prefill_enqueue <= prefill_complete
// = transfer_start <= transfer_complete = decode_enqueue <= completion_time (the last when the
// parent is terminal), and if its decode completed, completion_time - P = decode_detect_tick =
// t_left(p_decode).
CheckResult check_law_c4_phase_order(const RunOutput& run) {
  const char* id = "LAW-C4-L4-PHASE-ORDER";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  const causal::LawContext ctx = causal::law_context(run);
  const causal::RunFacts facts(run);
  support::Violations out(id);
  using O = model::ParentOutcome;
  for (const auto& p : *run.parents) {
    if (p.transfer_complete_time <= 0) continue;
    const auto chain = [&](const char* a, int64_t x, const char* b, int64_t y, bool equal) {
      if (equal ? x == y : x <= y) return;
      report(out, ctx, p.id, kv(a, x) + (equal ? " != " : " > ") + kv(b, y), nullptr);
    };
    chain("arrival", p.arrival, "prefill_enqueue_time", p.prefill_enqueue_time, false);
    chain("prefill_enqueue_time", p.prefill_enqueue_time, "prefill_complete_time",
          p.prefill_complete_time, false);
    chain("prefill_complete_time", p.prefill_complete_time, "transfer_start_time",
          p.transfer_start_time, true);
    chain("transfer_start_time", p.transfer_start_time, "transfer_complete_time",
          p.transfer_complete_time, false);
    if (p.outcome != O::late_drop) {
      chain("transfer_complete_time", p.transfer_complete_time, "decode_enqueue_time",
            p.decode_enqueue_time, true);
    }
    const bool terminal = p.outcome == O::decode_completed || p.outcome == O::decode_timed_out;
    if (terminal && p.completion_time < p.decode_enqueue_time) {
      const bool a4 = p.outcome == O::decode_timed_out && ctx.quirks.stale_decode_deadline;
      report(out, ctx, p.id,
             kv("completion_time", p.completion_time) + " < " +
                 kv("decode_enqueue_time", p.decode_enqueue_time),
             a4 ? "A4 (stale_decode_deadline)" : nullptr);
    }
    if (p.outcome != O::decode_completed) continue;
    if (ctx.post_decode && p.completion_time - *ctx.post_decode != p.decode_detect_tick) {
      report(out, ctx, p.id,
             kv("completion_time", p.completion_time) + " - " + kv("P", *ctx.post_decode) +
                 " != " + kv("decode_detect_tick", p.decode_detect_tick),
             nullptr);
    }
    const causal::Placement* pl = facts.placement(p.decode_id.view());
    if (pl == nullptr || pl->instance == nullptr ||
        !(pl->instance->events || pl->instance->phase_times)) {
      continue;  // t_left unknown: the source logs neither events nor phase times
    }
    if (!pl->left) {
      // Faithful O4: the decode completed at the start of a step ending past the horizon, so its
      // REQUEST_LEFT never ran.
      const model::StepRecord* s =
          causal::RunFacts::step_starting(*pl->instance, p.decode_detect_tick);
      const bool o4 = ctx.horizon != model::kNoHorizon && (s == nullptr || s->end > ctx.horizon);
      report(out, ctx, p.id, "decode completed but its REQUEST_LEFT was never processed",
             o4 ? "O4 (completion at step start, step ends past the horizon)" : nullptr);
      continue;
    }
    if (*pl->left != p.decode_detect_tick) {
      bool a5 = ctx.quirks.detect_completion_at_step_start && *pl->left > p.decode_detect_tick;
      if (a5 && pl->instance->steps) {
        const model::StepRecord* s =
            causal::RunFacts::step_starting(*pl->instance, p.decode_detect_tick);
        a5 = s != nullptr && s->end == *pl->left;
      }
      report(out, ctx, p.id,
             kv("decode_detect_tick", p.decode_detect_tick) + " != t_left(" +
                 std::string(p.decode_id.view()) + ") = " + std::to_string(*pl->left),
             a5 ? kA5 : nullptr);
    }
  }
  return std::move(out).finish();
}

// L5: for every served parent (faithful: every parent with a TTFT entry),
// ttft[p] >= (prefill_end(p) - a) + dur(p) + s_D + OTP.
CheckResult check_law_c4_pd_first_token(const RunOutput& run) {
  const char* id = "LAW-C4-L5-PD-FIRST-TOKEN";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  const causal::LawContext ctx = causal::law_context(run);
  if (!ctx.has_coefficients()) return not_applicable(id, "config missing (OTP, s_D)");
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  for (const auto& p : *run.parents) {
    const auto t = m.ttft.find(p.id);
    if (t == m.ttft.end() || !std::isfinite(t->second)) {
      if (ctx.causal && p.served) out.fail(p.id, "served parent without a TTFT entry");
      continue;
    }
    const bool produced =
        p.decode_sub && (p.decode_sub->first_token_time != 0 || !p.decode_sub->itl.empty());
    if (p.transfer_complete_time <= 0) {
      // Nothing was transferred, so no decode token can exist: only A1's T-FALLBACK does this.
      report(out, ctx, p.id, "TTFT entry but transfer_complete_time = 0",
             ctx.quirks.dropped_parent_counts_completed ? "A1 (T-FALLBACK)" : nullptr);
      continue;
    }
    const std::optional<int64_t> end = prefill_end(run, p, ctx);
    if (!end) continue;
    const int64_t dur = p.transfer_complete_time - p.transfer_start_time;
    exact::Sum bound(*end - p.arrival);
    bound.add(dur).add(*ctx.s_decode).add(*ctx.otp);
    if (!(S(t->second) < bound)) continue;
    const char* quirk = nullptr;
    if (!produced && ctx.quirks.dropped_parent_counts_completed) {
      quirk = "A1 (T-FALLBACK: the prefill's token)";
    } else if (a5_shape(run, p, *end, ctx)) {
      quirk = "A5 (detect_completion_at_step_start: the prefill step is omitted)";
    }
    report(out, ctx, p.id,
           kv("ttft", t->second) + " < (prefill_end - a) + dur + s_D + OTP = " + bound.str(),
           quirk);
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
