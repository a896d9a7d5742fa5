// Addendum C Δ9: the causal forms of the contracts whose faithful form reads the §10.4 branches
// (C-2c, C-3, C-4 with Δ7's branches, INV-PD-6 with `served`). The faithful checks dispatch here
// when run.config says causal; the formulas are restated from Δ7, not taken from model/.
#include <cmath>
#include <string>

#include "properties/causal_contracts.h"
#include "properties/check_support.h"
#include "properties/exact.h"

namespace simcheck::properties::causal_contracts {

using support::kv;

bool is_causal(const model::RunOutput& run) { return run.config && run.config->causal(); }

namespace {

template <typename V>
std::optional<V> find(const std::unordered_map<std::string_view, V>& m, std::string_view k) {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// Δ7 for one parent, from the maps before projection.
struct Expected {
  bool completed = false, served = false;
  model::TtftBranch ttft_branch = model::TtftBranch::none;
  model::E2eBranch e2e_branch = model::E2eBranch::none;
  std::optional<double> ttft, e2e, itl_avg;
  std::optional<int64_t> sched_delay;
};

Expected expected(const model::ParentRecord& p, const support::MergedMaps& before) {
  Expected x;
  // The completed flag keeps its v1 form under the causal profile (Δ7 gates on `served`).
  x.completed = p.completion_time > 0 && !p.decode_instance.empty();
  const std::optional<double> td = find(before.ttft, p.decode_id.view());
  const std::optional<double> de = find(before.e2e, p.decode_id.view());
  x.served = x.completed && td.has_value();
  if (!x.served) return x;
  x.ttft = td;
  x.ttft_branch = model::TtftBranch::decode;
  if (de) {
    x.e2e = de;
    x.e2e_branch = model::E2eBranch::decode;
  } else {
    x.e2e = static_cast<double>(p.completion_time - p.arrival);
    x.e2e_branch = model::E2eBranch::timeout;
  }
  x.sched_delay = find(before.sched_delay, p.prefill_id.view());
  x.itl_avg = find(before.itl_avg, p.decode_id.view());
  return x;
}

template <typename V>
void compare(support::Violations& out, const model::ParentRecord& p, const char* map,
             const model::IdMap<V>& m, const std::optional<V>& want) {
  auto it = m.find(p.id);
  const bool has = it != m.end();
  if (has != want.has_value()) {
    out.fail(p.id, std::string(map) + (has ? " present" : " missing") + ", Δ7 says " +
                       (want ? "present" : "absent"));
  } else if (has && !(exact::Sum(it->second) == exact::Sum(*want))) {
    out.fail(p.id, std::string(map) + ": stored " + exact::str(static_cast<double>(it->second)) +
                       ", Δ7 gives " + exact::str(static_cast<double>(*want)));
  }
}

}  // namespace

// C-2c: per instance ttft_sum = Σ FTT of its completed requests; aggregate ttft_sum =
// Σ_{k ∈ keys(e2e)} ttft[k] + Σ pt(p) over parents whose prefill completed and whose
// completion_time = 0 (the A3 residue).
CheckResult ttft_sum(const model::RunOutput& run) {
  const char* id = "C-2";
  if (!run.aggregate.counters.ttft_sum) return not_applicable(id, "ttft_sum missing");
  support::Violations out(id);
  for (const auto& inst : run.instances) {
    exact::Sum ftt;
    support::SortedCursor ttft_of(inst.maps.ttft);
    for (const auto& [k, e2e] : inst.maps.e2e) {
      if (const double* t = ttft_of.find(k)) ftt.add(*t);
    }
    if (inst.counters.ttft_sum && !(exact::Sum(*inst.counters.ttft_sum) == ftt)) {
      out.fail(inst.id,
               kv("ttft_sum", *inst.counters.ttft_sum) +
                   " != sum of first-token times of its completed requests = " + ftt.str());
    }
  }
  const model::MetricMaps& m = run.aggregate.maps;
  exact::Sum want;
  support::SortedCursor ttft_of(m.ttft);
  for (const auto& [k, e2e] : m.e2e) {
    if (const double* t = ttft_of.find(k)) want.add(*t);
  }
  if (run.parents) {
    const auto before = support::merge_instance_maps(run);
    for (const auto& p : *run.parents) {
      if (p.completion_time != 0 || p.prefill_complete_time == 0) continue;
      if (auto pt = find(before.ttft, p.prefill_id.view())) want.add(*pt);
    }
  }
  const int64_t reported = *run.aggregate.counters.ttft_sum;
  if (!(exact::Sum(reported) == want)) {
    out.fail("", kv("ttft_sum", reported) +
                     " != sum of ttft over keys(e2e) + A3 residue = " + want.str() + " (C-2c)");
  }
  return std::move(out).finish();
}

// C-3 (causal): served parents have ttft and e2e under their id, no key is a sub-request's, and
// |keys(e2e)| = completed + #served parents whose decode timed out.
CheckResult one_entry_per_parent(const model::RunOutput& run) {
  const char* id = "C-3";
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  int64_t extra = 0;
  if (run.parents) {
    for (const auto& p : *run.parents) {
      for (const model::Id* sub : {&p.prefill_id, &p.decode_id}) {
        if (m.ttft.count(*sub) || m.e2e.count(*sub)) out.fail(p.id, "entry under " + sub->str());
      }
      if (!p.served) continue;
      if (!m.ttft.count(p.id) || !m.e2e.count(p.id)) {
        out.fail(p.id, "served parent without both ttft and e2e");
      }
      if (p.outcome == model::ParentOutcome::decode_timed_out) ++extra;
    }
  } else if (support::is_pd_run(run)) {
    return not_applicable(id, "parents missing");
  }
  const int64_t keys = static_cast<int64_t>(m.e2e.size());
  const int64_t completed = run.aggregate.counters.completed;
  if (keys != completed + extra) {
    out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " != " + kv("completed", completed) +
                     " + served parents whose decode timed out (" + std::to_string(extra) + ")");
  }
  return std::move(out).finish();
}

// C-4 (causal): each parent's completed/served flags, branches and entries are Δ7's.
CheckResult projection_branches(const model::RunOutput& run) {
  const char* id = "C-4";
  if (!run.parents) return not_applicable(id, "parents missing");
  support::Violations out(id);
  const auto before = support::merge_instance_maps(run);
  const model::MetricMaps& m = run.aggregate.maps;
  for (const auto& p : *run.parents) {
    const Expected x = expected(p, before);
    if (p.completed != x.completed || p.served != x.served || p.ttft_branch != x.ttft_branch ||
        p.e2e_branch != x.e2e_branch) {
      out.fail(p.id, std::string("recorded completed/served/branches ") +
                         (p.completed ? "1" : "0") + "/" + (p.served ? "1" : "0") + "/" +
                         model::to_string(p.ttft_branch) + "/" + model::to_string(p.e2e_branch) +
                         ", Δ7 gives " + (x.completed ? "1" : "0") + "/" + (x.served ? "1" : "0") +
                         "/" + model::to_string(x.ttft_branch) + "/" +
                         model::to_string(x.e2e_branch));
      continue;
    }
    compare(out, p, "ttft", m.ttft, x.ttft);
    compare(out, p, "e2e", m.e2e, x.e2e);
    compare(out, p, "itl_avg", m.itl_avg, x.itl_avg);
    compare(out, p, "sched_delay", m.sched_delay, x.sched_delay);
    if (m.completion_time) {
      std::optional<double> ct;
      if (x.e2e) ct = static_cast<double>(p.arrival) + *x.e2e;
      compare(out, p, "completion_time", *m.completion_time, ct);
    }
    const bool meta = m.requests_meta.count(p.id) != 0;
    if (meta != x.served)
      out.fail(p.id, std::string("requests_meta ") + (meta ? "present" : "missing"));
  }
  return std::move(out).finish();
}

// INV-PD-6 (causal): no key is a sub-request's; a parent has entries iff it is served; a served
// parent has ttft, e2e, sched_delay, requests_meta (and completion_time where reported), and
// itl_avg iff its decode completed.
CheckResult parent_granularity(const model::RunOutput& run) {
  const char* id = "INV-PD-6";
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  for (const auto& p : *run.parents) {
    for (const model::Id* sub : {&p.prefill_id, &p.decode_id}) {
      if (m.ttft.count(*sub) || m.e2e.count(*sub) || m.itl_avg.count(*sub) ||
          m.sched_delay.count(*sub) || m.requests_meta.count(*sub)) {
        out.fail(p.id, "aggregate entry under " + sub->str());
      }
    }
    const bool ttft = m.ttft.count(p.id), e2e = m.e2e.count(p.id), sd = m.sched_delay.count(p.id),
               meta = m.requests_meta.count(p.id), itl = m.itl_avg.count(p.id);
    const bool ct = !m.completion_time || m.completion_time->count(p.id) == (p.served ? 1u : 0u);
    const bool want_itl = p.served && p.outcome == model::ParentOutcome::decode_completed;
    if (ttft != p.served || e2e != p.served || sd != p.served || meta != p.served || !ct ||
        itl != want_itl) {
      out.fail(p.id, std::string(p.served ? "served" : "not served") +
                         " parent: ttft=" + (ttft ? "1" : "0") + " e2e=" + (e2e ? "1" : "0") +
                         " sched_delay=" + (sd ? "1" : "0") +
                         " requests_meta=" + (meta ? "1" : "0") + " itl_avg=" + (itl ? "1" : "0") +
                         (ct ? "" : " completion_time wrong"));
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties::causal_contracts
