// Shared plumbing of the catalogue's checks (spec §10.6 view of a run output): violation
// collection with a cap, id indexes built in linear time, and the run's PD mode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/run_output.h"
#include "properties/check_result.h"

namespace simcheck::properties::support {

// Collects the violations of one check. After `kCap` entries further violations are only
// counted, and one trailing entry says how many were omitted (gating iff any omitted one was),
// so that a broken run with 100k requests stays cheap to report.
class Violations {
 public:
  static constexpr std::size_t kCap = 64;
  explicit Violations(std::string id) : id_(std::move(id)) {}
  void fail(std::string_view subject, std::string detail) {
    add(subject, std::move(detail), false);
  }
  void known(std::string_view subject, std::string detail) {
    add(subject, std::move(detail), true);
  }
  void add(std::string_view subject, std::string detail, bool known_exception);
  bool empty() const { return list_.empty() && omitted_ == 0; }
  CheckResult finish() &&;

 private:
  std::string id_;
  std::vector<Violation> list_;
  std::size_t omitted_ = 0;
  bool omitted_gating_ = false;
};

// Builds "name=value" fragments for violation details.
std::string kv(std::string_view name, double v);
std::string kv(std::string_view name, int64_t v);
std::string kv(std::string_view name, std::string_view v);

// Whether the run is prefill/decode disaggregated: from the configuration when present, else
// from any PD evidence (parent records, PD counters, an instance with a PD role). A reader of a
// PD output without configuration must set one of these for PD-aware checks to know.
bool is_pd_run(const model::RunOutput& run);

// True if every request of a PD run is disaggregated (pd_decider = always). Unknown without
// configuration.
std::optional<bool> every_request_disaggregated(const model::RunOutput& run);

using IdSet = std::unordered_set<std::string_view>;

// What an aggregate (post-projection) key stands for.
enum class KeyKind { non_pd, pd_parent, unknown };

struct ParentIndex {
  std::unordered_map<std::string_view, const model::ParentRecord*> by_id;
  std::unordered_map<std::string_view, const model::ParentRecord*> by_sub_id;  // prefill/decode ids
  bool is_parent(std::string_view id) const { return by_id.count(id) != 0; }
  bool is_sub(std::string_view id) const { return by_sub_id.count(id) != 0; }
  const model::ParentRecord* parent(std::string_view id) const;
};
// Empty when run.parents is absent.
ParentIndex index_parents(const model::RunOutput& run);

// Non-PD run: every key is a whole request. PD run: parent records name the parents; without them
// pd_decider tells (never: none is, always: all are); otherwise unknown.
KeyKind key_kind(const model::RunOutput& run, const ParentIndex& parents, std::string_view key);

const model::InstanceOutput* find_instance(const model::RunOutput& run, std::string_view id);

// §10.2 merge of the per-instance maps BEFORE projection ("m" of §10.4 before any key is erased):
// later instances win on duplicates.
struct MergedMaps {
  std::unordered_map<std::string_view, double> ttft, e2e, itl_avg;
  std::unordered_map<std::string_view, int64_t> sched_delay;
  std::unordered_map<std::string_view, const model::RequestMeta*> requests_meta;
};
MergedMaps merge_instance_maps(const model::RunOutput& run);

// Arrival time (µs) of a request or parent id: from the trace, else from the parent records,
// else recovered from requests_meta's arrived-at seconds when exactly one integer µs value reads
// back as that double (arrival / 1e6). Absent if none of these is known.
class Arrivals {
 public:
  explicit Arrivals(const model::RunOutput& run);
  std::optional<int64_t> of(std::string_view id) const;

 private:
  std::unordered_map<std::string_view, int64_t> known_;
  const model::MetricMaps* meta_source_;
};

// Recovers integer µs `a` with (double)a / 1e6 == seconds, if exactly such a value exists near.
std::optional<int64_t> arrival_from_seconds(double seconds);

// Looks keys up in a sorted map keyed by std::string (model::IdMap) in amortised O(1), provided the
// queries come in non-decreasing key order (e.g. while iterating another such map): a merge walk,
// which keeps the checks linear in the number of requests.
template <typename Map>
class SortedCursor {
 public:
  explicit SortedCursor(const Map& m) : it_(m.begin()), end_(m.end()) {}
  const typename Map::mapped_type* find(const std::string& key) {
    while (it_ != end_ && it_->first < key) ++it_;
    return (it_ != end_ && it_->first == key) ? &it_->second : nullptr;
  }

 private:
  typename Map::const_iterator it_, end_;
};

template <typename Map, typename Key>
auto lookup(const Map& m, const Key& k) -> const typename Map::mapped_type* {
  auto it = m.find(k);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace simcheck::properties::support
