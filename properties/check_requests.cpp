// Per-request sanity over the §10.1/§10.4 maps: non-negative values (REQ-NONNEG), scheduling
// delay before the first token (REQ-SCHED-LE-TTFT), one record per request (REQ-ONE-RECORD).
#include <cmath>
#include <string>
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {
namespace {

using support::kv;
using support::Violations;

std::string where(std::string_view owner) {
  return owner.empty() ? std::string("aggregate") : std::string(owner);
}

void nonneg_maps(Violations& out, std::string_view owner, const model::MetricMaps& m) {
  auto doubles = [&](const char* name, const std::map<std::string, double>& map) {
    for (const auto& [k, v] : map) {
      if (!std::isfinite(v) || v < 0) {
        out.fail(k, where(owner) + " " + kv(name, v) + " (must be finite and >= 0)");
      }
    }
  };
  doubles("ttft", m.ttft);
  doubles("e2e", m.e2e);
  doubles("itl_avg", m.itl_avg);
  if (m.completion_time) doubles("completion_time", *m.completion_time);
  for (const auto& [k, v] : m.sched_delay) {
    if (v < 0) out.fail(k, where(owner) + " " + kv("sched_delay", v) + " (must be >= 0)");
  }
}

void nonneg_counters(Violations& out, std::string_view owner, const model::Counters& c) {
  auto one = [&](const char* name, int64_t v) {
    if (v < 0) out.fail(owner, where(owner) + " counter " + kv(name, v) + " < 0");
  };
  one("completed", c.completed);
  one("still_queued", c.still_queued);
  one("still_running", c.still_running);
  one("dropped_unservable", c.dropped_unservable);
  one("timed_out", c.timed_out);
  one("length_capped_count", c.length_capped_count);
  one("preemption_count", c.preemption_count);
  one("total_input_tokens", c.total_input_tokens);
  one("total_output_tokens", c.total_output_tokens);
  if (c.ttft_sum) one("ttft_sum", *c.ttft_sum);
  if (c.sim_ended) one("sim_ended", *c.sim_ended);
  if (c.peak_kv_used) one("peak_kv_used", *c.peak_kv_used);
  if (c.kv_allocation_failures) one("kv_allocation_failures", *c.kv_allocation_failures);
}

void nonneg_list(Violations& out, std::string_view owner, const char* name,
                 const std::optional<std::vector<int64_t>>& list) {
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i] < 0) {
      out.fail(owner, where(owner) + " " + name + "[" + std::to_string(i) +
                          "]=" + std::to_string((*list)[i]) + " < 0");
    }
  }
}

// a <= b exactly, for an int64 and a double (no conversion of either).
int compare_exact(int64_t a, double b) { return exact::Sum(a).compare(exact::Sum(b)); }

}  // namespace

CheckResult check_req_nonneg(const RunOutput& run) {
  Violations out("REQ-NONNEG");
  nonneg_maps(out, "", run.aggregate.maps);
  nonneg_counters(out, "", run.aggregate.counters);
  nonneg_list(out, "", "all_itls", run.aggregate.all_itls);
  nonneg_list(out, "", "step_counters", run.aggregate.step_counters);
  for (const auto& inst : run.instances) {
    nonneg_maps(out, inst.id, inst.maps);
    nonneg_counters(out, inst.id, inst.counters);
    nonneg_list(out, inst.id, "all_itls", inst.all_itls);
    nonneg_list(out, inst.id, "step_counters", inst.step_counters);
  }
  return std::move(out).finish();
}

// Without preemption a request's sched_delay (first and only admission) precedes its TTFT (end of
// its prefill). A preempted request keeps its old TTFT entry while a re-admission overwrites the
// delay (§7.4 notes), so on a map whose owner preempted anything only completed requests (keys of
// e2e, whose TTFT was rewritten after the last admission) are held to it.
CheckResult check_req_sched_le_ttft(const RunOutput& run) {
  Violations out("REQ-SCHED-LE-TTFT");
  auto check_maps = [&](std::string_view owner, const model::MetricMaps& m, int64_t preemptions) {
    for (const auto& [k, delay] : m.sched_delay) {
      auto t = m.ttft.find(k);
      if (t == m.ttft.end()) continue;
      if (preemptions > 0 && m.e2e.count(k) == 0) continue;
      if (!std::isfinite(t->second)) continue;  // REQ-NONNEG reports it
      if (compare_exact(delay, t->second) > 0) {
        out.fail(k, where(owner) + " " + kv("sched_delay", delay) + " > " + kv("ttft", t->second));
      }
    }
  };
  check_maps("", run.aggregate.maps, run.aggregate.counters.preemption_count);
  for (const auto& inst : run.instances) {
    check_maps(inst.id, inst.maps, inst.counters.preemption_count);
  }
  return std::move(out).finish();
}

