// Spec §10.3, §10.4 (C-3's counting identity) when the PD counters or the PD-ness of a run are
// not reported: completed <= |keys(e2e)| <= completed + timed_out + dropped_unservable
// (REQ-E2E-COUNT-BOUNDS). Every completion (a non-PD request, or a parent whose decode completed)
// has its E2E entry; the only other E2E keys are parents completed by the flag whose decode timed
// out (counted in timed_out) or that were dropped at transfer start (counted in
// dropped_unservable through dropped_at_decode_kv).
#include "properties/check_support.h"
#include "properties/coverage.h"

namespace simcheck::properties {

CheckResult check_e2e_count_bounds(const model::RunOutput& run) {
  const char* id = "REQ-E2E-COUNT-BOUNDS";
  if (!unreported_input("C-3", run)) {
    return not_applicable(id, "C-3 applies (every input reported)");
  }
  for (const char* path : {"aggregate.maps", "aggregate.counters"}) {
    if (!is_reported(run, path)) return not_applicable(id, std::string(path) + " not reported");
  }
  support::Violations out(id);
  const model::Counters& c = run.aggregate.counters;
  const auto keys = static_cast<int64_t>(run.aggregate.maps.e2e.size());
  const int64_t hi = c.completed + c.timed_out + c.dropped_unservable;
  if (keys < c.completed) {
    out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " < " +
                     support::kv("completed", c.completed) +
                     ": a completed request has no E2E record");
  } else if (keys > hi) {
    out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " > completed + timed_out + " +
                     "dropped_unservable = " + std::to_string(hi));
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
