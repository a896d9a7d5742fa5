// Spec §10.2 (aggregation) and §10.3 (PD conservation correction): the aggregate equals the
// instances combined, the PD correction applied exactly once.
#include <algorithm>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using exact::Sum;
using support::kv;
using support::Violations;

// Sums one int64 counter over instances and compares with the aggregate plus a correction.
void expect_sum(Violations& out, const RunOutput& run, const char* name,
                int64_t model::Counters::*field, int64_t correction, const char* correction_name) {
  Sum total;
  for (const auto& inst : run.instances) total.add(inst.counters.*field);
  total.add(correction);
  const int64_t reported = run.aggregate.counters.*field;
  if (!(Sum(reported) == total)) {
    std::string detail =
        std::string("aggregate ") + kv(name, reported) + " != sum over instances" +
        (correction != 0 ? std::string(" + ") + correction_name + " " + std::to_string(correction)
                         : std::string()) +
        " = " + total.str();
    out.fail("", std::move(detail));
  }
}

void expect_optional_sum(Violations& out, const RunOutput& run, const char* name,
                         std::optional<int64_t> model::Counters::*field) {
  if (!(run.aggregate.counters.*field)) return;
  Sum total;
  for (const auto& inst : run.instances) {
    if (!(inst.counters.*field)) return;  // not every instance reports it
    total.add(*(inst.counters.*field));
  }
  if (!(Sum(*(run.aggregate.counters.*field)) == total)) {
    out.fail("", std::string("aggregate ") + kv(name, *(run.aggregate.counters.*field)) +
                     " != sum over instances = " + total.str());
  }
}

void expect_optional_max(Violations& out, const RunOutput& run, const char* name,
                         std::optional<int64_t> model::Counters::*field) {
  if (!(run.aggregate.counters.*field)) return;
  int64_t best = 0;
  for (const auto& inst : run.instances) {
    if (!(inst.counters.*field)) return;
    best = std::max(best, *(inst.counters.*field));
  }
  if (*(run.aggregate.counters.*field) != best) {
    out.fail("", std::string("aggregate ") + kv(name, *(run.aggregate.counters.*field)) +
                     " != max over instances = " + std::to_string(best));
  }
}

template <typename T>
bool same_list(const std::optional<std::vector<T>>& agg,
               const std::vector<model::InstanceOutput>& instances,
               std::optional<std::vector<T>> model::InstanceOutput::*field, std::string& why) {
  std::size_t pos = 0;
  for (const auto& inst : instances) {
    if (!(inst.*field)) return true;  // not reported per instance: nothing to compare
    for (const T& v : *(inst.*field)) {
      if (pos >= agg->size() || (*agg)[pos] != v) {
        why = "differs at position " + std::to_string(pos) + " (instance " + inst.id + ")";
        return false;
      }
      ++pos;
    }
  }
  if (pos != agg->size()) {
    why = "aggregate has " + std::to_string(agg->size()) + " entries, instances " +
          std::to_string(pos);
    return false;
  }
  return true;
}

// A key the projection does not touch is merged unchanged: every instance entry is in the
// aggregate with the same value, and the aggregate has no other entry. Linear: each instance map
// is walked against the aggregate with a sorted cursor; the aggregate's extra keys are searched
// for only when the entry counts differ.
template <typename V>
void expect_merged(Violations& out, const char* map_name, const model::IdMap<V>& agg,
                   const std::vector<model::InstanceOutput>& instances,
                   model::IdMap<V> model::MetricMaps::*field, const support::ParentIndex& parents) {
  auto projected = [&](const std::string& k) { return parents.is_parent(k) || parents.is_sub(k); };
  std::size_t instance_entries = 0;
  for (const auto& inst : instances) {
    support::SortedCursor agg_of(agg);
    for (const auto& [k, v] : inst.maps.*field) {
      const V* a = agg_of.find(k);
      if (projected(k)) continue;  // projected keys: C-4
      ++instance_entries;
      if (a == nullptr) {
        out.fail(k, std::string(map_name) + " entry on " + inst.id + " but not in the aggregate");
      } else if (!(*a == v)) {
        out.fail(k, std::string(map_name) + ": aggregate " + kv("value", *a) + " != " + inst.id +
                        " " + kv("value", v));
      }
    }
  }
  std::size_t aggregate_entries = 0;
  for (const auto& [k, v] : agg) aggregate_entries += projected(k) ? 0 : 1;
  if (aggregate_entries == instance_entries) return;
  support::IdSet on_instances;
  for (const auto& inst : instances) {
    for (const auto& [k, v] : inst.maps.*field) on_instances.insert(k);
  }
  bool named = false;
  for (const auto& [k, v] : agg) {
    if (projected(k) || on_instances.count(k) != 0) continue;
    out.fail(k, std::string(map_name) + " entry in the aggregate but on no instance");
    named = true;
  }
  if (!named) {
    out.fail("", std::string(map_name) + ": " + std::to_string(instance_entries) +
                     " instance entries for " + std::to_string(aggregate_entries) +
                     " aggregate entries (a key on two instances)");
  }
}

}  // namespace

