// Spec §10.4 (PD metric projection, every branch), Appendix A (historical eras), §13 A1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/run_output.h"

namespace simcheck::model {

// What the projection reads and writes besides the parent records: the aggregate maps and the
// aggregate ttft_sum (the only counter it changes).
struct ProjectionTarget {
  MetricMaps& maps;
  int64_t& ttft_sum;
};

// How the projection behaves; `from_config` gives the run's settings.
struct ProjectionRules {
  ProjectionEra era = ProjectionEra::current;
  // Quirks::dropped_parent_counts_completed (A1). When false a parent is "completed" only if
  // its outcome is decode_completed.
  bool dropped_parent_counts_completed = true;
  // Addendum C Δ7: the causal projection (served gating, T-DECODE, E-DECODE / E-TIMEOUT).
  bool causal = false;

  static ProjectionRules from_config(const Config& config);
};

// The five values of §10.4 a parent's projection reads (all read before any key is erased).
struct ParentInputs {
  std::optional<int64_t> dd;   // sched_delay[dec]: arrival -> decode schedule
  std::optional<double> de;    // e2e[dec]: the decode sub-request's own E2E
  std::optional<double> pt;    // ttft[pfx]: prefill TTFT
  std::optional<int64_t> pdl;  // sched_delay[pfx]
  std::optional<double> di;    // itl_avg[dec]
  std::optional<double> td;    // ttft[dec] (read by the causal projection, Addendum C Δ7)
};

// What projecting one parent writes under the parent's id (nullopt = no entry) besides erasing
// the prefill and decode sub-requests' keys from every map, and its change of ttft_sum.
struct ParentProjection {
  bool completed = false;
  bool served = false;  // Addendum C Δ7 (causal only; false under faithful)
  TtftBranch ttft_branch = TtftBranch::none;
  E2eBranch e2e_branch = E2eBranch::none;
  std::optional<double> ttft, e2e, itl_avg;
  std::optional<int64_t> sched_delay;
  std::optional<RequestMeta> meta;
  std::optional<double> completion_time;  // written only where the completion_time map exists
  int64_t ttft_sum_delta = 0;
};

// §10.4 / Appendix A for one parent from its inputs. Pure apart from the E-NEGATIVE warning.
ParentProjection project_parent_values(const ParentRecord& p, const ParentInputs& in,
                                       const ProjectionRules& rules,
                                       std::vector<std::string>& warnings);

// Projects every parent (§10.4 for `current`, Appendix A otherwise) and records on each parent
// its `completed` flag and the TTFT/E2E branches taken. Reads `outcome` (for the non-default
// completed rule), the lifecycle fields and `decode_sub`; never changes them. Errors the spec
// says to "log" (E-NEGATIVE) are appended to `warnings`. Works on synthetic inputs: nothing here
// needs a run.
void project_pd_metrics(ProjectionTarget target, std::vector<ParentRecord>& parents,
                        const ProjectionRules& rules, std::vector<std::string>& warnings);

}  // namespace simcheck::model
