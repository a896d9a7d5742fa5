// Spec §11 INV-PD-6 (parent granularity, §10.4): after projection no map is keyed by a
// sub-request id, non-completed parents have no entries, completed parents have exactly the
// entries their inputs call for.
#include <string>

#include "properties/causal_contracts.h"
#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {

CheckResult check_pd_parent_granularity(const RunOutput& run) {
  if (causal_contracts::is_causal(run) && run.parents) {
    return causal_contracts::parent_granularity(run);
  }
  const char* id = "INV-PD-6";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  const bool have_inputs = instance_maps_reported(run);
  const auto before = support::merge_instance_maps(run);

  struct Presence {
    bool ttft, e2e, itl_avg, sched_delay, completion_time, requests_meta;
  };
  auto presence = [&](const std::string& k) {
    return Presence{m.ttft.count(k) != 0,
                    m.e2e.count(k) != 0,
                    m.itl_avg.count(k) != 0,
                    m.sched_delay.count(k) != 0,
                    m.completion_time && m.completion_time->count(k) != 0,
                    m.requests_meta.count(k) != 0};
  };
  auto list = [](const Presence& p) {
    std::string s;
    auto add = [&](bool b, const char* n) {
      if (b) s += (s.empty() ? "" : ",") + std::string(n);
    };
    add(p.ttft, "ttft");
    add(p.e2e, "e2e");
    add(p.itl_avg, "itl_avg");
    add(p.sched_delay, "sched_delay");
    add(p.completion_time, "completion_time");
    add(p.requests_meta, "requests_meta");
    return s;
  };
  for (const auto& p : *run.parents) {
    for (const model::Id* sub : {&p.prefill_id, &p.decode_id}) {
      const std::string maps = list(presence(*sub));
      if (!maps.empty()) out.fail(p.id, "sub-request id " + *sub + " still keys " + maps);
    }
    const Presence has = presence(p.id);
    if (!p.completed) {
      const std::string maps = list(has);
      if (!maps.empty()) out.fail(p.id, "not completed but keyed in " + maps);
      continue;
    }
    if (!has.requests_meta) out.fail(p.id, "completed but no requests_meta entry");
    if (!has.sched_delay) out.fail(p.id, "completed but no sched_delay entry");
    if (m.completion_time && has.completion_time != has.e2e) {
      out.fail(p.id, std::string("completion_time entry ") + (has.completion_time ? "" : "not ") +
                         "present while e2e entry " + (has.e2e ? "" : "not ") + "present");
    }
    const bool negative = p.e2e_branch == model::E2eBranch::negative;
    if (has.e2e == negative) {
      out.fail(p.id, std::string("e2e entry ") + (has.e2e ? "present" : "missing") +
                         " with E2E branch " + model::to_string(p.e2e_branch));
    }
    if (have_inputs) {
      const bool prefill_ttft = before.ttft.count(p.prefill_id) != 0;
      if (has.ttft != prefill_ttft) {
        out.fail(p.id, std::string("ttft entry ") + (has.ttft ? "present" : "missing") +
                           " but the prefill TTFT " + (prefill_ttft ? "existed" : "did not exist"));
      }
      const bool decode_done = before.itl_avg.count(p.decode_id) != 0;
      if (has.itl_avg != decode_done) {
        out.fail(p.id, std::string("itl_avg entry ") + (has.itl_avg ? "present" : "missing") +
                           " but the decode sub-request " +
                           (decode_done ? "completed" : "did not complete"));
      }
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