CheckResult check_agg_sum_of_instances(const RunOutput& run) {
  const char* id = "AGG-SUM-OF-INSTANCES";
  if (run.instances.empty()) return not_applicable(id, "instances missing");
  const bool pd = support::is_pd_run(run);
  if (pd && !run.pd) return not_applicable(id, "PD counters missing (needed for §10.3)");
  Violations out(id);
  using C = model::Counters;
  const model::PdCounters none{};
  const model::PdCounters& pdc = pd ? *run.pd : none;
  // §10.3: completed -= pd_prefill_completed; dropped += dropped_at_decode_kv;
  // still_running += pd_in_transfer when positive.
  expect_sum(out, run, "completed", &C::completed, -pdc.pd_prefill_completed,
             "-pd_prefill_completed");
  expect_sum(out, run, "dropped_unservable", &C::dropped_unservable, pdc.dropped_at_decode_kv,
             "dropped_at_decode_kv");
  expect_sum(out, run, "still_running", &C::still_running, std::max<int64_t>(pdc.pd_in_transfer, 0),
             "pd_in_transfer");
  expect_sum(out, run, "still_queued", &C::still_queued, 0, "");
  expect_sum(out, run, "timed_out", &C::timed_out, 0, "");
  expect_sum(out, run, "length_capped_count", &C::length_capped_count, 0, "");
  expect_sum(out, run, "preemption_count", &C::preemption_count, 0, "");
  expect_sum(out, run, "total_input_tokens", &C::total_input_tokens, 0, "");
  expect_sum(out, run, "total_output_tokens", &C::total_output_tokens, 0, "");
  expect_optional_sum(out, run, "kv_allocation_failures", &C::kv_allocation_failures);
  expect_optional_sum(out, run, "cache_hits", &C::cache_hits);
  expect_optional_sum(out, run, "cache_misses", &C::cache_misses);
  expect_optional_max(out, run, "sim_ended", &C::sim_ended);
  expect_optional_max(out, run, "peak_kv_used", &C::peak_kv_used);

  // cache_hit_rate: the plain mean over instances, evaluated in binary64 as §10.2 defines it
  // (left-to-right sum in index order, then / n); compared for exact equality.
  {
    double sum = 0.0;
    for (const auto& inst : run.instances) sum += inst.counters.cache_hit_rate;
    const double mean = sum / static_cast<double>(run.instances.size());
    if (!(mean == run.aggregate.counters.cache_hit_rate)) {
      out.fail("", "aggregate " + kv("cache_hit_rate", run.aggregate.counters.cache_hit_rate) +
                       " != mean over instances = " + exact::str(mean));
    }
  }
  // kv_used_integral is a double counter summed in index order.
  if (run.aggregate.counters.kv_used_integral) {
    bool all = true;
    double sum = 0.0;
    bool first = true;
    for (const auto& inst : run.instances) {
      if (!inst.counters.kv_used_integral) {
        all = false;
        break;
      }
      sum = first ? *inst.counters.kv_used_integral : sum + *inst.counters.kv_used_integral;
      first = false;
    }
    if (all && !(sum == *run.aggregate.counters.kv_used_integral)) {
      out.fail("", "aggregate " + kv("kv_used_integral", *run.aggregate.counters.kv_used_integral) +
                       " != sum over instances = " + exact::str(sum));
    }
  }
  // all_itls and step_counters: concatenated in instance order (never touched by projection).
  std::string why;
  if (run.aggregate.all_itls &&
      !same_list(run.aggregate.all_itls, run.instances, &model::InstanceOutput::all_itls, why)) {
    out.fail("", "all_itls is not the concatenation of the instances' lists: " + why);
  }
  if (run.aggregate.step_counters && !same_list(run.aggregate.step_counters, run.instances,
                                                &model::InstanceOutput::step_counters, why)) {
    out.fail("", "step_counters is not the concatenation of the instances' lists: " + why);
  }
  // Maps: every key the projection does not touch is merged unchanged. Under PD the projected
  // keys are known only from the parent records. Instances that registered no request in
  // requests_meta (a source printing only per-instance summaries, e.g. BLIS) report no maps.
  const bool instance_maps_reported =
      std::any_of(run.instances.begin(), run.instances.end(),
                  [](const auto& inst) { return !inst.maps.requests_meta.empty(); });
  if (instance_maps_reported && (!pd || run.parents)) {
    const auto parents = support::index_parents(run);
    using M = model::MetricMaps;
    expect_merged(out, "ttft", run.aggregate.maps.ttft, run.instances, &M::ttft, parents);
    expect_merged(out, "e2e", run.aggregate.maps.e2e, run.instances, &M::e2e, parents);
    expect_merged(out, "itl_avg", run.aggregate.maps.itl_avg, run.instances, &M::itl_avg, parents);
    expect_merged(out, "sched_delay", run.aggregate.maps.sched_delay, run.instances,
                  &M::sched_delay, parents);
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
