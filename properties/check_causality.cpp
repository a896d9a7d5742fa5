// Spec §11 INV-5 (causality): for every key with an E2E entry, 0 <= sched_delay < ttft and
// completion_time = arrival + e2e exactly. (ttft <= e2e is C-1; PD phases are INV-PD-4.)
#include <cmath>
#include <map>
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
  support::SortedCursor delay_of(m.sched_delay);
  support::SortedCursor ttft_of(m.ttft);
  const model::IdMap<double> no_completion_times;
  support::SortedCursor completion_of(m.completion_time ? *m.completion_time : no_completion_times);
  for (const auto& [k, e2e] : m.e2e) {
    const int64_t* delay = delay_of.find(k);
    const double* ttft = ttft_of.find(k);
    const double* ct = completion_of.find(k);
    if (!std::isfinite(e2e)) continue;  // REQ-NONNEG reports it
    if (delay == nullptr) {
      out.fail(k, "completed but no sched_delay entry");
    } else if (*delay < 0) {
      out.fail(k, kv("sched_delay", *delay) + " < 0");
    } else if (ttft != nullptr && std::isfinite(*ttft) &&
               !(exact::Sum(*delay) < exact::Sum(*ttft))) {
      out.fail(k, kv("sched_delay", *delay) + " >= " + kv("ttft", *ttft));
    }
    // A missing completion_time entry is REQ-ONE-RECORD's finding.
    if (ct == nullptr || !std::isfinite(*ct)) continue;
    const auto arrival = arrivals.of(k);
    if (!arrival) continue;
    exact::Sum expected(*arrival);
    expected.add(e2e);
    if (!(exact::Sum(*ct) == expected)) {
      out.fail(k, kv("completion_time", *ct) + " != " + kv("arrival", *arrival) + " + " +
                      kv("e2e", e2e) + " = " + expected.str());
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
