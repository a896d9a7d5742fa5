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

// Which sub-request of which parent a key names.
struct SubId {
  Key id;
  int32_t parent = -1;
  bool decode = false;
};

template <class V>
using Rows = std::vector<std::pair<Key, const V*>>;

// The union of the instances' maps of one kind, in key order (a k-way merge of sorted maps).
// False if a key is in two of them.
template <class V, class MapOf>
bool merge_instances(const std::vector<InstanceOutput>& instances, MapOf map_of, Rows<V>& rows) {
  using It = typename IdMap<V>::const_iterator;
  std::vector<std::pair<It, It>> heads;
  size_t total = 0;
  for (const InstanceOutput& inst : instances) {
    const IdMap<V>* m = map_of(inst);
    if (m == nullptr || m->empty()) continue;
    heads.emplace_back(m->begin(), m->end());
    total += m->size();
  }
  rows.reserve(total);
  while (!heads.empty()) {
    size_t best = 0;
    for (size_t j = 1; j < heads.size(); ++j) {
      const int c = compare_ids(heads[j].first->first, heads[best].first->first);
      if (c == 0) return false;  // duplicate key: the merge would warn and overwrite
      if (c < 0) best = j;
    }
    auto& [it, end] = heads[best];
    rows.emplace_back(it->first, &it->second);
    if (++it == end) heads.erase(heads.begin() + static_cast<std::ptrdiff_t>(best));
  }
  return true;
}

// Splits `rows` into the keys that survive PROJECT and the sub-request keys it erases; `route`
// receives each erased row (sub-request, value) so that the parent can read its inputs.
template <class V, class Route>
Rows<V> drop_sub_requests(const Rows<V>& rows, const std::vector<SubId>& subs, Route route) {
  Rows<V> kept;
  kept.reserve(rows.size());
  size_t s = 0;
  for (const auto& row : rows) {
    int c = -1;
    while (s < subs.size() && (c = compare_ids(subs[s].id, row.first)) < 0) ++s;
    if (s < subs.size() && c == 0) {
      route(subs[s], *row.second);
    } else {
      kept.push_back(row);
    }
  }
  return kept;
}

// Surviving rows merged with the parents' entries (parents in id order). False if a parent id
// equals a surviving key.
template <class V, class ValueOf>
bool add_parents(const Rows<V>& kept, const std::vector<ParentRecord>& parents,
                 const std::vector<int32_t>& parents_by_id, ValueOf value_of, Rows<V>& out) {
  out.reserve(kept.size() + parents.size());
  size_t k = 0;
  for (int32_t p : parents_by_id) {
    const std::optional<V>& v = value_of(p);
    if (!v) continue;
    const Key id = parents[p].id;
    int c = -1;
    while (k < kept.size() && (c = compare_ids(kept[k].first, id)) < 0) out.push_back(kept[k++]);
    if (k < kept.size() && c == 0) return false;
    out.emplace_back(id, &*v);
  }
  out.insert(out.end(), kept.begin() + static_cast<std::ptrdiff_t>(k), kept.end());
  return true;
}

