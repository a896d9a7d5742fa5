// Known, explained differences of a BLIS run (see known_differences.h).
#include "sut/known_differences.h"

namespace simcheck::sut {
namespace {

constexpr const char* kZeroForNone =
    "BLIS's metrics file writes 0 for a request without an entry, so the reference's real 0 "
    "(a PD parent dropped or timed out at its arrival tick, A1) reads as no entry";

constexpr const char* kInjectedSpecGap =
    "spec gap: BLIS computes injected_requests as the bucket sum even when completed = 0 "
    "(sim/metrics.go BuildOutput); spec §10.5 says every statistic is 0 then, and the reference "
    "follows the spec";

bool has_zero_entry(const model::IdMap<double>& m) {
  for (const auto& [id, v] : m)
    if (v == 0.0) return true;
  return false;
}

bool reference_has_zero_latency(const model::RunOutput& ref) {
  return has_zero_entry(ref.aggregate.maps.e2e) || has_zero_entry(ref.aggregate.maps.ttft);
}

int64_t buckets(const model::Counters& c) {
  return c.completed + c.still_queued + c.still_running + c.dropped_unservable + c.timed_out;
}

}  // namespace

std::optional<std::string> explain_violation(const properties::Violation& v, const RunPair& runs) {
  for (const auto& r : runs.reference_violations) {
    if (r.known_exception && r.invariant == v.invariant && r.subject == v.subject) {
      return "the reference model shows the same breach on " +
             (v.subject.empty() ? std::string("the run") : v.subject) + ": " + r.detail;
    }
  }
  const model::Counters& blis = runs.blis.aggregate.counters;
  if (v.invariant == "STAT-INJECTED") {
    // The run's block, or the block of the instance the violation names.
    const model::Counters* c = &blis;
    int64_t injected = runs.blis.aggregate.statistics.injected_requests;
    for (const auto& inst : runs.blis.instances) {
      if (inst.id == v.subject && inst.statistics) {
        c = &inst.counters;
        injected = inst.statistics->injected_requests;
      }
    }
    if (c->completed == 0 && injected == buckets(*c)) return kInjectedSpecGap;
  }
  if ((v.invariant == "STAT-MEANS" || v.invariant == "STAT-PERCENTILES" || v.invariant == "C-5" ||
       v.invariant == "LAW-E2E-COVERS-TOKENS") &&
      reference_has_zero_latency(runs.reference)) {
    return kZeroForNone;
  }
  if (v.invariant == "INV-1" && runs.reference.cluster &&
      runs.reference.cluster->pipeline_pending > 0 && runs.blis.trace && runs.blis.config) {
    int64_t arrived = 0;
    for (const auto& t : *runs.blis.trace) arrived += t.arrival <= runs.blis.config->horizon_us;
    if (arrived - buckets(blis) == runs.reference.cluster->pipeline_pending) {
      return "A12: " + std::to_string(runs.reference.cluster->pipeline_pending) +
             " request(s) still in the admission/routing/queueing pipeline at the horizon are in "
             "no BLIS bucket (the reference counts them as pipeline_pending)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> explain_difference(const properties::RequestDifference& d,
                                              const RunPair&) {
  if ((d.metric == "e2e" || d.metric == "ttft") && d.reference == std::optional<std::string>("0") &&
      !d.other) {
    return kZeroForNone;
  }
  return std::nullopt;
}

std::optional<std::string> explain_counter(const properties::CounterDifference& d,
                                           const RunPair& runs) {
  if (d.name == "injected_requests" && runs.reference.aggregate.counters.completed == 0 &&
      d.reference == 0 && d.other == static_cast<double>(buckets(runs.blis.aggregate.counters))) {
    return kInjectedSpecGap;
  }
  return std::nullopt;
}

}  // namespace simcheck::sut
