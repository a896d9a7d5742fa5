// Spec §10.2 (aggregation) and §10.3 (PD correction) on partial outputs (AGG-REPORTED-SUMS): the
// aggregate counters against the instances' for every counter both report. A §10.3 correction
// the source does not report is non-negative, so its identity becomes a bound; without the PD
// mode every correction is treated as unreported (a non-PD run has all of them 0).
#include <algorithm>

#include "properties/check_support.h"
#include "properties/coverage.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using support::kv;

enum class Relation { equal, at_most, at_least };

}  // namespace

CheckResult check_reported_sums(const model::RunOutput& run) {
  const char* id = "AGG-REPORTED-SUMS";
  if (!unreported_input("AGG-SUM-OF-INSTANCES", run)) {
    return not_applicable(id, "AGG-SUM-OF-INSTANCES applies (every input reported)");
  }
  if (!is_reported(run, "instances") || run.instances.empty()) {
    return not_applicable(id, "instances not reported");
  }
  if (!is_reported(run, "aggregate.counters")) {
    return not_applicable(id, "aggregate.counters not reported");
  }
  support::Violations out(id);
  const bool pd_known = is_reported(run, "pd");
  const bool pd = !pd_known || support::is_pd_run(run);  // unknown: corrections may be non-zero
  auto pd_counter = [&](const char* name,
                        int64_t model::PdCounters::*field) -> std::optional<int64_t> {
    if (!pd) return 0;
    if (!run.pd || !is_reported(run, std::string("pd.") + name)) return std::nullopt;
    return (*run.pd).*field;
  };

  auto compare = [&](const char* name, int64_t model::Counters::*field, std::optional<int64_t> add,
                     Relation unknown_relation) {
    if (!is_reported(run, std::string("aggregate.counters.") + name) ||
        !is_reported(run, std::string("instances.counters.") + name)) {
      return;
    }
    exact::Sum total;
    for (const auto& inst : run.instances) total.add(inst.counters.*field);
    const int64_t reported = run.aggregate.counters.*field;
    const exact::Sum agg(reported);
    if (add) {
      total.add(*add);
      if (!(agg == total)) {
        out.fail("", "aggregate " + kv(name, reported) + " != sum over instances" +
                         (*add ? " with the §10.3 correction " + std::to_string(*add) : "") +
                         " = " + total.str());
      }
      return;
    }
    if (unknown_relation == Relation::at_most && total < agg) {
      out.fail("", "aggregate " + kv(name, reported) + " > sum over instances = " + total.str() +
                       " (the §10.3 correction only subtracts)");
    }
    if (unknown_relation == Relation::at_least && agg < total) {
      out.fail("", "aggregate " + kv(name, reported) + " < sum over instances = " + total.str() +
                       " (the §10.3 correction only adds)");
    }
  };

  using C = model::Counters;
  using P = model::PdCounters;
  auto negate = [](std::optional<int64_t> v) -> std::optional<int64_t> {
    if (v) return -*v;
    return std::nullopt;
  };
  compare("completed", &C::completed,
          negate(pd_counter("pd_prefill_completed", &P::pd_prefill_completed)), Relation::at_most);
  compare("dropped_unservable", &C::dropped_unservable,
          pd_counter("dropped_at_decode_kv", &P::dropped_at_decode_kv), Relation::at_least);
  std::optional<int64_t> in_transfer = pd_counter("pd_in_transfer", &P::pd_in_transfer);
  if (in_transfer) in_transfer = std::max<int64_t>(*in_transfer, 0);
  compare("still_running", &C::still_running, in_transfer, Relation::at_least);
  compare("still_queued", &C::still_queued, 0, Relation::equal);
  compare("timed_out", &C::timed_out, 0, Relation::equal);
  compare("length_capped_count", &C::length_capped_count, 0, Relation::equal);
  compare("preemption_count", &C::preemption_count, 0, Relation::equal);
  compare("total_input_tokens", &C::total_input_tokens, 0, Relation::equal);
  compare("total_output_tokens", &C::total_output_tokens, 0, Relation::equal);

  // Optional counters: compared when the aggregate and every instance report them.
  auto all_report = [&](std::optional<int64_t> C::*field) {
    if (!(run.aggregate.counters.*field)) return false;
    return std::all_of(run.instances.begin(), run.instances.end(),
                       [&](const auto& inst) { return (inst.counters.*field).has_value(); });
  };
  if (all_report(&C::kv_allocation_failures)) {
    exact::Sum total;
    for (const auto& inst : run.instances) total.add(*inst.counters.kv_allocation_failures);
    if (!(exact::Sum(*run.aggregate.counters.kv_allocation_failures) == total)) {
      out.fail("",
               "aggregate " +
                   kv("kv_allocation_failures", *run.aggregate.counters.kv_allocation_failures) +
                   " != sum over instances = " + total.str());
    }
  }
  if (all_report(&C::sim_ended)) {
    int64_t latest = 0;
    for (const auto& inst : run.instances) latest = std::max(latest, *inst.counters.sim_ended);
    if (*run.aggregate.counters.sim_ended != latest) {
      out.fail("", "aggregate " + kv("sim_ended", *run.aggregate.counters.sim_ended) +
                       " != max over instances = " + std::to_string(latest));
    }
  }
  if (is_reported(run, "aggregate.counters.cache_hit_rate") &&
      is_reported(run, "instances.counters.cache_hit_rate")) {
    double sum = 0.0;  // §10.2: plain mean in binary64, index order
    for (const auto& inst : run.instances) sum += inst.counters.cache_hit_rate;
    const double mean = sum / static_cast<double>(run.instances.size());
    if (!(mean == run.aggregate.counters.cache_hit_rate)) {
      out.fail("", "aggregate " + kv("cache_hit_rate", run.aggregate.counters.cache_hit_rate) +
                       " != mean over instances = " + exact::str(mean));
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
