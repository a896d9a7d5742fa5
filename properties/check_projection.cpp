// Spec §11 C-4 (projection branches, §10.4): every parent takes the branch its guards choose and
// every parent-keyed value equals that branch's formula, recomputed from the parent record and
// the per-instance maps before projection.
#include <cmath>
#include <string>

#include "properties/causal_contracts.h"
#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {
namespace {

using support::kv;

// Bit-level equality of two doubles (the spec defines the stored value as a binary64 result; any
// difference, however small, is a different value).
bool same(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

template <typename V>
std::string show(const std::optional<V>& v) {
  if (!v) return "absent";
  if constexpr (std::is_same_v<V, double>) {
    return exact::str(*v);
  } else {
    return std::to_string(*v);
  }
}

template <typename V, typename Eq>
void expect_entry(support::Violations& out, const std::string& pid, const char* map_name,
                  const model::IdMap<V>& map, const std::optional<V>& expected,
                  const std::string& formula, Eq eq) {
  const auto it = map.find(pid);
  const std::optional<V> actual = it == map.end() ? std::nullopt : std::optional<V>(it->second);
  const bool ok = actual.has_value() == expected.has_value() && (!actual || eq(*actual, *expected));
  if (!ok) {
    out.fail(pid, std::string(map_name) + "[pid]: stored " + show(actual) + ", " + formula +
                      " gives " + show(expected));
  }
}

}  // namespace

CheckResult check_projection_branches(const RunOutput& run) {
  if (causal_contracts::is_causal(run) && run.parents) {
    return causal_contracts::projection_branches(run);
  }
  const char* id = "C-4";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  if (!instance_maps_reported(run)) {
    return not_applicable(id, "instances[].maps missing (values before projection)");
  }
  support::Violations out(id);
  const auto before = support::merge_instance_maps(run);
  const model::MetricMaps& m = run.aggregate.maps;
  auto same_i = [](int64_t a, int64_t b) { return a == b; };
  for (const auto& p : *run.parents) {
    const ProjectionExpectation x = expected_projection(p, before);
    if (p.ttft_branch != x.ttft_branch || p.e2e_branch != x.e2e_branch) {
      out.fail(p.id, std::string("recorded branches ") + model::to_string(p.ttft_branch) + "/" +
                         model::to_string(p.e2e_branch) + ", the §10.4 guards choose " +
                         model::to_string(x.ttft_branch) + "/" + model::to_string(x.e2e_branch) +
                         " (" + kv("completed", std::string_view(x.completed ? "true" : "false")) +
                         " has_dd=" + (x.dd ? "1" : "0") + " has_de=" + (x.de ? "1" : "0") +
                         " has_pt=" + (x.pt ? "1" : "0") + ")");
    }
    if (!x.completed) continue;  // absence of entries is INV-PD-6's finding
    std::string e2e_formula;
    switch (x.e2e_branch) {
      case model::E2eBranch::primary:
        e2e_formula = "E-PRIMARY de + dd = " + show(x.de) + " + " + show(x.dd);
        break;
      case model::E2eBranch::preempted:
        e2e_formula = "E-PREEMPTED de";
        break;
      case model::E2eBranch::fallback:
        e2e_formula =
            "E-FALLBACK completion_time - arrival = " + std::to_string(p.completion_time) + " - " +
            std::to_string(p.arrival);
        break;
      default:
        e2e_formula = std::string(model::to_string(x.e2e_branch));
        break;
    }
    std::string ttft_formula;
    switch (x.ttft_branch) {
      case model::TtftBranch::primary:
        ttft_formula =
            "T-PRIMARY dd + itl[0] = " + show(x.dd) + " + " + std::to_string(p.decode_sub->itl[0]);
        break;
      case model::TtftBranch::fallback:
        ttft_formula = "T-FALLBACK pt";
        break;
      case model::TtftBranch::negative:
        ttft_formula = "T-NEGATIVE pt";
        break;
      default:
        ttft_formula = "T-NONE";
        break;
    }
    expect_entry(out, p.id, "e2e", m.e2e, x.e2e, e2e_formula, same);
    expect_entry(out, p.id, "ttft", m.ttft, x.ttft, ttft_formula, same);
    expect_entry(out, p.id, "sched_delay", m.sched_delay, x.sched_delay,
                 "the prefill's sched_delay", same_i);
    expect_entry(out, p.id, "itl_avg", m.itl_avg, x.itl_avg, "the decode's itl_avg", same);
    if (m.completion_time) {
      expect_entry(out, p.id, "completion_time", *m.completion_time, x.completion_time,
                   "(double)arrival + E", same);
    }
    // requests_meta[pid] = meta(original) with handled_by = decode_instance.
    const auto meta = m.requests_meta.find(p.id);
    if (meta != m.requests_meta.end()) {
      const model::RequestMeta& r = meta->second;
      const double arrived = static_cast<double>(p.arrival) / 1e6;
      if (r.handled_by != p.decode_instance || r.num_prefill_tokens != p.input_len ||
          r.num_decode_tokens != p.output_len || !same(r.arrived_at_s, arrived)) {
        out.fail(p.id, "requests_meta[pid] = {" + kv("arrived_at_s", r.arrived_at_s) + " " +
                           kv("L", r.num_prefill_tokens) + " " + kv("N", r.num_decode_tokens) +
                           " " + kv("handled_by", r.handled_by) + "}, expected {" +
                           kv("arrived_at_s", arrived) + " " + kv("L", p.input_len) + " " +
                           kv("N", p.output_len) + " " + kv("handled_by", p.decode_instance) + "}");
      }
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
