// Spec §10.4 (metric projection, current behaviour after #1513) and Appendix A (the historical
// eras pre_1514, pre_1512, pre_931, pre_846), §13 A1/A13/A14.
#include "model/projection.h"

#include <map>
#include <optional>

#include "model/arith.h"

namespace simcheck::model {
namespace {

template <class V>
std::optional<V> lookup(const std::map<std::string, V>& m, const std::string& key) {
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

// The five values of §10.4, all read before any key is erased.
struct ParentInputs {
  std::optional<int64_t> dd;   // sched_delay[dec]: arrival -> decode schedule
  std::optional<double> de;    // e2e[dec]: the decode sub-request's own E2E
  std::optional<double> pt;    // ttft[pfx]: prefill TTFT
  std::optional<int64_t> pdl;  // sched_delay[pfx]
  std::optional<double> di;    // itl_avg[dec]
};

ParentInputs read_inputs(const MetricMaps& m, const ParentRecord& p) {
  return ParentInputs{lookup(m.sched_delay, p.decode_id), lookup(m.e2e, p.decode_id),
                      lookup(m.ttft, p.prefill_id), lookup(m.sched_delay, p.prefill_id),
                      lookup(m.itl_avg, p.decode_id)};
}

bool is_completed(const ParentRecord& p, const ProjectionRules& rules) {
  if (!rules.dropped_parent_counts_completed) return p.outcome == ParentOutcome::decode_completed;
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

// TTFT of a completed parent: writes m.ttft[pid] and adjusts ttft_sum per the era's rule.
TtftBranch project_ttft(const ParentRecord& p, const ParentInputs& in, TtftRule rule,
                        ProjectionTarget t) {
  switch (rule) {
    case TtftRule::decode_schedule:
      if (in.pt && in.dd && decode_itl_non_empty(p)) {
        const double v =
            static_cast<double>(*in.dd) + static_cast<double>(p.decode_sub->itl.front());
        if (v < 0) {
          t.maps.ttft[p.id] = *in.pt;
          return TtftBranch::negative;
        }
        t.maps.ttft[p.id] = v;
        t.ttft_sum += trunc_to_int64(v - *in.pt);
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
        t.maps.ttft[p.id] = v;
        t.ttft_sum += trunc_to_int64(v - *in.pt);
        return TtftBranch::primary;
      }
      break;
    case TtftRule::prefill_ttft:
      break;  // re-key pt only, ttft_sum unchanged
  }
  if (in.pt) {
    t.maps.ttft[p.id] = *in.pt;
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

void project_parent(ProjectionTarget t, ParentRecord& p, const ProjectionRules& rules,
                    std::vector<std::string>& warnings) {
  MetricMaps& m = t.maps;
  const std::string& pfx = p.prefill_id;
  const std::string& dec = p.decode_id;
  const ParentInputs in = read_inputs(m, p);
  p.completed = is_completed(p, rules);
  p.e2e_branch = E2eBranch::none;
  p.ttft_branch = TtftBranch::none;

  // ---- E2E ----
  m.e2e.erase(pfx);
  m.e2e.erase(dec);
  std::optional<double> e2e;
  if (p.completed) {
    e2e = project_e2e(p, in, e2e_rule(rules.era), p.e2e_branch, warnings);
    if (e2e) m.e2e[p.id] = *e2e;
  }

  // ---- TTFT ----
  m.ttft.erase(pfx);
  m.ttft.erase(dec);
  if (p.completed) p.ttft_branch = project_ttft(p, in, ttft_rule(rules.era), t);

  // ---- scheduling delay, metadata, ITL, completion-time metric ----
  m.sched_delay.erase(pfx);
  m.sched_delay.erase(dec);
  if (p.completed && in.pdl) m.sched_delay[p.id] = *in.pdl;
  m.requests_meta.erase(pfx);
  m.requests_meta.erase(dec);
  if (p.completed) m.requests_meta[p.id] = parent_meta(p);
  m.itl_avg.erase(pfx);
  m.itl_avg.erase(dec);
  if (p.completed && in.di) m.itl_avg[p.id] = *in.di;
  if (m.completion_time) {
    m.completion_time->erase(pfx);
    m.completion_time->erase(dec);
    if (p.completed && e2e) {
      (*m.completion_time)[p.id] =
          completion_time_rule(rules.era) == CompletionTimeRule::arrival_plus_e2e
              ? static_cast<double>(p.arrival) + *e2e
              : static_cast<double>(p.completion_time);
    }
  }
}

}  // namespace

ProjectionRules ProjectionRules::from_config(const Config& config) {
  return ProjectionRules{config.projection, config.quirks.dropped_parent_counts_completed};
}

void project_pd_metrics(ProjectionTarget target, std::vector<ParentRecord>& parents,
                        const ProjectionRules& rules, std::vector<std::string>& warnings) {
  for (ParentRecord& p : parents) project_parent(target, p, rules, warnings);
}

}  // namespace simcheck::model
