// Spec §10.4 recomputed for one parent (the current projection, after #1514).
#include "properties/projection_formulas.h"

#include <algorithm>

#include "properties/exact.h"

namespace simcheck::properties {

ProjectionExpectation expected_projection(const model::ParentRecord& p,
                                          const support::MergedMaps& m) {
  ProjectionExpectation x;
  x.completed = p.completion_time > 0 && !p.decode_instance.empty();
  if (const auto* v = support::lookup(m.sched_delay, std::string_view(p.decode_id))) x.dd = *v;
  if (const auto* v = support::lookup(m.e2e, std::string_view(p.decode_id))) x.de = *v;
  if (const auto* v = support::lookup(m.ttft, std::string_view(p.prefill_id))) x.pt = *v;
  if (const auto* v = support::lookup(m.sched_delay, std::string_view(p.prefill_id))) x.pdl = *v;
  if (const auto* v = support::lookup(m.itl_avg, std::string_view(p.decode_id))) x.di = *v;
  if (!x.completed) return x;

  // ---- E2E ----
  double v = 0;
  if (x.dd && x.de) {
    const bool preempted = p.decode_sub && p.decode_sub->first_token_time != 0;
    v = preempted ? *x.de : *x.de + static_cast<double>(*x.dd);
    x.e2e_branch = preempted ? model::E2eBranch::preempted : model::E2eBranch::primary;
  } else {
    v = static_cast<double>(p.completion_time - p.arrival);
    x.e2e_branch = model::E2eBranch::fallback;
  }
  if (v >= 0) {
    x.e2e = v;
    x.completion_time = static_cast<double>(p.arrival) + v;
  } else {
    x.e2e_branch = model::E2eBranch::negative;
  }

  // ---- TTFT ----
  if (x.pt && x.dd && p.decode_sub && !p.decode_sub->itl.empty()) {
    const double t = static_cast<double>(*x.dd) + static_cast<double>(p.decode_sub->itl[0]);
    if (t < 0) {
      x.ttft_branch = model::TtftBranch::negative;
      x.ttft = *x.pt;
    } else {
      x.ttft_branch = model::TtftBranch::primary;
      x.ttft = t;
      x.ttft_sum_delta = exact::spec_trunc(t - *x.pt);
    }
  } else if (x.pt) {
    x.ttft_branch = model::TtftBranch::fallback;
    x.ttft = *x.pt;
  }

  // ---- scheduling delay, ITL ----
  if (x.pdl) x.sched_delay = *x.pdl;
  if (x.di) x.itl_avg = *x.di;
  return x;
}

bool instance_maps_reported(const model::RunOutput& run) {
  return std::any_of(run.instances.begin(), run.instances.end(),
                     [](const auto& inst) { return !inst.maps.requests_meta.empty(); });
}

}  // namespace simcheck::properties
