// Per-request sanity over the §10.1/§10.4 maps: non-negative values (REQ-NONNEG), scheduling
// delay before the first token (REQ-SCHED-LE-TTFT), one record per request (REQ-ONE-RECORD).
#include <cmath>
#include <map>
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
  auto doubles = [&](const char* name, const model::IdMap<double>& map) {
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
    support::SortedCursor ttft_of(m.ttft);
    support::SortedCursor e2e_of(m.e2e);
    for (const auto& [k, delay] : m.sched_delay) {
      const double* t = ttft_of.find(k);
      const bool completed = e2e_of.find(k) != nullptr;
      if (t == nullptr) continue;
      if (preemptions > 0 && !completed) continue;
      if (!std::isfinite(*t)) continue;  // REQ-NONNEG reports it
      if (compare_exact(delay, *t) > 0) {
        out.fail(k, where(owner) + " " + kv("sched_delay", delay) + " > " + kv("ttft", *t));
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

  // 1. After projection every record is a user request: requests_meta keys are trace ids
  //    (without a trace, in a PD run, none carries a sub-request suffix), and every other map's
  //    keys are requests_meta keys (the entry is written at injection and erased only by a drop,
  //    which leaves no other entry).
  support::IdSet trace_ids;
  if (run.trace) {
    trace_ids.reserve(run.trace->size());
    for (const auto& t : *run.trace) trace_ids.insert(t.id);
  }
  for (const auto& [k, v] : m.requests_meta) {
    if (run.trace) {
      if (trace_ids.count(k) == 0) out.fail(k, "requests_meta key is not a request of the trace");
    } else if (pd) {
      const std::string_view key = k;  // clang 14 cannot capture structured bindings
      auto ends_with = [key](std::string_view suffix) {
        return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
      };
      if (ends_with("_prefill") || ends_with("_decode")) {
        out.fail(k, "requests_meta key is a sub-request id after projection");
      }
    }
  }
  auto within_meta = [&](const auto& map, const char* map_name) {
    support::SortedCursor meta_of(m.requests_meta);
    for (const auto& [k, v] : map) {
      if (meta_of.find(k) == nullptr) {
        out.fail(k, std::string(map_name) + " entry without requests_meta entry");
      }
    }
  };
  within_meta(m.ttft, "ttft");
  within_meta(m.e2e, "e2e");
  within_meta(m.itl_avg, "itl_avg");
  within_meta(m.sched_delay, "sched_delay");
  if (m.completion_time) within_meta(*m.completion_time, "completion_time");

  // 2. Key relations the spec promises: every E2E record has its TTFT (T-NONE, unreachable in
  //    v1, excepted); itl_avg only with an E2E (E-NEGATIVE excepted); completion_time exactly on
  //    the E2E keys.
  {
    support::SortedCursor ttft_of(m.ttft);
    const model::IdMap<double> none;
    support::SortedCursor completion_of(m.completion_time ? *m.completion_time : none);
    for (const auto& [k, v] : m.e2e) {
      if (ttft_of.find(k) == nullptr) {
        const auto* p = parents.parent(k);
        if (!(p && p->ttft_branch == model::TtftBranch::none)) {
          out.fail(k, "e2e entry without ttft entry");
        }
      }
      if (m.completion_time && completion_of.find(k) == nullptr) {
        out.fail(k, "e2e entry without completion_time entry");
      }
    }
  }
  {
    support::SortedCursor e2e_of(m.e2e);
    for (const auto& [k, v] : m.itl_avg) {
      if (e2e_of.find(k) != nullptr) continue;
      const auto* p = parents.parent(k);
      if (!(p && p->e2e_branch == model::E2eBranch::negative)) {
        out.fail(k, "itl_avg entry without e2e entry");
      }
    }
  }
  if (m.completion_time) {
    support::SortedCursor e2e_of(m.e2e);
    for (const auto& [k, v] : *m.completion_time) {
      if (e2e_of.find(k) == nullptr) out.fail(k, "completion_time entry without e2e entry");
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
