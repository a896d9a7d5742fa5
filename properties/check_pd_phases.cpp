// Spec §11 INV-PD-1 (KV completeness), INV-PD-4 (phase causality, with the §9.7 stale-deadline
// exception) and INV-PD-6b (the post-decode overhead P carried exactly once), over the §9.1
// parent records.
#include <cmath>
#include <string>
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using support::kv;

std::optional<CheckResult> pd_parents_required(const RunOutput& run, const char* id) {
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  return std::nullopt;
}

constexpr double kTwo53 = 9007199254740992.0;

// An integer-valued double of magnitude < 2^53: binary64 sums of such values that stay below
// 2^53 are exact, so a formula the spec evaluates in binary64 can be compared as mathematics.
bool small_integer(double d) { return exact::is_integral(d) && std::fabs(d) < kTwo53; }

}  // namespace

CheckResult check_pd_kv_completeness(const RunOutput& run) {
  if (auto na = pd_parents_required(run, "INV-PD-1")) return *na;
  support::Violations out("INV-PD-1");
  for (const auto& p : *run.parents) {
    if (p.decode_enqueue_time <= 0) continue;
    // The decode sub-request may be enqueued only once its KV has arrived.
    if (p.transfer_complete_time <= 0 || p.decode_enqueue_time < p.transfer_complete_time) {
      out.fail(p.id, kv("decode_enqueue_time", p.decode_enqueue_time) + " before " +
                         kv("transfer_complete_time", p.transfer_complete_time));
    }
  }
  return std::move(out).finish();
}

CheckResult check_pd_phase_causality(const RunOutput& run) {
  if (auto na = pd_parents_required(run, "INV-PD-4")) return *na;
  support::Violations out("INV-PD-4");
  const bool overhead_known = run.config.has_value();
  const int64_t overhead = overhead_known ? run.config->post_decode_fixed_overhead_us : 0;
  // The causal profile has no stale deadline (Addendum C Δ5): no exception there.
  const bool quirk_on =
      !run.config || (run.config->quirks.stale_decode_deadline && !run.config->causal());
  std::unordered_map<std::string_view, int64_t> deadline;
  if (run.trace) {
    for (const auto& t : *run.trace) deadline.emplace(t.id, t.deadline);
  }
  for (const auto& p : *run.parents) {
    if (p.transfer_complete_time <= 0 || p.decode_enqueue_time <= 0) continue;
    const bool chain = p.arrival <= p.prefill_enqueue_time &&
                       p.prefill_enqueue_time <= p.prefill_complete_time &&
                       p.prefill_complete_time == p.transfer_start_time &&
                       p.transfer_start_time <= p.transfer_complete_time &&
                       p.transfer_complete_time <= p.decode_enqueue_time;
    if (!chain) {
      out.fail(p.id, "phase order broken: " + kv("arrival", p.arrival) + " " +
                         kv("prefill_enqueue", p.prefill_enqueue_time) + " " +
                         kv("prefill_complete", p.prefill_complete_time) + " " +
                         kv("transfer_start", p.transfer_start_time) + " " +
                         kv("transfer_complete", p.transfer_complete_time) + " " +
                         kv("decode_enqueue", p.decode_enqueue_time));
    }
    if (p.outcome == model::ParentOutcome::decode_completed) {
      if (p.decode_detect_tick < p.decode_enqueue_time) {
        out.fail(p.id, kv("decode_detect_tick", p.decode_detect_tick) + " < " +
                           kv("decode_enqueue_time", p.decode_enqueue_time));
      }
      if (overhead_known && p.completion_time != p.decode_detect_tick + overhead) {
        out.fail(p.id, kv("completion_time", p.completion_time) +
                           " != " + kv("decode_detect_tick", p.decode_detect_tick) + " + " +
                           kv("P", overhead));
      }
    } else if (p.outcome == model::ParentOutcome::decode_timed_out &&
               p.completion_time < p.decode_enqueue_time) {
      // A decode timeout is detected no earlier than the enqueue, except when the original
      // deadline passed during the transfer (§9.7 stale deadline; then completion = deadline).
      const std::string detail = kv("completion_time", p.completion_time) + " < " +
                                 kv("decode_enqueue_time", p.decode_enqueue_time);
      const auto d = deadline.find(p.id);
      const bool matches_deadline = d == deadline.end() || d->second == p.completion_time;
      if (quirk_on && matches_deadline) {
        out.known(p.id, detail + " (stale decode deadline, §9.7, A4)");
      } else {
        out.fail(p.id, detail + (quirk_on ? " and completion_time is not the deadline" : ""));
      }
    }
  }
  return std::move(out).finish();
}

CheckResult check_pd_post_decode_overhead(const RunOutput& run) {
  if (auto na = pd_parents_required(run, "INV-PD-6b")) return *na;
  if (!run.config) return not_applicable("INV-PD-6b", "config missing (P)");
  support::Violations out("INV-PD-6b");
  const int64_t P = run.config->post_decode_fixed_overhead_us;
  const model::MetricMaps& m = run.aggregate.maps;
  for (const auto& p : *run.parents) {
    if (p.outcome != model::ParentOutcome::decode_completed) continue;
    // The lifecycle field.
    if (p.completion_time != p.decode_detect_tick + P) {
      out.fail(p.id, kv("completion_time", p.completion_time) + " != " +
                         kv("decode_detect_tick", p.decode_detect_tick) + " + " + kv("P", P));
    }
    // The metric: for a never-preempted decode with ITLs, E-PRIMARY and T-PRIMARY give
    // e2e = dd + (0 + sum(itl) + P) and ttft = dd + itl[0], so e2e - ttft - sum(itl[1..]) = P.
    if (!p.decode_sub || p.decode_sub->first_token_time != 0 || p.decode_sub->itl.empty()) {
      continue;
    }
    const auto e2e = m.e2e.find(p.id);
    const auto ttft = m.ttft.find(p.id);
    if (e2e == m.e2e.end() || ttft == m.ttft.end()) continue;  // INV-PD-6 / C-3 report it
    if (!small_integer(e2e->second) || !small_integer(ttft->second)) continue;
    exact::Sum carried(e2e->second);
    carried.sub(ttft->second);
    for (std::size_t i = 1; i < p.decode_sub->itl.size(); ++i) carried.sub(p.decode_sub->itl[i]);
    if (!(carried == exact::Sum(P))) {
      out.fail(p.id, "e2e - ttft - sum(itl[1..]) = " + carried.str() + " != " + kv("P", P) + " (" +
                         kv("e2e", e2e->second) + " " + kv("ttft", ttft->second) + ")");
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
