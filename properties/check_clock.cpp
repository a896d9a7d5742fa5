// Spec §11 INV-3 (per-instance clock monotonicity, with the §9.7 stale-deadline exception) and
// §7.10 sim_ended = min(clock, horizon) checked against the processed-event log (LAW-END-TIME).
#include <algorithm>
#include <string>
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {
namespace {

bool any_events(const RunOutput& run) {
  return std::any_of(run.instances.begin(), run.instances.end(),
                     [](const auto& inst) { return inst.events.has_value(); });
}

constexpr const char* kNoEvents = "instances[].events missing (record_events off)";

}  // namespace

CheckResult check_clock(const RunOutput& run) {
  using support::kv;
  if (!any_events(run)) return not_applicable("INV-3", kNoEvents);
  support::Violations out("INV-3");
  const auto parents = support::index_parents(run);
  const bool pd = support::is_pd_run(run);
  // The exception exists only while the quirk is on (a "causal" profile turns it off).
  // The causal profile has no stale deadline (Addendum C Δ5): no exception there.
  const bool quirk_on =
      !run.config || (run.config->quirks.stale_decode_deadline && !run.config->causal());
  std::unordered_map<std::string_view, int64_t> deadline;
  if (run.trace) {
    for (const auto& t : *run.trace) deadline.emplace(t.id, t.deadline);
  }
  // The documented exception: a TIMEOUT of a decode sub-request whose deadline lies before its
  // decode_enqueue_time (§9.7). With parent records it is confirmed from them (and from the
  // trace's deadline when known); without them a PD run's "<id>_decode" TIMEOUT is accepted.
  auto stale_deadline = [&](const model::EventRecord& e, std::string& why) {
    if (!quirk_on || !pd || e.kind != model::EventKind::timeout) return false;
    if (run.parents) {
      auto it = parents.by_sub_id.find(e.request_id);
      if (it == parents.by_sub_id.end() || it->second->decode_id != e.request_id) return false;
      const model::ParentRecord& p = *it->second;
      if (!(e.time < p.decode_enqueue_time)) return false;
      if (auto d = deadline.find(p.id); d != deadline.end() && d->second != e.time) return false;
      why = "stale decode deadline: " + kv("deadline", e.time) + " < " +
            kv("decode_enqueue_time", p.decode_enqueue_time) + " (§9.7, A4)";
      return true;
    }
    const std::string_view id = e.request_id, suffix = "_decode";
    if (id.size() < suffix.size() || id.substr(id.size() - suffix.size()) != suffix) return false;
    why = "TIMEOUT of a decode sub-request (stale deadline, §9.7, A4; no parent records)";
    return true;
  };
  for (const auto& inst : run.instances) {
    if (!inst.events) continue;
    const auto& ev = *inst.events;
    for (std::size_t i = 1; i < ev.size(); ++i) {
      if (ev[i].time >= ev[i - 1].time) continue;
      std::string why;
      const std::string detail =
          "event #" + std::to_string(i) + " " + model::to_string(ev[i].kind) +
          (ev[i].request_id.empty() ? "" : "(" + ev[i].request_id + ")") + " at " +
          std::to_string(ev[i].time) + " after " + model::to_string(ev[i - 1].kind) + " at " +
          std::to_string(ev[i - 1].time);
      if (stale_deadline(ev[i], why)) {
        out.known(inst.id, detail + ": " + why);
      } else {
        out.fail(inst.id, detail);
      }
    }
  }
  return std::move(out).finish();
}

CheckResult check_end_time(const RunOutput& run) {
  if (!any_events(run)) return not_applicable("LAW-END-TIME", kNoEvents);
  support::Violations out("LAW-END-TIME");
  const int64_t horizon = run.config ? run.config->horizon_us : model::kNoHorizon;
  for (const auto& inst : run.instances) {
    if (!inst.events || !inst.counters.sim_ended) continue;
    // The instance clock is the time of the last processed event (lazily cancelled TIMEOUTs do
    // not touch it and are not processed events); 0 if it processed none.
    const int64_t clock = inst.events->empty() ? 0 : inst.events->back().time;
    const int64_t expected = std::min(clock, horizon);
    if (*inst.counters.sim_ended != expected) {
      out.fail(inst.id, support::kv("sim_ended", *inst.counters.sim_ended) + " != min(" +
                            support::kv("last_event_time", clock) + ", " +
                            support::kv("horizon", horizon) + ")");
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
