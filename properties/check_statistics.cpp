// Spec §10.5 summary statistics: the reported means, percentiles, rates and injected_requests
// equal what the per-request values give under the spec's binary64 formulas.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using support::kv;
using support::Violations;

// MEAN_ms: sort ascending, accumulate left to right in binary64, / n, / 1000. An empty list has
// mean 0 (as BLIS prints for a prefill instance's ITLs).
double mean_ms(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  double sum = 0.0;
  for (double x : v) sum += x;
  return (sum / static_cast<double>(v.size())) / 1000;
}

// PCT_ms over double data (ttft, e2e, sched_delay "as doubles").
double pct_ms(const std::vector<double>& sorted, double p) {
  const std::size_t n = sorted.size();
  if (n == 0) return 0.0;
  const double rank = (p / 100.0) * static_cast<double>(n - 1);
  const double lo = std::floor(rank), hi = std::ceil(rank);
  const auto ilo = static_cast<std::size_t>(lo), ihi = static_cast<std::size_t>(hi);
  if (ilo == ihi) return sorted[ilo] / 1000;
  return sorted[ilo] / 1000 + ((sorted[ihi] - sorted[ilo]) * (rank - lo)) / 1000;
}

// PCT_ms over int64 data (ITLs): x[hi] - x[lo] is an integer subtraction, then converted.
double pct_ms(const std::vector<int64_t>& sorted, double p) {
  const std::size_t n = sorted.size();
  if (n == 0) return 0.0;
  const double rank = (p / 100.0) * static_cast<double>(n - 1);
  const double lo = std::floor(rank), hi = std::ceil(rank);
  const auto ilo = static_cast<std::size_t>(lo), ihi = static_cast<std::size_t>(hi);
  if (ilo == ihi) return static_cast<double>(sorted[ilo]) / 1000;
  return static_cast<double>(sorted[ilo]) / 1000 +
         (static_cast<double>(sorted[ihi] - sorted[ilo]) * (rank - lo)) / 1000;
}

double mean_ms(const std::vector<int64_t>& sorted) {
  std::vector<double> v;
  v.reserve(sorted.size());
  for (int64_t x : sorted) v.push_back(static_cast<double>(x));
  return mean_ms(std::move(v));
}

template <typename Map>
std::vector<double> values_sorted(const Map& m) {
  std::vector<double> v;
  v.reserve(m.size());
  for (const auto& [k, x] : m) v.push_back(static_cast<double>(x));
  std::sort(v.begin(), v.end());
  return v;
}

// Equality rule. The reference model prints shortest round-trip doubles computed by the very
// formula above, so its values must be bit-equal. Any other source may have printed a rounded
// decimal: its value is accepted if it is within half a unit of its own last printed decimal
// (d = digits after the point of the shortest decimal that reads back as it), and only if
// d >= 3, so the allowance is at most 0.5e-3 ms and a 1 µs (1e-3 ms) error is always caught.
bool matches(double reported, double recomputed, bool exact_source, std::string& rule) {
  if (reported == recomputed) return true;
  if (exact_source || !std::isfinite(reported) || !std::isfinite(recomputed)) {
    rule = "exact equality required";
    return false;
  }
  const int d = exact::fraction_digits(reported);
  if (d < 3) {
    rule = "printed with " + std::to_string(d) + " decimals, too coarse to allow any rounding";
    return false;
  }
  const exact::Rational diff =
      boost::multiprecision::abs(exact::to_rational(reported) - exact::to_rational(recomputed));
  if (diff * 2 <= exact::pow10_neg(d)) return true;
  rule = "beyond the +-0.5e-" + std::to_string(d) + " ms its " + std::to_string(d) +
         " printed decimals allow";
  return false;
}

struct Inputs {
  std::string subject;  // "" = aggregate, else instance id
  const model::MetricMaps* maps;
  const std::optional<std::vector<int64_t>>* all_itls;
  const model::Counters* counters;
  const model::Statistics* reported;
};

// The inputs whose statistics can be recomputed: the aggregate, and every instance that reports
// its statistics and its maps (a source with per-instance summaries only is skipped).
std::vector<Inputs> statistic_inputs(const RunOutput& run) {
  std::vector<Inputs> in;
  in.push_back(Inputs{"", &run.aggregate.maps, &run.aggregate.all_itls, &run.aggregate.counters,
                      &run.aggregate.statistics});
  for (const auto& inst : run.instances) {
    if (!inst.statistics) continue;
    if (inst.counters.completed > 0 && inst.maps.requests_meta.empty()) continue;
    in.push_back(Inputs{inst.id, &inst.maps, &inst.all_itls, &inst.counters, &*inst.statistics});
  }
  return in;
}

bool aggregate_maps_missing(const RunOutput& run) {
  return run.aggregate.counters.completed > 0 && run.aggregate.maps.e2e.empty() &&
         run.aggregate.maps.ttft.empty();
}

void compare(Violations& out, const Inputs& in, const char* name, double reported,
             double recomputed, bool exact_source) {
  std::string rule;
  if (matches(reported, recomputed, exact_source, rule)) return;
  out.fail(in.subject, std::string(name) + ": " + kv("reported", reported) + " " +
                           kv("recomputed", recomputed) + " (" + rule + ")");
}

}  // namespace

