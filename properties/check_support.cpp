// Shared plumbing of the checks (spec §10.6 view of a run output).
#include "properties/check_support.h"

#include <cmath>

#include "properties/exact.h"

namespace simcheck::properties::support {

void Violations::add(std::string_view subject, std::string detail, bool known_exception) {
  if (list_.size() < kCap) {
    list_.push_back(Violation{id_, std::string(subject), std::move(detail), known_exception});
    return;
  }
  ++omitted_;
  omitted_gating_ = omitted_gating_ || !known_exception;
}

CheckResult Violations::finish() && {
  if (omitted_ > 0) {
    list_.push_back(Violation{id_, "", std::to_string(omitted_) + " further violation(s) omitted",
                              !omitted_gating_});
  }
  return from_violations(id_, std::move(list_));
}

std::string kv(std::string_view name, double v) { return std::string(name) + "=" + exact::str(v); }
std::string kv(std::string_view name, int64_t v) {
  return std::string(name) + "=" + std::to_string(v);
}
std::string kv(std::string_view name, std::string_view v) {
  return std::string(name) + "=" + std::string(v);
}

bool is_pd_run(const model::RunOutput& run) {
  if (run.config) return run.config->pd_enabled();
  if (run.parents && !run.parents->empty()) return true;
  if (run.pd) return true;
  for (const auto& inst : run.instances) {
    if (inst.role != model::Role::none) return true;
  }
  return false;
}

std::optional<bool> every_request_disaggregated(const model::RunOutput& run) {
  if (!run.config) return std::nullopt;
  return run.config->pd_enabled() && run.config->pd_decider == model::PdDecider::always;
}

const model::ParentRecord* ParentIndex::parent(std::string_view id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

ParentIndex index_parents(const model::RunOutput& run) {
  ParentIndex idx;
  if (!run.parents) return idx;
  idx.by_id.reserve(run.parents->size());
  idx.by_sub_id.reserve(2 * run.parents->size());
  for (const auto& p : *run.parents) {
    idx.by_id.emplace(p.id, &p);
    idx.by_sub_id.emplace(p.prefill_id, &p);
    idx.by_sub_id.emplace(p.decode_id, &p);
  }
  return idx;
}

KeyKind key_kind(const model::RunOutput& run, const ParentIndex& parents, std::string_view key) {
  if (!is_pd_run(run)) return KeyKind::non_pd;
  if (run.parents) return parents.is_parent(key) ? KeyKind::pd_parent : KeyKind::non_pd;
  if (auto all = every_request_disaggregated(run)) {
    return *all ? KeyKind::pd_parent : KeyKind::non_pd;
  }
  return KeyKind::unknown;
}

const model::InstanceOutput* find_instance(const model::RunOutput& run, std::string_view id) {
  for (const auto& inst : run.instances) {
    if (inst.id == id) return &inst;
  }
  return nullptr;
}

MergedMaps merge_instance_maps(const model::RunOutput& run) {
  MergedMaps m;
  std::size_t n = 0;
  for (const auto& inst : run.instances) n += inst.maps.requests_meta.size();
  m.ttft.reserve(n);
  m.e2e.reserve(n);
  m.itl_avg.reserve(n);
  m.sched_delay.reserve(n);
  m.requests_meta.reserve(n);
  for (const auto& inst : run.instances) {
    for (const auto& [k, v] : inst.maps.ttft) m.ttft[k] = v;
    for (const auto& [k, v] : inst.maps.e2e) m.e2e[k] = v;
    for (const auto& [k, v] : inst.maps.itl_avg) m.itl_avg[k] = v;
    for (const auto& [k, v] : inst.maps.sched_delay) m.sched_delay[k] = v;
    for (const auto& [k, v] : inst.maps.requests_meta) m.requests_meta[k] = &v;
  }
  return m;
}

std::optional<int64_t> arrival_from_seconds(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.0e12) return std::nullopt;
  const auto guess = static_cast<int64_t>(std::llround(seconds * 1e6));
  std::optional<int64_t> found;
  for (int64_t a = guess - 2; a <= guess + 2; ++a) {
    if (static_cast<double>(a) / 1e6 == seconds) {
      if (found) return std::nullopt;  // ambiguous: two integers read back the same
      found = a;
    }
  }
  return found;
}

Arrivals::Arrivals(const model::RunOutput& run) : meta_source_(&run.aggregate.maps) {
  if (run.trace) {
    for (const auto& t : *run.trace) known_.emplace(t.id, t.arrival);
  }
  if (run.parents) {
    for (const auto& p : *run.parents) known_.emplace(p.id, p.arrival);
  }
}

std::optional<int64_t> Arrivals::of(std::string_view id) const {
  if (auto it = known_.find(id); it != known_.end()) return it->second;
  auto it = meta_source_->requests_meta.find(std::string(id));
  if (it == meta_source_->requests_meta.end()) return std::nullopt;
  return arrival_from_seconds(it->second.arrived_at_s);
}

}  // namespace simcheck::properties::support
