// Spec §10.2 (map merge) and §10.4 (PROJECT's re-keying) in one pass over sorted maps.
#include "model/projected_maps.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "model/id_compare.h"
#include "model/id_order.h"

namespace simcheck::model {
namespace {

using Key = std::string_view;

// Which sub-request of which parent a key names. The id is a copy: the sorted list is then read
// sequentially, not scattered over the parent records.
struct SubId {
  Id id;
  int32_t parent = -1;
  bool decode = false;
};

template <class V>
using Rows = std::vector<std::pair<Key, const V*>>;

// Walks the union of the instances' maps of one kind in key order (a k-way merge of sorted maps)
// against the sorted sub-request ids: each sub-request row goes to `route` (sub-request, value)
// so that its parent can read its inputs, every other row (one that survives PROJECT) is
// appended to `kept`. Nothing else is built: in a PD run nearly every row is a sub-request's.
// False if a key is in two of the maps.
template <class V, class MapOf, class Route>
bool route_instance_rows(const std::vector<InstanceOutput>& instances, MapOf map_of,
                         const std::vector<SubId>& subs, Route route, Rows<V>& kept) {
  using It = typename IdMap<V>::const_iterator;
  std::vector<std::pair<It, It>> heads;
  for (const InstanceOutput& inst : instances) {
    const IdMap<V>* m = map_of(inst);
    if (m != nullptr && !m->empty()) heads.emplace_back(m->begin(), m->end());
  }
  size_t s = 0;
  while (!heads.empty()) {
    size_t best = 0;
    for (size_t j = 1; j < heads.size(); ++j) {
      const int c = compare_ids(heads[j].first->first, heads[best].first->first);
      if (c == 0) return false;  // duplicate key: the merge would warn and overwrite
      if (c < 0) best = j;
    }
    auto& [it, end] = heads[best];
    const Key key = it->first;
    int c = -1;
    while (s < subs.size() && (c = compare_ids(subs[s].id, key)) < 0) ++s;
    if (s < subs.size() && c == 0) {
      route(subs[s], it->second);
    } else {
      kept.emplace_back(key, &it->second);
    }
    if (++it == end) heads.erase(heads.begin() + static_cast<std::ptrdiff_t>(best));
  }
  return true;
}

// The surviving rows merged with the parents' entries, in key order, passed to `emit` (key,
// value). `ids` are the parents' ids in id order and value_of(k) the value of the k-th of them.
// False, before emitting anything, if a parent id equals a surviving key.
template <class V, class ValueOf, class Emit>
bool add_parents(const Rows<V>& kept, const std::vector<Id>& ids, ValueOf value_of, Emit emit) {
  for (int pass = 0; pass < 2; ++pass) {  // pass 0 checks, pass 1 emits
    if (pass == 0 && kept.empty()) continue;
    size_t k = 0;
    for (size_t p = 0; p < ids.size(); ++p) {
      const std::optional<V>& v = value_of(p);
      if (!v) continue;
      const Key id = ids[p];
      int c = -1;
      while (k < kept.size() && (c = compare_ids(kept[k].first, id)) < 0) {
        if (pass == 1) emit(kept[k].first, *kept[k].second);
        ++k;
      }
      if (k < kept.size() && c == 0) return false;
      if (pass == 1) emit(id, *v);
    }
    for (; pass == 1 && k < kept.size(); ++k) emit(kept[k].first, *kept[k].second);
  }
  return true;
}

}  // namespace

bool build_projected_maps(const std::vector<InstanceOutput>& instances,
                          std::vector<ParentRecord>& parents, const ProjectionRules& rules,
                          MetricMaps& maps, int64_t& ttft_sum,
                          std::vector<std::string>& projection_warnings) {
  // ---- parents in id order, their sub-request ids in id order ----
  for (const ParentRecord& p : parents) {
    const Key id = p.id;
    if (id.ends_with("_prefill") || id.ends_with("_decode")) return false;
  }
  const std::vector<int32_t> parents_by_id =
      indices_in_id_order(parents.size(), [&](size_t i) -> Key { return parents[i].id; });
  // The parents' ids in id order, gathered once: the duplicate check and the six map walks below
  // then read them sequentially (id order is far from creation order: "request_10" < "request_9").
  std::vector<Id> ids;
  ids.reserve(parents.size());
  for (const int32_t p : parents_by_id) ids.push_back(parents[p].id);
  for (size_t k = 1; k < ids.size(); ++k) {
    if (ids[k] == ids[k - 1]) return false;  // duplicate parent id
  }
  // Sub-request 2i is parent i's prefill, 2i + 1 its decode.
  const auto sub_id = [&](size_t i) -> Key {
    const ParentRecord& p = parents[i / 2];
    return i % 2 == 0 ? p.prefill_id : p.decode_id;
  };
  const std::vector<int32_t> sub_order = indices_in_id_order(2 * parents.size(), sub_id);
  std::vector<SubId> subs;
  subs.reserve(sub_order.size());
  for (const int32_t x : sub_order) subs.push_back(SubId{sub_id(x), x / 2, x % 2 == 1});

  // ---- route the sub-requests' values to their parents; keep the other rows ----
  Rows<double> ttft, e2e, itl_avg, completion_time;
  Rows<int64_t> sched_delay;
  Rows<RequestMeta> meta;
  bool has_completion_time = false;
  for (const InstanceOutput& inst : instances)
    has_completion_time |= inst.maps.completion_time.has_value();
  std::vector<ParentInputs> inputs(parents.size());
  const auto ignore = [](const SubId&, const auto&) {};
  const bool routed =
      route_instance_rows(
          instances, [](const InstanceOutput& i) { return &i.maps.ttft; }, subs,
          [&](const SubId& s, double v) {
            (s.decode ? inputs[s.parent].td : inputs[s.parent].pt) = v;
          },
          ttft) &&
      route_instance_rows(
          instances, [](const InstanceOutput& i) { return &i.maps.e2e; }, subs,
          [&](const SubId& s, double v) {
            if (s.decode) inputs[s.parent].de = v;
          },
          e2e) &&
      route_instance_rows(
          instances, [](const InstanceOutput& i) { return &i.maps.itl_avg; }, subs,
          [&](const SubId& s, double v) {
            if (s.decode) inputs[s.parent].di = v;
          },
          itl_avg) &&
      route_instance_rows(
          instances, [](const InstanceOutput& i) { return &i.maps.sched_delay; }, subs,
          [&](const SubId& s, int64_t v) {
            (s.decode ? inputs[s.parent].dd : inputs[s.parent].pdl) = v;
          },
          sched_delay) &&
      route_instance_rows(
          instances,
          [](const InstanceOutput& i) -> const IdMap<double>* {
            return i.maps.completion_time ? &*i.maps.completion_time : nullptr;
          },
          subs, ignore, completion_time) &&
      route_instance_rows(
          instances, [](const InstanceOutput& i) { return &i.maps.requests_meta; }, subs, ignore,
          meta);
  if (!routed) return false;

  // ---- project every parent (creation order, as project_pd_metrics) ----
  std::vector<ParentProjection> projected;
  projected.reserve(parents.size());
  std::vector<std::string> warnings;
  for (size_t i = 0; i < parents.size(); ++i) {
    projected.push_back(project_parent_values(parents[i], inputs[i], rules, warnings));
  }
  if (!has_completion_time) {
    for (ParentProjection& r : projected) r.completion_time.reset();
  }

  // ---- the maps: surviving rows and parents' entries, in key order, appended at the end ----
  // The projections, like the ids, in id order (one gather, then sequential walks).
  std::vector<ParentProjection> by_id;
  by_id.reserve(parents.size());
  for (const int32_t p : parents_by_id) by_id.push_back(std::move(projected[p]));
  const auto ttft_of = [&](size_t k) -> const auto& { return by_id[k].ttft; };
  const auto e2e_of = [&](size_t k) -> const auto& { return by_id[k].e2e; };
  const auto itl_of = [&](size_t k) -> const auto& { return by_id[k].itl_avg; };
  const auto sched_of = [&](size_t k) -> const auto& { return by_id[k].sched_delay; };
  const auto ct_of = [&](size_t k) -> const auto& { return by_id[k].completion_time; };
  const auto meta_of = [&](size_t k) -> const auto& { return by_id[k].meta; };
  const auto check = [](Key, const auto&) {};
  const bool disjoint =
      add_parents(ttft, ids, ttft_of, check) && add_parents(e2e, ids, e2e_of, check) &&
      add_parents(itl_avg, ids, itl_of, check) && add_parents(sched_delay, ids, sched_of, check) &&
      add_parents(completion_time, ids, ct_of, check) && add_parents(meta, ids, meta_of, check);
  if (!disjoint) return false;
  const auto fill = [&](auto& map, const auto& kept, const auto& value_of) {
    size_t n = kept.size();
    for (size_t k = 0; k < ids.size(); ++k) n += value_of(k).has_value();
    map.reserve(n);
    add_parents(kept, ids, value_of,
                [&](Key key, const auto& value) { map.emplace_hint(map.end(), key, value); });
  };
  fill(maps.ttft, ttft, ttft_of);
  fill(maps.e2e, e2e, e2e_of);
  fill(maps.itl_avg, itl_avg, itl_of);
  fill(maps.sched_delay, sched_delay, sched_of);
  if (has_completion_time) fill(maps.completion_time.emplace(), completion_time, ct_of);
  fill(maps.requests_meta, meta, meta_of);
  for (size_t k = 0; k < by_id.size(); ++k) {
    ParentRecord& p = parents[parents_by_id[k]];
    p.completed = by_id[k].completed;
    p.served = by_id[k].served;
    p.ttft_branch = by_id[k].ttft_branch;
    p.e2e_branch = by_id[k].e2e_branch;
    ttft_sum += by_id[k].ttft_sum_delta;
  }
  projection_warnings.insert(projection_warnings.end(), std::make_move_iterator(warnings.begin()),
                             std::make_move_iterator(warnings.end()));
  return true;
}

}  // namespace simcheck::model
