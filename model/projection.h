// Spec §10.4 (PD metric projection, every branch), Appendix A (historical eras), §13 A1.
#pragma once

#include <cstdint>
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

  static ProjectionRules from_config(const Config& config);
};

// Projects every parent (§10.4 for `current`, Appendix A otherwise) and records on each parent
// its `completed` flag and the TTFT/E2E branches taken. Reads `outcome` (for the non-default
// completed rule), the lifecycle fields and `decode_sub`; never changes them. Errors the spec
// says to "log" (E-NEGATIVE) are appended to `warnings`. Works on synthetic inputs: nothing here
// needs a run.
void project_pd_metrics(ProjectionTarget target, std::vector<ParentRecord>& parents,
                        const ProjectionRules& rules, std::vector<std::string>& warnings);

}  // namespace simcheck::model