CheckResult check_stat_means(const RunOutput& run) {
  if (aggregate_maps_missing(run)) {
    return not_applicable("STAT-MEANS", "aggregate ttft/e2e maps missing");
  }
  Violations out("STAT-MEANS");
  const bool exact_source = run.source == "simcheck";
  for (const Inputs& in : statistic_inputs(run)) {
    const bool zero = in.counters->completed == 0;
    compare(out, in, "ttft_mean_ms", in.reported->ttft_mean_ms,
            zero ? 0.0 : mean_ms(values_sorted(in.maps->ttft)), exact_source);
    compare(out, in, "e2e_mean_ms", in.reported->e2e_mean_ms,
            zero ? 0.0 : mean_ms(values_sorted(in.maps->e2e)), exact_source);
    if (zero || *in.all_itls) {
      std::vector<int64_t> itls = zero ? std::vector<int64_t>{} : **in.all_itls;
      std::sort(itls.begin(), itls.end());
      compare(out, in, "itl_mean_ms", in.reported->itl_mean_ms, zero ? 0.0 : mean_ms(itls),
              exact_source);
    }
  }
  return std::move(out).finish();
}

CheckResult check_stat_percentiles(const RunOutput& run) {
  if (aggregate_maps_missing(run)) {
    return not_applicable("STAT-PERCENTILES", "aggregate ttft/e2e maps missing");
  }
  Violations out("STAT-PERCENTILES");
  const bool exact_source = run.source == "simcheck";
  for (const Inputs& in : statistic_inputs(run)) {
    const bool zero = in.counters->completed == 0;
    const auto ttft = values_sorted(in.maps->ttft);
    const auto e2e = values_sorted(in.maps->e2e);
    const auto sched = values_sorted(in.maps->sched_delay);
    const model::Statistics& r = *in.reported;
    auto pct = [&](const std::vector<double>& v, double p) { return zero ? 0.0 : pct_ms(v, p); };
    compare(out, in, "ttft_p90_ms", r.ttft_p90_ms, pct(ttft, 90), exact_source);
    compare(out, in, "ttft_p95_ms", r.ttft_p95_ms, pct(ttft, 95), exact_source);
    compare(out, in, "ttft_p99_ms", r.ttft_p99_ms, pct(ttft, 99), exact_source);
    compare(out, in, "e2e_p90_ms", r.e2e_p90_ms, pct(e2e, 90), exact_source);
    compare(out, in, "e2e_p95_ms", r.e2e_p95_ms, pct(e2e, 95), exact_source);
    compare(out, in, "e2e_p99_ms", r.e2e_p99_ms, pct(e2e, 99), exact_source);
    compare(out, in, "scheduling_delay_p99_ms", r.scheduling_delay_p99_ms, pct(sched, 99),
            exact_source);
    if (zero || *in.all_itls) {
      std::vector<int64_t> itls = zero ? std::vector<int64_t>{} : **in.all_itls;
      std::sort(itls.begin(), itls.end());
      auto ipct = [&](double p) { return zero ? 0.0 : pct_ms(itls, p); };
      compare(out, in, "itl_p90_ms", r.itl_p90_ms, ipct(90), exact_source);
      compare(out, in, "itl_p95_ms", r.itl_p95_ms, ipct(95), exact_source);
      compare(out, in, "itl_p99_ms", r.itl_p99_ms, ipct(99), exact_source);
    }
  }
  return std::move(out).finish();
}

CheckResult check_stat_rates(const RunOutput& run) {
  if (!run.aggregate.counters.sim_ended) return not_applicable("STAT-RATES", "sim_ended missing");
  Violations out("STAT-RATES");
  const bool exact_source = run.source == "simcheck";
  for (const Inputs& in : statistic_inputs(run)) {
    if (!in.counters->sim_ended) continue;
    const int64_t ended = *in.counters->sim_ended;
    const bool zero = in.counters->completed == 0 || ended <= 0;
    const double seconds = static_cast<double>(ended) / 1e6;
    const double responses = zero ? 0.0 : static_cast<double>(in.counters->completed) / seconds;
    const double tokens =
        zero ? 0.0 : static_cast<double>(in.counters->total_output_tokens) / seconds;
    compare(out, in, "responses_per_sec", in.reported->responses_per_sec, responses, exact_source);
    compare(out, in, "tokens_per_sec", in.reported->tokens_per_sec, tokens, exact_source);
  }
  return std::move(out).finish();
}

CheckResult check_stat_injected(const RunOutput& run) {
  Violations out("STAT-INJECTED");
  auto check_one = [&](std::string_view subject, const model::Counters& c, int64_t reported) {
    exact::Sum sum;
    // §10.5: "If completed == 0 every statistic below is 0", injected_requests included.
    if (c.completed != 0) {
      sum.add(c.completed)
          .add(c.still_queued)
          .add(c.still_running)
          .add(c.dropped_unservable)
          .add(c.timed_out);
    }
    if (!(exact::Sum(reported) == sum)) {
      out.fail(subject, kv("injected_requests", reported) + " != completed " +
                            std::to_string(c.completed) + " + still_queued " +
                            std::to_string(c.still_queued) + " + still_running " +
                            std::to_string(c.still_running) + " + dropped_unservable " +
                            std::to_string(c.dropped_unservable) + " + timed_out " +
                            std::to_string(c.timed_out) + " = " + sum.str() +
                            (c.completed == 0 ? " (0 when completed == 0)" : ""));
    }
  };
  check_one("", run.aggregate.counters, run.aggregate.statistics.injected_requests);
  for (const auto& inst : run.instances) {
    if (inst.statistics) check_one(inst.id, inst.counters, inst.statistics->injected_requests);
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