// Rows in key order become the map, each appended at its end (push_back into one allocation).
template <class V>
void fill(IdMap<V>& m, const Rows<V>& rows) {
  m.reserve(rows.size());
  for (const auto& [key, value] : rows) m.emplace_hint(m.end(), key, *value);
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
  for (size_t i = 1; i < parents_by_id.size(); ++i) {
    if (parents[parents_by_id[i]].id == parents[parents_by_id[i - 1]].id) {
      return false;  // duplicate parent id
    }
  }
  // Sub-request 2i is parent i's prefill, 2i + 1 its decode.
  const std::vector<int32_t> sub_order =
      indices_in_id_order(2 * parents.size(), [&](size_t i) -> Key {
        const ParentRecord& p = parents[i / 2];
        return i % 2 == 0 ? p.prefill_id : p.decode_id;
      });
  std::vector<SubId> subs;
  subs.reserve(sub_order.size());
  for (const int32_t x : sub_order) {
    const ParentRecord& p = parents[x / 2];
    subs.push_back(SubId{x % 2 == 0 ? Key(p.prefill_id) : Key(p.decode_id), x / 2, x % 2 == 1});
  }

  // ---- merge the instances' maps, route the sub-requests' values to their parents ----
  Rows<double> ttft, e2e, itl_avg, completion_time;
  Rows<int64_t> sched_delay;
  Rows<RequestMeta> meta;
  bool has_completion_time = false;
  for (const InstanceOutput& inst : instances)
    has_completion_time |= inst.maps.completion_time.has_value();
  const bool merged =
      merge_instances(
          instances, [](const InstanceOutput& i) { return &i.maps.ttft; }, ttft) &&
      merge_instances(
          instances, [](const InstanceOutput& i) { return &i.maps.e2e; }, e2e) &&
      merge_instances(
          instances, [](const InstanceOutput& i) { return &i.maps.itl_avg; }, itl_avg) &&
      merge_instances(
          instances, [](const InstanceOutput& i) { return &i.maps.sched_delay; }, sched_delay) &&
      merge_instances(
          instances,
          [](const InstanceOutput& i) -> const IdMap<double>* {
            return i.maps.completion_time ? &*i.maps.completion_time : nullptr;
          },
          completion_time) &&
      merge_instances(
          instances, [](const InstanceOutput& i) { return &i.maps.requests_meta; }, meta);
  if (!merged) return false;

  std::vector<ParentInputs> inputs(parents.size());
  const auto ignore = [](const SubId&, const auto&) {};
  ttft = drop_sub_requests(ttft, subs, [&](const SubId& s, double v) {
    if (!s.decode) inputs[s.parent].pt = v;
  });
  e2e = drop_sub_requests(e2e, subs, [&](const SubId& s, double v) {
    if (s.decode) inputs[s.parent].de = v;
  });
  itl_avg = drop_sub_requests(itl_avg, subs, [&](const SubId& s, double v) {
    if (s.decode) inputs[s.parent].di = v;
  });
  sched_delay = drop_sub_requests(sched_delay, subs, [&](const SubId& s, int64_t v) {
    (s.decode ? inputs[s.parent].dd : inputs[s.parent].pdl) = v;
  });
  completion_time = drop_sub_requests(completion_time, subs, ignore);
  meta = drop_sub_requests(meta, subs, ignore);

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

  // ---- the final rows, then the maps ----
  Rows<double> ttft_rows, e2e_rows, itl_rows, ct_rows;
  Rows<int64_t> sched_rows;
  Rows<RequestMeta> meta_rows;
  const bool disjoint =
      add_parents(
          ttft, parents, parents_by_id, [&](int32_t p) -> const auto& { return projected[p].ttft; },
          ttft_rows) &&
      add_parents(
          e2e, parents, parents_by_id, [&](int32_t p) -> const auto& { return projected[p].e2e; },
          e2e_rows) &&
      add_parents(
          itl_avg, parents,
          parents_by_id, [&](int32_t p) -> const auto& { return projected[p].itl_avg; },
          itl_rows) &&
      add_parents(
          sched_delay, parents,
          parents_by_id, [&](int32_t p) -> const auto& { return projected[p].sched_delay; },
          sched_rows) &&
      add_parents(
          completion_time, parents,
          parents_by_id, [&](int32_t p) -> const auto& { return projected[p].completion_time; },
          ct_rows) &&
      add_parents(
          meta, parents, parents_by_id, [&](int32_t p) -> const auto& { return projected[p].meta; },
          meta_rows);
  if (!disjoint) return false;

  fill(maps.ttft, ttft_rows);
  fill(maps.e2e, e2e_rows);
  fill(maps.itl_avg, itl_rows);
  fill(maps.sched_delay, sched_rows);
  if (has_completion_time) fill(maps.completion_time.emplace(), ct_rows);
  fill(maps.requests_meta, meta_rows);
  for (size_t i = 0; i < parents.size(); ++i) {
    parents[i].completed = projected[i].completed;
    parents[i].ttft_branch = projected[i].ttft_branch;
    parents[i].e2e_branch = projected[i].e2e_branch;
    ttft_sum += projected[i].ttft_sum_delta;
  }
  projection_warnings.insert(projection_warnings.end(), std::make_move_iterator(warnings.begin()),
                             std::make_move_iterator(warnings.end()));
  return true;
}

}  // namespace simcheck::model
