// Addendum C §C4 on any simulator's own timeline: laws over the per-request phase times
// (InstanceOutput::phase_times, with the step log), in the form a source without parent records
// (BLIS's debug log) can feed; the step log's own laws are LAW-C4-L1/L2 (check_causal_steps.cpp).
// Under a configuration that says `causal` every breach gates; otherwise (the faithful profile, or
// an external run without configuration) a breach whose shape a §13 / §C3 quirk explains is a known
// exception naming it, and any other breach gates.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

using support::kv;

namespace {

bool any_phase_times(const model::RunOutput& run) {
  for (const auto& inst : run.instances)
    if (inst.phase_times) return true;
  return false;
}

// Faithful unless the run's configuration says causal. (An external run has no configuration,
// or the one simcheck exported it from, which is faithful.)
bool causal(const model::RunOutput& run) { return run.config && run.config->causal(); }

void breach(support::Violations& out, const model::RunOutput& run, std::string_view subject,
            std::string detail, const char* quirk) {
  if (quirk != nullptr && !causal(run)) {
    out.known(subject, detail + "; explained by " + quirk);
  } else {
    out.fail(subject, std::move(detail));
  }
}

// Every request's phase times, whatever instance holds them.
struct Located {
  const model::InstanceOutput* instance = nullptr;
  const model::RequestPhaseTimes* times = nullptr;
};
std::unordered_map<std::string_view, Located> all_times(const model::RunOutput& run) {
  std::unordered_map<std::string_view, Located> out;
  for (const auto& inst : run.instances) {
    if (!inst.phase_times) continue;
    for (const auto& [id, t] : *inst.phase_times)
      out.emplace(std::string_view(id), Located{&inst, &t});
  }
  return out;
}

// O3's shape: between the request's first and last token the instance ran a step without it
// (Phase 1 stopped before it), which the faithful ITL (adv + OTP per token) does not count.
bool skipped_a_step(const Located& at, std::string_view id) {
  if (at.instance == nullptr || !at.instance->steps) return false;
  for (const model::StepRecord& s : *at.instance->steps) {
    if (s.start < at.times->first_token_step_end || s.end > at.times->last_token_step_end) continue;
    if (std::find(s.batch.begin(), s.batch.end(), id) == s.batch.end()) return true;
  }
  return false;
}

// Arrival (µs) of each request key: from the trace when present, else requests_meta (whole µs).
std::unordered_map<std::string_view, int64_t> arrivals(const model::RunOutput& run) {
  std::unordered_map<std::string_view, int64_t> out;
  if (run.trace) {
    for (const auto& t : *run.trace) out.emplace(t.id, t.arrival);
    return out;
  }
  for (const auto& [id, meta] : run.aggregate.maps.requests_meta) {
    out.emplace(std::string_view(id), std::llround(meta.arrived_at_s * 1e6));
  }
  return out;
}

}  // namespace

// L3 on phase times: a decode sub-request's KV transfer starts no earlier than the end of the
// prefill step that computed that KV, and the decode pod uses it only after it arrived.
// Faithful: A5 explains a transfer that starts inside the prefill's last step.
CheckResult check_timeline_kv_ready(const model::RunOutput& run) {
  const char* id = "LAW-TL-KV-READY";
  if (!any_phase_times(run)) return not_applicable(id, "instances[].phase_times missing");
  const auto times = all_times(run);
  support::Violations out(id);
  bool any = false;
  for (const auto& inst : run.instances) {
    if (!inst.phase_times) continue;
    for (const auto& [dec_id, t] : *inst.phase_times) {
      if (t.kv_from.empty() || t.kv_transfer_start < 0) continue;
      any = true;
      auto p = times.find(t.kv_from);
      const model::RequestPhaseTimes* pre = p == times.end() ? nullptr : p->second.times;
      if (pre != nullptr && pre->last_token_step_end >= 0 &&
          t.kv_transfer_start < pre->last_token_step_end) {
        const bool inside_last_step =
            pre->first_scheduled >= 0 && t.kv_transfer_start >= pre->first_scheduled;
        breach(out, run, dec_id,
               kv("kv_transfer_start", t.kv_transfer_start) + " < end of " + t.kv_from +
                   "'s last prefill step " + std::to_string(pre->last_token_step_end),
               inside_last_step ? "A5 (KV transfer starts at the prefill step's start)" : nullptr);
      }
      if (t.first_scheduled >= 0 && t.kv_transfer_complete >= 0 &&
          t.first_scheduled < t.kv_transfer_complete) {
        out.fail(dec_id, kv("first_scheduled", t.first_scheduled) + " < " +
                             kv("kv_transfer_complete", t.kv_transfer_complete));
      }
    }
  }
  if (!any) return not_applicable(id, "no KV transfer in phase_times");
  return std::move(out).finish();
}

// A token is observed only after the step that computes it ends: for every key with a TTFT
// entry, arrival + ttft >= the end of the step that produced the first token; for every key with
// an E2E entry whose request finished, arrival + e2e >= the end of its last step. PD parents are
// judged on their decode sub-request (`<id>_decode`). Faithful: A18 explains a PD parent's E2E
// that misses its last decode step; O3 a non-PD E2E shortened by skipped steps (ITL = adv + OTP).
CheckResult check_timeline_token_after_step(const model::RunOutput& run) {
  const char* id = "LAW-TL-TOKEN-AFTER-STEP";
  if (!any_phase_times(run)) return not_applicable(id, "instances[].phase_times missing");
  const auto times = all_times(run);
  const auto arrival = arrivals(run);
  const model::MetricMaps& m = run.aggregate.maps;
  support::Violations out(id);
  std::string decode_id;
  auto lookup = [&](std::string_view key) -> std::pair<Located, bool> {
    decode_id.assign(key);
    decode_id += "_decode";
    auto d = times.find(decode_id);
    if (d != times.end()) return {d->second, true};
    auto r = times.find(key);
    return {r == times.end() ? Located{} : r->second, false};
  };
  for (const auto& [key, ttft] : m.ttft) {
    auto [at, pd] = lookup(key);
    const model::RequestPhaseTimes* t = at.times;
    auto a = arrival.find(std::string_view(key));
    if (t == nullptr || a == arrival.end() || t->first_token_step_end < 0) continue;
    if (!std::isfinite(ttft)) continue;
    const double seen = static_cast<double>(a->second) + ttft;
    if (seen < static_cast<double>(t->first_token_step_end)) {
      breach(
          out, run, key,
          "arrival + " + kv("ttft", ttft) + " = " + std::to_string(seen) +
              " < end of the first-token step " + std::to_string(t->first_token_step_end),
          pd ? "A5/A18 (the decode sub-request's token is stamped at its step's start)" : nullptr);
    }
  }
  for (const auto& [key, e2e] : m.e2e) {
    auto [at, pd] = lookup(key);
    const model::RequestPhaseTimes* t = at.times;
    auto a = arrival.find(std::string_view(key));
    if (t == nullptr || a == arrival.end() || t->last_token_step_end < 0) continue;
    if (!std::isfinite(e2e)) continue;
    const double done = static_cast<double>(a->second) + e2e;
    if (done < static_cast<double>(t->last_token_step_end)) {
      breach(out, run, key,
             "arrival + " + kv("e2e", e2e) + " = " + std::to_string(done) +
                 " < end of the last step " + std::to_string(t->last_token_step_end),
             pd ? "A18 (a PD parent's last decode step is missing from its E2E)"
             : skipped_a_step(at, key) ? "O3 (ITL = adv + OTP ignores the steps that skipped it)"
                                       : nullptr);
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