CheckResult check_req_one_record(const RunOutput& run) {
  Violations out("REQ-ONE-RECORD");
  const model::MetricMaps& m = run.aggregate.maps;
  const auto parents = support::index_parents(run);
  const bool pd = support::is_pd_run(run);

  // 1. After projection every key names a user request: a trace id when the trace is known;
  //    otherwise, in a PD run, no key may carry a sub-request suffix.
  support::IdSet trace_ids;
  if (run.trace) {
    for (const auto& t : *run.trace) trace_ids.insert(t.id);
  }
  auto key_ok = [&](const std::string& k, const char* map_name) {
    if (run.trace) {
      if (trace_ids.count(k) == 0) {
        out.fail(k, std::string(map_name) + " key is not a request of the trace");
      }
    } else if (pd) {
      auto ends_with = [&](std::string_view suffix) {
        return k.size() >= suffix.size() &&
               std::string_view(k).substr(k.size() - suffix.size()) == suffix;
      };
      if (ends_with("_prefill") || ends_with("_decode")) {
        out.fail(k, std::string(map_name) + " key is a sub-request id after projection");
      }
    }
  };
  for (const auto& [k, v] : m.ttft) key_ok(k, "ttft");
  for (const auto& [k, v] : m.e2e) key_ok(k, "e2e");
  for (const auto& [k, v] : m.itl_avg) key_ok(k, "itl_avg");
  for (const auto& [k, v] : m.sched_delay) key_ok(k, "sched_delay");
  for (const auto& [k, v] : m.requests_meta) key_ok(k, "requests_meta");
  if (m.completion_time) {
    for (const auto& [k, v] : *m.completion_time) key_ok(k, "completion_time");
  }

  // 2. Key relations the spec promises: every E2E record has its metadata and its TTFT (T-NONE,
  //    unreachable in v1, excepted); itl_avg only with an E2E (E-NEGATIVE excepted);
  //    completion_time exactly on the E2E keys.
  for (const auto& [k, v] : m.e2e) {
    if (m.requests_meta.count(k) == 0) out.fail(k, "e2e entry without requests_meta entry");
    const auto* p = parents.parent(k);
    if (m.ttft.count(k) == 0 && !(p && p->ttft_branch == model::TtftBranch::none)) {
      out.fail(k, "e2e entry without ttft entry");
    }
    if (m.completion_time && m.completion_time->count(k) == 0) {
      out.fail(k, "e2e entry without completion_time entry");
    }
  }
  for (const auto& [k, v] : m.itl_avg) {
    const auto* p = parents.parent(k);
    if (m.e2e.count(k) == 0 && !(p && p->e2e_branch == model::E2eBranch::negative)) {
      out.fail(k, "itl_avg entry without e2e entry");
    }
  }
  if (m.completion_time) {
    for (const auto& [k, v] : *m.completion_time) {
      if (m.e2e.count(k) == 0) out.fail(k, "completion_time entry without e2e entry");
    }
  }

  // 3. Before projection a request lives on one instance (§10.2: a duplicate is a warning).
  std::unordered_map<std::string_view, std::string_view> home;
  for (const auto& inst : run.instances) {
    for (const auto& [k, v] : inst.maps.requests_meta) {
      auto [it, inserted] = home.emplace(k, inst.id);
      if (!inserted) {
        out.fail(k, "requests_meta on both " + std::string(it->second) + " and " + inst.id);
      }
    }
  }
  for (const auto& inst : run.instances) {
    for (const auto& [k, v] : inst.maps.e2e) {
      auto it = home.find(k);
      if (it != home.end() && it->second != inst.id) {
        out.fail(k, "e2e on " + inst.id + " but requests_meta on " + std::string(it->second));
      }
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
