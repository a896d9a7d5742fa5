// Spec §11 INV-5 (causality): for every key with an E2E entry, 0 <= sched_delay < ttft and
// completion_time = arrival + e2e exactly. (ttft <= e2e is C-1; PD phases are INV-PD-4.)
#include <cmath>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {

CheckResult check_causality(const RunOutput& run) {
  using support::kv;
  support::Violations out("INV-5");
  const model::MetricMaps& m = run.aggregate.maps;
  const support::Arrivals arrivals(run);
  for (const auto& [k, e2e] : m.e2e) {
    if (!std::isfinite(e2e)) continue;  // REQ-NONNEG reports it
    const auto delay = m.sched_delay.find(k);
    const auto ttft = m.ttft.find(k);
    if (delay == m.sched_delay.end()) {
      out.fail(k, "completed but no sched_delay entry");
    } else if (delay->second < 0) {
      out.fail(k, kv("sched_delay", delay->second) + " < 0");
    } else if (ttft != m.ttft.end() && std::isfinite(ttft->second) &&
               !(exact::Sum(delay->second) < exact::Sum(ttft->second))) {
      out.fail(k, kv("sched_delay", delay->second) + " >= " + kv("ttft", ttft->second));
    }
    if (m.completion_time) {
      const auto ct = m.completion_time->find(k);
      const auto arrival = arrivals.of(k);
      // A missing entry is REQ-ONE-RECORD's finding.
      if (ct != m.completion_time->end() && arrival && std::isfinite(ct->second)) {
        exact::Sum expected(*arrival);
        expected.add(e2e);
        if (!(exact::Sum(ct->second) == expected)) {
          out.fail(k, kv("completion_time", ct->second) + " != " + kv("arrival", *arrival) + " + " +
                          kv("e2e", e2e) + " = " + expected.str());
        }
      }
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
