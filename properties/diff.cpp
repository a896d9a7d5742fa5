// Spec §1.3 item 1, §10.4, §10.6: request-by-request comparison of two run outputs (diff.h).
#include "properties/diff.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "properties/exact.h"

namespace simcheck::properties {
namespace {

// A field is reported unless it or one of its ancestors is listed in missing_fields.
bool reported(const model::RunOutput& run, const std::string& path) {
  for (std::size_t dot = 0;; ++dot) {
    dot = path.find('.', dot);
    if (run.missing_fields.count(path.substr(0, dot))) return false;
    if (dot == std::string::npos) return true;
  }
}

std::string why_missing(const model::RunOutput& ref, const model::RunOutput& other,
                        const std::string& path) {
  const bool r = reported(ref, path), o = reported(other, path);
  if (!r && !o) return "not reported by either side";
  return std::string("not reported by ") + (r ? "the other output" : "the reference");
}

std::string text(double v) { return exact::str(v); }

struct Accumulator {
  MetricSummary summary;
  exact::Rational abs_sum = 0;
};

// |a - b| exactly, as a double for display (exact for the µs magnitudes of a run).
double abs_diff(double a, double b) {
  return static_cast<double>(
      boost::multiprecision::abs(exact::to_rational(a) - exact::to_rational(b)));
}

// True if a and b differ by more than the tolerance (plus, for non-integer metrics, a few ulps).
bool beyond(double a, double b, int64_t tolerance_us, bool allow_rounding) {
  if (a == b) return false;
  if (!std::isfinite(a) || !std::isfinite(b)) return true;
  exact::Rational d = boost::multiprecision::abs(exact::to_rational(a) - exact::to_rational(b));
  exact::Rational allowed = exact::to_rational(tolerance_us);
  if (allow_rounding) {
    // 2^-50 relative: covers a binary64 mean and a decimal-ms -> µs conversion (4 ulps).
    allowed += exact::to_rational(std::ldexp(std::max(std::fabs(a), std::fabs(b)), -50));
  }
  return d > allowed;
}

template <typename V>
void compare_map(const std::string& metric, const model::IdMap<V>& ref,
                 const model::IdMap<V>& other, const DiffOptions& options, bool allow_rounding,
                 std::vector<RequestDifference>& out, std::vector<MetricSummary>& summaries) {
  Accumulator acc;
  acc.summary.metric = metric;
  auto ri = ref.begin();
  auto oi = other.begin();
  while (ri != ref.end() || oi != other.end()) {
    if (oi == other.end() || (ri != ref.end() && ri->first < oi->first)) {
      ++acc.summary.only_reference;
      ++acc.summary.differing;
      out.push_back(
          {ri->first, metric, text(static_cast<double>(ri->second)), std::nullopt, std::nullopt});
      ++ri;
    } else if (ri == ref.end() || oi->first < ri->first) {
      ++acc.summary.only_other;
      ++acc.summary.differing;
      out.push_back(
          {oi->first, metric, std::nullopt, text(static_cast<double>(oi->second)), std::nullopt});
      ++oi;
    } else {
      const auto a = static_cast<double>(ri->second), b = static_cast<double>(oi->second);
      ++acc.summary.compared;
      const double d = abs_diff(a, b);
      acc.abs_sum += exact::to_rational(d);
      if (d > acc.summary.max_abs_diff_us) {
        acc.summary.max_abs_diff_us = d;
        acc.summary.max_at = ri->first;
      }
      if (beyond(a, b, options.tolerance_us, allow_rounding)) {
        ++acc.summary.differing;
        out.push_back({ri->first, metric, text(a), text(b), d});
      }
      ++ri;
      ++oi;
    }
  }
  if (acc.summary.compared > 0) {
    acc.summary.mean_abs_diff_us =
        static_cast<double>(acc.abs_sum / exact::Rational(acc.summary.compared));
  }
  summaries.push_back(std::move(acc.summary));
}

}  // namespace

DiffResult diff_runs(const model::RunOutput& reference, const model::RunOutput& other,
                     const DiffOptions& options) {
  DiffResult result;
  const model::MetricMaps& rm = reference.aggregate.maps;
  const model::MetricMaps& om = other.aggregate.maps;
  auto both = [&](const std::string& path) {
    if (reported(reference, path) && reported(other, path)) return true;
    const std::string name = path.substr(path.rfind('.') + 1);
    result.not_compared.push_back(name + ": " + why_missing(reference, other, path));
    return false;
  };

  if (both("aggregate.maps.ttft")) {
    compare_map("ttft", rm.ttft, om.ttft, options, false, result.differences, result.metrics);
  }
  if (both("aggregate.maps.e2e")) {
    compare_map("e2e", rm.e2e, om.e2e, options, false, result.differences, result.metrics);
  }
  if (both("aggregate.maps.itl_avg")) {
    compare_map("itl_avg", rm.itl_avg, om.itl_avg, options, true, result.differences,
                result.metrics);
  }
  if (both("aggregate.maps.sched_delay")) {
    compare_map("sched_delay", rm.sched_delay, om.sched_delay, options, false, result.differences,
                result.metrics);
  }
  if (rm.completion_time && om.completion_time) {
    compare_map("completion_time", *rm.completion_time, *om.completion_time, options, false,
                result.differences, result.metrics);
  } else {
    result.not_compared.push_back(std::string("completion_time: not reported by ") +
                                  (!rm.completion_time && !om.completion_time ? "either side"
                                   : rm.completion_time                       ? "the other output"
                                                                              : "the reference"));
  }
  if (both("aggregate.maps.requests_meta")) {
    // The records themselves, their token counts (a trace mapping error shows here first) and the
    // instance that served them (a routing divergence usually comes before any latency one).
    model::IdMap<double> rin, oin, rout, oout;  // filled in key order: appends
    for (const auto& [k, m] : rm.requests_meta) {
      rin[k] = static_cast<double>(m.num_prefill_tokens);
      rout[k] = static_cast<double>(m.num_decode_tokens);
    }
    for (const auto& [k, m] : om.requests_meta) {
      oin[k] = static_cast<double>(m.num_prefill_tokens);
      oout[k] = static_cast<double>(m.num_decode_tokens);
    }
    compare_map("num_prefill_tokens", rin, oin, options, false, result.differences, result.metrics);
    compare_map("num_decode_tokens", rout, oout, options, false, result.differences,
                result.metrics);
    if (both("aggregate.maps.requests_meta.handled_by")) {
      MetricSummary s;
      s.metric = "handled_by";
      for (const auto& [k, m] : rm.requests_meta) {
        auto it = om.requests_meta.find(k);
        if (it == om.requests_meta.end()) continue;  // reported by the token-count rows
        ++s.compared;
        if (it->second.handled_by != m.handled_by) {
          ++s.differing;
          result.differences.push_back(
              {k, "handled_by", m.handled_by, it->second.handled_by, std::nullopt});
        }
      }
      result.metrics.push_back(std::move(s));
    }
  }

  // Requests known to both sides, and those with any difference.
  std::set<std::string> ids_ref, ids_other;
  auto collect = [](const model::MetricMaps& m, std::set<std::string>& ids) {
    for (const auto& [k, v] : m.requests_meta) ids.insert(k);
    for (const auto& [k, v] : m.ttft) ids.insert(k);
    for (const auto& [k, v] : m.e2e) ids.insert(k);
  };
  collect(rm, ids_ref);
  collect(om, ids_other);
  for (const auto& id : ids_ref) result.requests_compared += ids_other.count(id);
  std::set<std::string> differing;
  for (const auto& d : result.differences) differing.insert(d.id);
  result.requests_differing = static_cast<int64_t>(differing.size());

  // First divergences first: by the reference's arrival, then id, then metric order above.
  std::unordered_map<std::string, double> arrival;
  for (const auto& [k, m] : rm.requests_meta) arrival[k] = m.arrived_at_s;
  if (reference.trace) {
    for (const auto& t : *reference.trace) arrival[t.id] = static_cast<double>(t.arrival) / 1e6;
  }
  std::stable_sort(result.differences.begin(), result.differences.end(),
                   [&](const RequestDifference& a, const RequestDifference& b) {
                     auto ia = arrival.find(a.id), ib = arrival.find(b.id);
                     const bool ka = ia != arrival.end(), kb = ib != arrival.end();
                     if (ka != kb) return ka;  // ids the reference knows first
                     if (ka && ia->second != ib->second) return ia->second < ib->second;
                     return a.id < b.id;
                   });

  // Counters.
  const model::Counters& rc = reference.aggregate.counters;
  const model::Counters& oc = other.aggregate.counters;
  auto counter = [&](const std::string& name, double r, double o, bool is_time) {
    if (!both("aggregate.counters." + name)) return;
    result.counters_compared.push_back(name);
    if (r != o && (!is_time || beyond(r, o, options.tolerance_us, false))) {
      result.counters.push_back({name, r, o});
    }
  };
  auto d = [](int64_t v) { return static_cast<double>(v); };
  counter("completed", d(rc.completed), d(oc.completed), false);
  counter("still_queued", d(rc.still_queued), d(oc.still_queued), false);
  counter("still_running", d(rc.still_running), d(oc.still_running), false);
  counter("dropped_unservable", d(rc.dropped_unservable), d(oc.dropped_unservable), false);
  counter("timed_out", d(rc.timed_out), d(oc.timed_out), false);
  counter("length_capped_count", d(rc.length_capped_count), d(oc.length_capped_count), false);
  counter("preemption_count", d(rc.preemption_count), d(oc.preemption_count), false);
  counter("total_input_tokens", d(rc.total_input_tokens), d(oc.total_input_tokens), false);
  counter("total_output_tokens", d(rc.total_output_tokens), d(oc.total_output_tokens), false);
  if (rc.sim_ended && oc.sim_ended) {
    counter("sim_ended", d(*rc.sim_ended), d(*oc.sim_ended), true);
  } else {
    result.not_compared.push_back("sim_ended: not reported by both sides");
  }
  if (reported(reference, "aggregate.statistics") && reported(other, "aggregate.statistics")) {
    result.counters_compared.push_back("injected_requests");
    if (reference.aggregate.statistics.injected_requests !=
        other.aggregate.statistics.injected_requests) {
      result.counters.push_back({"injected_requests",
                                 d(reference.aggregate.statistics.injected_requests),
                                 d(other.aggregate.statistics.injected_requests)});
    }
  } else {
    result.not_compared.push_back("injected_requests: " +
                                  why_missing(reference, other, "aggregate.statistics"));
  }
  return result;
}

}  // namespace simcheck::properties
