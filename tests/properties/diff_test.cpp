// Spec §1.3 item 1: properties::diff_runs on synthetic outputs — exact integer comparison, the
// tolerance, presence mismatches, ITL rounding allowance, what is not compared, the ordering.
#include "properties/diff.h"

#include <gtest/gtest.h>

#include <cmath>

namespace simcheck::properties {
namespace {

model::RunOutput two_requests() {
  model::RunOutput r;
  auto& m = r.aggregate.maps;
  m.ttft = {{"a", 100.0}, {"b", 200.0}};
  m.e2e = {{"a", 1000.0}, {"b", 2000.0}};
  m.itl_avg = {{"a", 300.0 / 7}, {"b", 0.0}};
  m.sched_delay = {{"a", 5}, {"b", 0}};
  m.requests_meta["a"] = model::RequestMeta{0.000010, 10, 8, "instance_0", false};
  m.requests_meta["b"] = model::RequestMeta{0.000001, 12, 1, "instance_1", false};
  r.aggregate.counters.completed = 2;
  r.aggregate.counters.sim_ended = 2001;
  r.aggregate.statistics.injected_requests = 2;
  return r;
}

TEST(Diff, IdenticalOutputsHaveNoDifference) {
  const auto d = diff_runs(two_requests(), two_requests(), {});
  EXPECT_FALSE(d.any_difference());
  EXPECT_EQ(d.requests_compared, 2);
  EXPECT_EQ(d.requests_differing, 0);
  ASSERT_FALSE(d.metrics.empty());
  EXPECT_EQ(d.metrics[0].metric, "ttft");
  EXPECT_EQ(d.metrics[0].compared, 2);
}

TEST(Diff, OneMicrosecondIsADifferenceUnlessTolerated) {
  auto other = two_requests();
  other.aggregate.maps.e2e["b"] = 2001.0;  // 1 µs later
  auto d = diff_runs(two_requests(), other, {});
  ASSERT_EQ(d.differences.size(), 1u);
  EXPECT_EQ(d.differences[0].id, "b");
  EXPECT_EQ(d.differences[0].metric, "e2e");
  EXPECT_EQ(*d.differences[0].reference, "2000");
  EXPECT_EQ(*d.differences[0].other, "2001");
  EXPECT_EQ(*d.differences[0].abs_diff_us, 1.0);
  EXPECT_EQ(d.requests_differing, 1);
  // mean |diff| over the 2 compared e2e values = (0 + 1) / 2.
  for (const auto& m : d.metrics) {
    if (m.metric == "e2e") {
      EXPECT_EQ(m.max_abs_diff_us, 1.0);
      EXPECT_EQ(m.max_at, "b");
      EXPECT_EQ(m.mean_abs_diff_us, 0.5);
    }
  }
  EXPECT_FALSE(diff_runs(two_requests(), other, DiffOptions{1}).any_difference());
}

TEST(Diff, ItlAverageAllowsAFewUlpsOnly) {
  auto other = two_requests();
  const double a = 300.0 / 7;
  other.aggregate.maps.itl_avg["a"] = std::nextafter(std::nextafter(a, 1e9), 1e9);  // 2 ulps
  EXPECT_FALSE(diff_runs(two_requests(), other, {}).any_difference());
  other.aggregate.maps.itl_avg["a"] = a + 1e-6;  // far beyond rounding, far below 1 µs
  EXPECT_TRUE(diff_runs(two_requests(), other, {}).any_difference());
}

TEST(Diff, PresenceMismatchesAndRoutingAreDifferences) {
  auto other = two_requests();
  other.aggregate.maps.ttft.erase("a");
  other.aggregate.maps.requests_meta["b"].handled_by = "instance_0";
  const auto d = diff_runs(two_requests(), other, {});
  ASSERT_EQ(d.differences.size(), 2u);
  // Reference arrival order: b (1 µs) before a (10 µs).
  EXPECT_EQ(d.differences[0].id, "b");
  EXPECT_EQ(d.differences[0].metric, "handled_by");
  EXPECT_EQ(d.differences[1].id, "a");
  EXPECT_EQ(d.differences[1].metric, "ttft");
  EXPECT_FALSE(d.differences[1].other);
  EXPECT_FALSE(d.differences[1].abs_diff_us);
}

TEST(Diff, UnreportedFieldsAreNotCompared) {
  auto other = two_requests();
  other.missing_fields = {"aggregate.maps.sched_delay", "aggregate.counters"};
  other.aggregate.maps.sched_delay.clear();
  other.aggregate.counters.completed = 0;
  const auto d = diff_runs(two_requests(), other, {});
  EXPECT_FALSE(d.any_difference());
  bool sched = false, completed = false;
  for (const auto& n : d.not_compared) {
    sched |= n == "sched_delay: not reported by the other output";
    completed |= n == "completed: not reported by the other output";
  }
  EXPECT_TRUE(sched);
  EXPECT_TRUE(completed);
}

TEST(Diff, CountersAreCompared) {
  auto other = two_requests();
  other.aggregate.counters.completed = 3;
  const auto d = diff_runs(two_requests(), other, {});
  ASSERT_EQ(d.counters.size(), 1u);
  EXPECT_EQ(d.counters[0].name, "completed");
  EXPECT_EQ(d.counters[0].reference, 2);
  EXPECT_EQ(d.counters[0].other, 3);
}

}  // namespace
}  // namespace simcheck::properties
