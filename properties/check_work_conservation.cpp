// Spec §11 INV-8 (work conservation): after every processed instance event, pending work implies
// a pending STEP, and at most one STEP is pending (§4.1, §7.7, §7.8, §7.9).
#include <algorithm>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

CheckResult check_work_conservation(const RunOutput& run) {
  using support::kv;
  const bool any = std::any_of(run.instances.begin(), run.instances.end(),
                               [](const auto& inst) { return inst.events.has_value(); });
  if (!any) return not_applicable("INV-8", "instances[].events missing (record_events off)");
  support::Violations out("INV-8");
  for (const auto& inst : run.instances) {
    if (!inst.events) continue;
    const auto& ev = *inst.events;
    for (std::size_t i = 0; i < ev.size(); ++i) {
      const model::EventRecord& e = ev[i];
      auto where = [&] {  // built only for a violation: this loop runs once per event
        return "after event #" + std::to_string(i) + " " + model::to_string(e.kind) +
               (e.request_id.empty() ? "" : "(" + e.request_id + ")") + " at " +
               std::to_string(e.time) + ": ";
      };
      if (e.steps_pending < 0 || e.steps_pending > 1) {
        out.fail(inst.id, where() + kv("steps_pending", e.steps_pending) + " (at most one STEP)");
      } else if ((e.wait_queue_len > 0 || e.running_len > 0) && e.steps_pending != 1) {
        out.fail(inst.id, where() + kv("wait_queue", e.wait_queue_len) + " " +
                              kv("running", e.running_len) + " but no STEP pending");
      }
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
