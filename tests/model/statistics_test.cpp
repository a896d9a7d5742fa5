// Spec §10.5: MEAN_ms, PCT_ms (double and int64 data) and the summary statistics record.
#include "model/statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "model/rng.h"

namespace simcheck::model {
namespace {

TEST(Statistics, MeanSortsThenAccumulates) {
  // (1000 + 2000 + 3000 + 4000) / 4 / 1000 = 2.5, input order irrelevant.
  EXPECT_DOUBLE_EQ(mean_ms(std::vector<double>{4000, 1000, 3000, 2000}), 2.5);
  EXPECT_DOUBLE_EQ(mean_ms(std::vector<int64_t>{110, 120, 110}), 340.0 / 3.0 / 1000.0);
  EXPECT_EQ(mean_ms(std::vector<double>{}), 0.0);
  EXPECT_EQ(mean_ms(std::vector<int64_t>{}), 0.0);
}

TEST(Statistics, MeanAccumulatesInAscendingOrder) {
  // Ascending: 1 + 1 = 2, 2 + 1e16 = 1e16 + 2 (exact). Descending would lose both ones:
  // 1e16 + 1 rounds to 1e16 (tie to even), twice. So the mean is (1e16 + 2) / 3 / 1000.
  const double expected = ((1.0 + 1.0 + 1e16) / 3.0) / 1000.0;
  EXPECT_EQ(mean_ms(std::vector<double>{1e16, 1, 1}), expected);
  EXPECT_NE(mean_ms(std::vector<double>{1e16, 1, 1}), ((1e16 + 1.0 + 1.0) / 3.0) / 1000.0);
}

TEST(Statistics, PercentileInterpolates) {
  const std::vector<double> x{1000, 2000, 3000, 4000};
  // p90: rank = 0.9·3 = 2.7 → 3000/1000 + (1000·0.7)/1000 = 3.7.
  EXPECT_DOUBLE_EQ(percentile_ms(x, 90), 3.7);
  // p50: rank = 1.5 → 2 + 0.5 = 2.5.
  EXPECT_DOUBLE_EQ(percentile_ms(x, 50), 2.5);
  // p100: rank = 3 (lo == hi) → 4; p0 → 1.
  EXPECT_EQ(percentile_ms(x, 100), 4.0);
  EXPECT_EQ(percentile_ms(x, 0), 1.0);
  // p99 over 2 values: rank 0.99 → 1 + (2000·0.99)/1000 = 2.98... using x = {1000, 3000}.
  EXPECT_DOUBLE_EQ(percentile_ms(std::vector<double>{1000, 3000}, 99), 2.98);
  EXPECT_EQ(percentile_ms(std::vector<double>{7000}, 99), 7.0);
  EXPECT_EQ(percentile_ms(std::vector<double>{}, 99), 0.0);
}

TEST(Statistics, IntegerPercentileSubtractsInIntegers) {
  // 2^53 and 2^53 + 3: as doubles the second rounds to 2^53 + 4, so the double variant sees a
  // difference of 4 where the int64 variant sees 3. p50 → rank 0.5.
  const int64_t base = int64_t{1} << 53;
  const std::vector<int64_t> xi{base, base + 3};
  EXPECT_EQ(percentile_ms(xi, 50), 9007199254740992.0 / 1000.0 + (3.0 * 0.5) / 1000.0);
  const std::vector<double> xd{static_cast<double>(base), static_cast<double>(base + 3)};
  EXPECT_EQ(percentile_ms(xd, 50), 9007199254740992.0 / 1000.0 + (4.0 * 0.5) / 1000.0);
  // ITL-like data: [100, 200, 300] p90 → rank 1.8 → 0.2 + (100·0.8)/1000 = 0.28.
  EXPECT_DOUBLE_EQ(percentile_ms(std::vector<int64_t>{100, 200, 300}, 90), 0.28);
}

TEST(Statistics, SummaryOverMapsAndCounters) {
  Counters c;
  c.completed = 2;
  c.still_queued = 1;
  c.still_running = 1;
  c.dropped_unservable = 1;
  c.timed_out = 1;
  c.total_output_tokens = 10;
  c.sim_ended = 2'000'000;  // 2 s
  MetricMaps m;
  m.ttft = {{"a", 1000}, {"b", 3000}};
  m.e2e = {{"a", 5000}, {"b", 9000}};
  m.sched_delay = {{"a", 0}, {"b", 500}};
  const std::vector<int64_t> itls{300, 100, 200};
  const Statistics s = summary_statistics(c, m, itls);
  EXPECT_DOUBLE_EQ(s.ttft_mean_ms, 2.0);               // (1000 + 3000) / 2 / 1000
  EXPECT_DOUBLE_EQ(s.ttft_p99_ms, 2.98);               // 1 + (2000·0.99)/1000
  EXPECT_DOUBLE_EQ(s.ttft_p90_ms, 2.8);                // 1 + (2000·0.9)/1000
  EXPECT_DOUBLE_EQ(s.ttft_p95_ms, 2.9);                // 1 + (2000·0.95)/1000
  EXPECT_DOUBLE_EQ(s.e2e_mean_ms, 7.0);                // (5000 + 9000) / 2 / 1000
  EXPECT_DOUBLE_EQ(s.e2e_p90_ms, 8.6);                 // 5 + (4000·0.9)/1000
  EXPECT_DOUBLE_EQ(s.itl_mean_ms, 0.2);                // 600 / 3 / 1000
  EXPECT_DOUBLE_EQ(s.itl_p90_ms, 0.28);                // sorted [100,200,300], rank 1.8
  EXPECT_DOUBLE_EQ(s.itl_p99_ms, 0.298);               // rank 1.98 → 0.2 + (100·0.98)/1000
  EXPECT_DOUBLE_EQ(s.scheduling_delay_p99_ms, 0.495);  // 0 + (500·0.99)/1000
  EXPECT_DOUBLE_EQ(s.responses_per_sec, 1.0);          // 2 / 2 s
  EXPECT_DOUBLE_EQ(s.tokens_per_sec, 5.0);             // 10 / 2 s
  EXPECT_EQ(s.injected_requests, 6);                   // 2 + 1 + 1 + 1 + 1
}

TEST(Statistics, ZeroSimEndedGivesZeroRates) {
  Counters c;
  c.completed = 1;
  c.total_output_tokens = 3;
  c.sim_ended = 0;
  MetricMaps m;
  m.e2e = {{"a", 1}};
  const Statistics s = summary_statistics(c, m, {});
  EXPECT_EQ(s.responses_per_sec, 0.0);
  EXPECT_EQ(s.tokens_per_sec, 0.0);
  EXPECT_EQ(s.itl_mean_ms, 0.0);  // no ITL entries
  EXPECT_DOUBLE_EQ(s.e2e_mean_ms, 0.001);
}

TEST(Statistics, NothingCompletedMeansAllZero) {
  Counters c;
  c.completed = 0;
  c.still_queued = 3;
  c.timed_out = 2;
  c.sim_ended = 1000;
  MetricMaps m;
  m.ttft = {{"a", 1000}};  // a TTFT without completion does not count
  const Statistics s = summary_statistics(c, m, {5, 6});
  EXPECT_EQ(s.ttft_mean_ms, 0.0);
  EXPECT_EQ(s.itl_mean_ms, 0.0);
  EXPECT_EQ(s.injected_requests, 0);
}

// Long ITL lists: a narrow range (counting sort) and a wide one (comparison sort) give the
// ascending order §10.5 asks for, negative values included.
TEST(Statistics, LongItlListsAreSortedAscending) {
  Counters c;
  c.completed = 1;
  MetricMaps m;
  // 2700 ones and 300 threes, interleaved: sorted [1 × 2700, 3 × 300]. p90: rank 0.9 · 2999 =
  // 2699.1, x[2699] = 1, x[2700] = 3 → 1/1000 + (2 · 0.1)/1000 ≈ 0.0012; p95, p99 → 3/1000.
  // Mean (2700 + 900) / 3000 / 1000 = 0.0012.
  std::vector<int64_t> narrow;
  for (int i = 0; i < 3000; ++i) narrow.push_back(i % 10 == 0 ? 3 : 1);
  const Statistics s = summary_statistics(c, m, narrow);
  EXPECT_NEAR(s.itl_p90_ms, 0.0012, 1e-12);
  EXPECT_DOUBLE_EQ(s.itl_p95_ms, 0.003);
  EXPECT_DOUBLE_EQ(s.itl_p99_ms, 0.003);
  EXPECT_DOUBLE_EQ(s.itl_mean_ms, 0.0012);
  // −5 at every fourth position, 10^12 once, 7 elsewhere (2000 values): sorted [−5 × 500,
  // 7 × 1499, 10^12]. p99: rank 0.99 · 1999 = 1979.01 → x = 7 on both sides → 0.007.
  // Mean = (−2500 + 10493 + 10^12) / 2000 / 1000.
  std::vector<int64_t> wide;
  for (int i = 0; i < 2000; ++i) wide.push_back(i % 4 == 0 ? -5 : 7);
  wide[1] = 1'000'000'000'000;
  const Statistics w = summary_statistics(c, m, wide);
  EXPECT_DOUBLE_EQ(w.itl_p99_ms, 0.007);
  EXPECT_DOUBLE_EQ(w.itl_mean_ms, (-2500.0 + 10493.0 + 1e12) / 2000.0 / 1000.0);
  EXPECT_DOUBLE_EQ(mean_ms(narrow), 0.0012);
}

TEST(Statistics, SortAscendingMatchesStdSortOnLargeLists) {
  // Large lists take the radix path: mixed signs, fractions, duplicates, huge and tiny magnitudes.
  std::vector<double> v;
  Rng rng(20000);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t x = rng.next();
    const double mag = static_cast<double>(x % 1000003) / 7.0;
    const double scale = (x >> 40) % 3 == 0 ? 1e-300 : (x >> 40) % 3 == 1 ? 1.0 : 1e300;
    v.push_back(((x >> 20) & 1) != 0 ? -mag * scale : mag * scale);
    if (i % 100 == 0) v.push_back(v.back());  // duplicates
  }
  v.push_back(0.0);
  std::vector<double> expected = v;
  std::sort(expected.begin(), expected.end());
  sort_ascending(v);
  EXPECT_EQ(v, expected);
}

TEST(Statistics, SortAscendingPutsNegativeZeroFirst) {
  for (const size_t n : {size_t{5}, size_t{5000}}) {  // the small and the radix path
    std::vector<double> v(n, 1.0);
    v[1] = 0.0;
    v[2] = -0.0;
    v[3] = -1.0;
    sort_ascending(v);
    EXPECT_EQ(v[0], -1.0) << n;
    EXPECT_TRUE(std::signbit(v[1]) && v[1] == 0.0) << n;
    EXPECT_TRUE(!std::signbit(v[2]) && v[2] == 0.0) << n;
    EXPECT_EQ(v[3], 1.0) << n;
  }
}

}  // namespace
}  // namespace simcheck::model
