// Spec §10.2: cluster aggregation.
#include "model/aggregation.h"

#include <algorithm>
#include <optional>

namespace simcheck::model {
namespace {

void add(std::optional<int64_t>& total, const std::optional<int64_t>& v) {
  if (v) total = total.value_or(0) + *v;
}
void add(std::optional<double>& total, const std::optional<double>& v) {
  if (v) total = total.value_or(0.0) + *v;
}
void take_max(std::optional<int64_t>& best, const std::optional<int64_t>& v) {
  if (v) best = best ? std::max(*best, *v) : *v;
}

// `from` merged into `into`, the later instance winning on a duplicate key, with one warning per
// duplicate in `from`'s key order (what inserting `from`'s entries one by one gives). Both are
// sorted, so this is one linear merge into a new vector instead of an insertion per key.
template <class V>
void merge(IdMap<V>& into, const IdMap<V>& from, const char* map_name,
           std::vector<std::string>& warnings) {
  if (from.empty()) return;
  if (into.empty() || (into.end() - 1)->first < from.begin()->first) {  // all after: append
    into.reserve(into.size() + from.size());
    for (const auto& [key, value] : from) into.emplace_hint(into.end(), key, value);
    return;
  }
  std::vector<typename IdMap<V>::value_type> out;
  out.reserve(into.size() + from.size());
  auto a = into.begin();
  for (const auto& [key, value] : from) {
    while (a != into.end() && a->first < key) out.push_back(std::move(*a++));
    if (a != into.end() && a->first == key) {
      warnings.push_back(std::string("aggregation: duplicate key ") + key + " in " + map_name);
      ++a;  // replaced by the later instance's value
    }
    out.emplace_back(key, value);
  }
  while (a != into.end()) out.push_back(std::move(*a++));
  into = IdMap<V>::from_entries(std::move(out));
}

template <class T>
void concat(std::optional<std::vector<T>>& into, const std::optional<std::vector<T>>& from) {
  if (!from) return;
  if (!into) into.emplace();
  into->insert(into->end(), from->begin(), from->end());
}

}  // namespace

void merge_instance_maps(const std::vector<InstanceOutput>& instances, MetricMaps& m,
                         std::vector<std::string>& warnings) {
  for (const InstanceOutput& inst : instances) {
    merge(m.ttft, inst.maps.ttft, "ttft", warnings);
    merge(m.e2e, inst.maps.e2e, "e2e", warnings);
    merge(m.itl_avg, inst.maps.itl_avg, "itl_avg", warnings);
    merge(m.sched_delay, inst.maps.sched_delay, "sched_delay", warnings);
    if (inst.maps.completion_time) {
      if (!m.completion_time) m.completion_time.emplace();
      merge(*m.completion_time, *inst.maps.completion_time, "completion_time", warnings);
    }
    merge(m.requests_meta, inst.maps.requests_meta, "requests_meta", warnings);
  }
}

Aggregate aggregate_instances(const std::vector<InstanceOutput>& instances,
                              std::vector<std::string>& warnings) {
  Aggregate agg = aggregate_counters_and_lists(instances);
  merge_instance_maps(instances, agg.maps, warnings);
  return agg;
}

Aggregate aggregate_counters_and_lists(const std::vector<InstanceOutput>& instances) {
  Aggregate agg;
  Counters& c = agg.counters;
  double hit_rate_sum = 0.0;
  for (const InstanceOutput& inst : instances) {
    const Counters& x = inst.counters;
    c.completed += x.completed;
    c.still_queued += x.still_queued;
    c.still_running += x.still_running;
    c.dropped_unservable += x.dropped_unservable;
    c.timed_out += x.timed_out;
    c.length_capped_count += x.length_capped_count;
    c.preemption_count += x.preemption_count;
    add(c.kv_allocation_failures, x.kv_allocation_failures);
    c.total_input_tokens += x.total_input_tokens;
    c.total_output_tokens += x.total_output_tokens;
    add(c.ttft_sum, x.ttft_sum);
    take_max(c.sim_ended, x.sim_ended);
    take_max(c.peak_kv_used, x.peak_kv_used);
    add(c.kv_used_integral, x.kv_used_integral);
    hit_rate_sum += x.cache_hit_rate;
    add(c.cache_hits, x.cache_hits);
    add(c.cache_misses, x.cache_misses);

    concat(agg.all_itls, inst.all_itls);
    concat(agg.step_counters, inst.step_counters);
  }
  // The plain mean over instances, as BLIS reports it (not a hit-weighted rate).
  if (!instances.empty()) c.cache_hit_rate = hit_rate_sum / static_cast<double>(instances.size());
  return agg;
}

}  // namespace simcheck::model
