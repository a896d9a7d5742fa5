// Spec §10.4 (metric projection, current behaviour after #1513) and Appendix A (the historical
// eras pre_1514, pre_1512, pre_931, pre_846), §13 A1/A13/A14.
#include "model/projection.h"

#include <map>
#include <optional>

#include "model/arith.h"

namespace simcheck::model {
namespace {

// The maps project_pd_metrics edits. Re-keying erases and inserts keys anywhere in them, which on
// an IdMap moves the vector's tail each time (quadratic over a run), so the edits go to trees,
// built from the sorted maps and turned back into them in linear time.
template <class V>
using Tree = std::map<Id, V>;
struct TreeMaps {
  Tree<double> ttft, e2e, itl_avg;
  Tree<int64_t> sched_delay;
  std::optional<Tree<double>> completion_time;
  Tree<RequestMeta> requests_meta;
};

template <class V>
Tree<V> to_tree(IdMap<V>& m) {
  Tree<V> t;
  for (auto& [key, value] : m) t.emplace_hint(t.end(), std::move(key), std::move(value));
  m.clear();
  return t;
}

template <class V>
IdMap<V> from_tree(Tree<V>& t) {
  std::vector<typename IdMap<V>::value_type> entries;
  entries.reserve(t.size());
  while (!t.empty()) {
    auto node = t.extract(t.begin());
    entries.emplace_back(std::move(node.key()), std::move(node.mapped()));
  }
  return IdMap<V>::from_entries(std::move(entries));  // already sorted: linear
}

template <class V>
std::optional<V> lookup(const Tree<V>& m, const Id& key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// The rule families that differ between eras (Appendix A).
enum class TtftRule {
  decode_schedule,  // since #1512: dd + itl0, negative guard, else pt
  transfer_sum,     // #931 -> #1512: pt + (transfer_complete - transfer_start) + itl0
  prefill_ttft,     // before #931: pt re-keyed, ttft_sum unchanged
};
enum class E2eRule {
  reconstructed,     // since #1514: dd + de / de / CT - arrival, negative skip
  ct_minus_arrival,  // before #1514: CT - arrival (no negative guard)
};
enum class CompletionTimeRule {
  arrival_plus_e2e,  // since #1514
  lifecycle_ct,      // before #1514: completion_time[pid] = parent.completion_time
};

TtftRule ttft_rule(ProjectionEra era) {
  switch (era) {
    case ProjectionEra::current:
    case ProjectionEra::pre_1514:
      return TtftRule::decode_schedule;
    case ProjectionEra::pre_1512:
      return TtftRule::transfer_sum;
    case ProjectionEra::pre_931:
    case ProjectionEra::pre_846:
      return TtftRule::prefill_ttft;
  }
  return TtftRule::decode_schedule;
}

E2eRule e2e_rule(ProjectionEra era) {
  return era == ProjectionEra::current ? E2eRule::reconstructed : E2eRule::ct_minus_arrival;
}

CompletionTimeRule completion_time_rule(ProjectionEra era) {
  return era == ProjectionEra::current ? CompletionTimeRule::arrival_plus_e2e
                                       : CompletionTimeRule::lifecycle_ct;
}

ParentInputs read_inputs(const TreeMaps& m, const ParentRecord& p) {
  return ParentInputs{lookup(m.sched_delay, p.decode_id), lookup(m.e2e, p.decode_id),
                      lookup(m.ttft, p.prefill_id),       lookup(m.sched_delay, p.prefill_id),
                      lookup(m.itl_avg, p.decode_id),     lookup(m.ttft, p.decode_id)};
}

bool is_completed(const ParentRecord& p, const ProjectionRules& rules) {
  // Under the causal profile `served` does the gating (Δ7), so the flag keeps its v1 form.
  if (!rules.causal && !rules.dropped_parent_counts_completed)
    return p.outcome == ParentOutcome::decode_completed;
  // ⚑ A1/A13: the flag tests `> 0` and an assigned decode pod, so drops and decode timeouts
  // count, and a drop at t = 0 does not.
  return p.completion_time > 0 && !p.decode_instance.empty();
}

bool decode_itl_non_empty(const ParentRecord& p) {
  return p.decode_sub.has_value() && !p.decode_sub->itl.empty();
}

// E2E of a completed parent; nullopt = E-NEGATIVE (nothing inserted).
std::optional<double> project_e2e(const ParentRecord& p, const ParentInputs& in, E2eRule rule,
                                  E2eBranch& branch, std::vector<std::string>& warnings) {
  const double ct_minus_arrival = static_cast<double>(p.completion_time - p.arrival);
  if (rule == E2eRule::ct_minus_arrival) {
    branch = E2eBranch::fallback;  // the only formula of those eras
    return ct_minus_arrival;
  }
  double v;
  if (in.dd && in.de) {
    const bool preempted = p.decode_sub.has_value() && p.decode_sub->first_token_time != 0;
    // A14: a re-prefilled decode sub-request's own E2E already starts at its arrival.
    v = preempted ? *in.de : *in.de + static_cast<double>(*in.dd);
    branch = preempted ? E2eBranch::preempted : E2eBranch::primary;
  } else {
    v = ct_minus_arrival;
    branch = E2eBranch::fallback;
  }
  if (v >= 0) return v;
  branch = E2eBranch::negative;
  warnings.push_back("projection: negative E2E for parent " + p.id + ", no entry inserted");
  return std::nullopt;
}

// TTFT of a completed parent: its value (nullopt = T-NONE) and the change of ttft_sum, per the
// era's rule.
TtftBranch project_ttft(const ParentRecord& p, const ParentInputs& in, TtftRule rule,
                        ParentProjection& out) {
  switch (rule) {
    case TtftRule::decode_schedule:
      if (in.pt && in.dd && decode_itl_non_empty(p)) {
        const double v =
            static_cast<double>(*in.dd) + static_cast<double>(p.decode_sub->itl.front());
        if (v < 0) {
          out.ttft = *in.pt;
          return TtftBranch::negative;
        }
        out.ttft = v;
        out.ttft_sum_delta = trunc_to_int64(v - *in.pt);
        return TtftBranch::primary;
      }
      break;
    case TtftRule::transfer_sum:
      // #931: no negative guard, and no decode-queue wait (the #1510 bug).
      if (in.pt && p.transfer_start_time > 0 && p.transfer_complete_time >= p.transfer_start_time &&
          decode_itl_non_empty(p)) {
        const double v =
            (*in.pt + static_cast<double>(p.transfer_complete_time - p.transfer_start_time)) +
            static_cast<double>(p.decode_sub->itl.front());
        out.ttft = v;
        out.ttft_sum_delta = trunc_to_int64(v - *in.pt);
        return TtftBranch::primary;
      }
      break;
    case TtftRule::prefill_ttft:
      break;  // re-key pt only, ttft_sum unchanged
  }
  if (in.pt) {
    out.ttft = *in.pt;
    return TtftBranch::fallback;
  }
  return TtftBranch::none;  // T-NONE
}

RequestMeta parent_meta(const ParentRecord& p) {
  RequestMeta meta;
  meta.arrived_at_s = static_cast<double>(p.arrival) / 1e6;
  meta.num_prefill_tokens = p.input_len;
  meta.num_decode_tokens = p.output_len;
  meta.handled_by = p.decode_instance;
  meta.length_capped = false;  // the original request itself never ran
  return meta;
}

template <class V>
void rekey(Tree<V>& m, const ParentRecord& p, const std::optional<V>& value) {
  m.erase(p.prefill_id);
  m.erase(p.decode_id);
  if (value) m[p.id] = *value;
}

void project_parent(TreeMaps& m, int64_t& ttft_sum, ParentRecord& p, const ProjectionRules& rules,
                    std::vector<std::string>& warnings) {
  const ParentProjection r = project_parent_values(p, read_inputs(m, p), rules, warnings);
  p.completed = r.completed;
  p.served = r.served;
  p.e2e_branch = r.e2e_branch;
  p.ttft_branch = r.ttft_branch;
  rekey(m.e2e, p, r.e2e);
  rekey(m.ttft, p, r.ttft);
  ttft_sum += r.ttft_sum_delta;
  rekey(m.sched_delay, p, r.sched_delay);
  rekey(m.requests_meta, p, r.meta);
  rekey(m.itl_avg, p, r.itl_avg);
  if (m.completion_time) rekey(*m.completion_time, p, r.completion_time);
}

// Addendum C Δ7: only a parent whose decode produced a first token that reached the client
// (served) gets entries; ttft_sum keeps C-2c exact for every completed parent.
ParentProjection project_causal(const ParentRecord& p, const ParentInputs& in, bool completed) {
  ParentProjection r;
  r.completed = completed;
  r.served = completed && in.td.has_value();
  if (completed) {
    const double base = (in.pt ? *in.pt : 0.0) + (in.de ? *in.td : 0.0);  // RECORD's additions
    r.ttft_sum_delta = trunc_to_int64((r.served ? *in.td : 0.0) - base);
  }
  if (!r.served) return r;
  if (in.de) {
    r.e2e = *in.de;
    r.e2e_branch = E2eBranch::decode;
  } else {
    r.e2e = static_cast<double>(p.completion_time - p.arrival);
    r.e2e_branch = E2eBranch::timeout;
  }
  r.ttft = *in.td;
  r.ttft_branch = TtftBranch::decode;
  r.sched_delay = in.pdl;
  r.meta = parent_meta(p);
  r.itl_avg = in.di;
  r.completion_time = static_cast<double>(p.arrival) + *r.e2e;
  return r;
}

}  // namespace

ParentProjection project_parent_values(const ParentRecord& p, const ParentInputs& in,
                                       const ProjectionRules& rules,
                                       std::vector<std::string>& warnings) {
  if (rules.causal) return project_causal(p, in, is_completed(p, rules));
  ParentProjection r;
  r.completed = is_completed(p, rules);
  if (!r.completed) return r;  // every key of the parent's sub-requests is only erased
  r.e2e = project_e2e(p, in, e2e_rule(rules.era), r.e2e_branch, warnings);
  r.ttft_branch = project_ttft(p, in, ttft_rule(rules.era), r);
  r.sched_delay = in.pdl;
  r.meta = parent_meta(p);
  r.itl_avg = in.di;
  if (r.e2e) {
    r.completion_time = completion_time_rule(rules.era) == CompletionTimeRule::arrival_plus_e2e
                            ? static_cast<double>(p.arrival) + *r.e2e
                            : static_cast<double>(p.completion_time);
  }
  return r;
}

ProjectionRules ProjectionRules::from_config(const Config& config) {
  return ProjectionRules{config.projection, config.quirks.dropped_parent_counts_completed,
                         config.causal()};
}

void project_pd_metrics(ProjectionTarget target, std::vector<ParentRecord>& parents,
                        const ProjectionRules& rules, std::vector<std::string>& warnings) {
  MetricMaps& m = target.maps;
  TreeMaps trees;
  trees.ttft = to_tree(m.ttft);
  trees.e2e = to_tree(m.e2e);
  trees.itl_avg = to_tree(m.itl_avg);
  trees.sched_delay = to_tree(m.sched_delay);
  if (m.completion_time) trees.completion_time = to_tree(*m.completion_time);
  trees.requests_meta = to_tree(m.requests_meta);
  for (ParentRecord& p : parents) project_parent(trees, target.ttft_sum, p, rules, warnings);
  m.ttft = from_tree(trees.ttft);
  m.e2e = from_tree(trees.e2e);
  m.itl_avg = from_tree(trees.itl_avg);
  m.sched_delay = from_tree(trees.sched_delay);
  if (m.completion_time) *m.completion_time = from_tree(*trees.completion_time);
  m.requests_meta = from_tree(trees.requests_meta);
}

}  // namespace simcheck::model
