// Spec §10.5: MEAN_ms, PCT_ms and the summary statistics of a run or an instance.
#include "model/statistics.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace simcheck::model {

namespace {

template <class T>
double mean_of_sorted(const std::vector<T>& sorted) {
  if (sorted.empty()) return 0.0;
  double sum = 0.0;
  for (const T& v : sorted) sum += static_cast<double>(v);
  return (sum / static_cast<double>(sorted.size())) / 1000.0;
}

// rank, lo and hi of §10.5 for n ≥ 1 values.
struct Rank {
  double rank;
  size_t lo, hi;
};
Rank rank_of(size_t n, double p) {
  const double rank = (p / 100.0) * static_cast<double>(n - 1);
  return Rank{rank, static_cast<size_t>(std::floor(rank)), static_cast<size_t>(std::ceil(rank))};
}

// Ascending order of int64 values. ITL lists are long and span a narrow range (a few step
// times), so a counting sort is used when the range is at most about twice the count; the result
// is the same sequence std::sort gives (equal integers are indistinguishable).
void sort_int64(std::vector<int64_t>& v) {
  if (v.size() < 1024) {
    std::sort(v.begin(), v.end());
    return;
  }
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  const int64_t lo = *lo_it;
  const uint64_t range = static_cast<uint64_t>(*hi_it) - static_cast<uint64_t>(lo);
  if (range >= 2 * static_cast<uint64_t>(v.size())) {
    std::sort(v.begin(), v.end());
    return;
  }
  std::vector<uint32_t> counts(static_cast<size_t>(range) + 1, 0);
  for (const int64_t x : v) counts[static_cast<uint64_t>(x) - static_cast<uint64_t>(lo)] += 1;
  size_t at = 0;
  for (size_t d = 0; d < counts.size(); ++d) {
    const int64_t x = static_cast<int64_t>(static_cast<uint64_t>(lo) + d);
    for (uint32_t c = counts[d]; c > 0; --c) v[at++] = x;
  }
}

template <class Map>
std::vector<double> sorted_values(const Map& m) {
  std::vector<double> out;
  out.reserve(m.size());
  for (const auto& [key, value] : m) out.push_back(static_cast<double>(value));
  sort_ascending(out);
  return out;
}

}  // namespace

// Ascending order of doubles, by their IEEE-754 bit patterns made monotone (negatives: all bits
// flipped; others: the sign bit set). That is operator<'s order on every value a map holds, made
// total: -0.0 always precedes +0.0, where std::sort with operator< may give either (the model
// never produces -0.0: its values are converted integers and quotients of non-negative integers).
// Large lists (a run's per-request maps) are radix-sorted on those keys.
void sort_ascending(std::vector<double>& v) {
  const auto monotone = [](double d) {
    const uint64_t b = std::bit_cast<uint64_t>(d);
    return (b >> 63) != 0 ? ~b : b | (uint64_t{1} << 63);
  };
  const size_t n = v.size();
  if (n < 4096) {
    std::sort(v.begin(), v.end(), [&](double a, double b) { return monotone(a) < monotone(b); });
    return;
  }
  std::vector<uint64_t> keys(n), other(n);
  for (size_t i = 0; i < n; ++i) keys[i] = monotone(v[i]);
  // LSD radix, 16 bits per pass; a pass whose digit is the same for every key is skipped.
  std::vector<uint32_t> count(size_t{1} << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0u);
    for (const uint64_t k : keys) count[(k >> shift) & 0xFFFF] += 1;
    if (count[(keys[0] >> shift) & 0xFFFF] == n) continue;
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      const uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (const uint64_t k : keys) other[count[(k >> shift) & 0xFFFF]++] = k;
    keys.swap(other);
  }
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = keys[i];
    v[i] = std::bit_cast<double>((k >> 63) != 0 ? k & ~(uint64_t{1} << 63) : ~k);
  }
}

double mean_ms(std::vector<double> values) {
  sort_ascending(values);
  return mean_of_sorted(values);
}

double mean_ms(std::vector<int64_t> values) {
  sort_int64(values);
  return mean_of_sorted(values);
}

double percentile_ms(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const Rank r = rank_of(sorted.size(), p);
  if (r.lo == r.hi) return sorted[r.lo] / 1000.0;
  return sorted[r.lo] / 1000.0 +
         ((sorted[r.hi] - sorted[r.lo]) * (r.rank - static_cast<double>(r.lo))) / 1000.0;
}

double percentile_ms(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const Rank r = rank_of(sorted.size(), p);
  if (r.lo == r.hi) return static_cast<double>(sorted[r.lo]) / 1000.0;
  const int64_t diff = sorted[r.hi] - sorted[r.lo];  // integer subtraction (§10.5)
  return static_cast<double>(sorted[r.lo]) / 1000.0 +
         (static_cast<double>(diff) * (r.rank - static_cast<double>(r.lo))) / 1000.0;
}

Statistics summary_statistics(const Counters& counters, const MetricMaps& maps,
                              const std::vector<int64_t>& all_itls) {
  Statistics s;
  // "If completed == 0 every statistic below is 0" — injected_requests is one of them.
  if (counters.completed == 0) return s;
  s.injected_requests = counters.completed + counters.still_queued + counters.still_running +
                        counters.dropped_unservable + counters.timed_out;

  const std::vector<double> ttft = sorted_values(maps.ttft);
  s.ttft_mean_ms = mean_of_sorted(ttft);
  s.ttft_p90_ms = percentile_ms(ttft, 90);
  s.ttft_p95_ms = percentile_ms(ttft, 95);
  s.ttft_p99_ms = percentile_ms(ttft, 99);

  const std::vector<double> e2e = sorted_values(maps.e2e);
  s.e2e_mean_ms = mean_of_sorted(e2e);
  s.e2e_p90_ms = percentile_ms(e2e, 90);
  s.e2e_p95_ms = percentile_ms(e2e, 95);
  s.e2e_p99_ms = percentile_ms(e2e, 99);

  std::vector<int64_t> itls = all_itls;
  sort_int64(itls);
  s.itl_mean_ms = mean_of_sorted(itls);
  s.itl_p90_ms = percentile_ms(itls, 90);
  s.itl_p95_ms = percentile_ms(itls, 95);
  s.itl_p99_ms = percentile_ms(itls, 99);

  s.scheduling_delay_p99_ms = percentile_ms(sorted_values(maps.sched_delay), 99);

  const int64_t sim_ended = counters.sim_ended.value_or(0);
  if (sim_ended > 0) {
    const double seconds = static_cast<double>(sim_ended) / 1e6;
    s.responses_per_sec = static_cast<double>(counters.completed) / seconds;
    s.tokens_per_sec = static_cast<double>(counters.total_output_tokens) / seconds;
  }
  return s;
}

}  // namespace simcheck::model
