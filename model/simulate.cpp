// Spec §4.2 / §8.3 (driver choice), §10.2 AGGREGATE, §10.3 PD_CORRECT, §10.4 PROJECT, §10.5
// statistics, §10.6 run output: one run from a trace to a RunOutput.
#include "model/simulate.h"

#include <utility>

#include "model/aggregation.h"
#include "model/cluster.h"
#include "model/pd_correction.h"
#include "model/projected_maps.h"
#include "model/projection.h"
#include "model/simulate_internal.h"
#include "model/statistics.h"

namespace simcheck::model {
namespace {

std::vector<TraceEntry> trace_entries(const Trace& trace) {
  std::vector<TraceEntry> out;
  out.reserve(trace.size());
  for (const Request& r : trace) {
    out.push_back(TraceEntry{r.id, r.arrival, static_cast<int64_t>(r.input.size()),
                             static_cast<int64_t>(r.output.size()), r.max_output_len, r.deadline});
  }
  return out;
}

}  // namespace

RunOutput simulate_with_hooks(const Config& case_config, int64_t seed, const Trace& trace,
                              const ClusterHooks& hooks) {
  // Addendum C Δ8: the causal profile requires the processed-event log; the run's config says so.
  Config config = case_config;
  if (config.causal()) config.record_events = true;
  // The arena owns every request and sub-request of the run and keeps their addresses
  // stable while instances and the cluster hold pointers. Token lists stay in `trace`.
  RequestArena arena;
  std::vector<SimRequest*> requests;
  requests.reserve(trace.size());
  for (const Request& q : trace) {
    SimRequest& r = arena.emplace_back();
    r.id = q.id;
    r.arrival = q.arrival;
    r.set_tokens(&q.input, &q.output);
    r.max_output_len = q.max_output_len;
    r.deadline = q.deadline;
    requests.push_back(&r);
  }
  DriverResult run = config.driver == Driver::standalone
                         ? run_standalone(config, requests)
                         : run_cluster(config, seed, requests, arena, hooks);

  RunOutput out;
  out.seed = seed;
  out.config = config;
  out.trace = trace_entries(trace);
  out.warnings = std::move(run.warnings);
  out.aggregate = aggregate_counters_and_lists(run.instances);
  Aggregate& agg = out.aggregate;
  // AGGREGATE's map merge and PROJECT's re-keying in one pass when their order cannot matter
  // (always for valid cases); otherwise one after the other, as the spec writes them.
  const ProjectionRules rules = ProjectionRules::from_config(config);
  int64_t ttft_sum = agg.counters.ttft_sum.value_or(0);
  std::vector<std::string> projection_warnings;
  const bool one_pass = build_projected_maps(run.instances, run.parents, rules, agg.maps, ttft_sum,
                                             projection_warnings);
  if (!one_pass) merge_instance_maps(run.instances, agg.maps, out.warnings);
  if (run.pd) {
    apply_pd_correction(agg.counters, *run.pd, out.warnings);
    if (!one_pass) {
      project_pd_metrics(ProjectionTarget{agg.maps, ttft_sum}, run.parents, rules, out.warnings);
    }
    out.warnings.insert(out.warnings.end(), projection_warnings.begin(), projection_warnings.end());
    agg.counters.ttft_sum = ttft_sum;
    out.pd = *run.pd;
    out.parents = std::move(run.parents);
  }
  agg.statistics = summary_statistics(agg.counters, agg.maps,
                                      agg.all_itls ? *agg.all_itls : std::vector<int64_t>{});
  out.instances = std::move(run.instances);
  out.cluster = run.cluster;
  return out;
}

RunOutput simulate(const Config& config, int64_t seed, const Trace& trace) {
  return simulate_with_hooks(config, seed, trace, ClusterHooks{});
}

RunOutput simulate(const Case& c) { return simulate(c.config, c.seed, materialise(c)); }

}  // namespace simcheck::model
