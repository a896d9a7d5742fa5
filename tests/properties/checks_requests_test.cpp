// REQ-*, STAT-*, LAW-TOKEN-COUNTS, INV-5, and the catalogue plumbing (violation cap, gating).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "check_expectations.h"
#include "properties/check_support.h"
#include "properties/checks.h"
#include "synthetic_runs.h"

namespace simcheck::testing {
namespace {

using properties::CheckOptions;
using properties::is_gating;

TEST(Causality, CompletionTimeIsArrivalPlusE2eExactly) {
  RunOutput r = b1_run();
  (*r.aggregate.maps.completion_time)["A"] = 3291.0;
  expect_violations(r, "INV-5", "A", {});
}

TEST(Causality, SchedulingDelayBeforeTheFirstToken) {
  RunOutput r = b1_run();
  for (MetricMaps* m : {&r.instances[0].maps, &r.aggregate.maps}) m->sched_delay["A"] = 1170;
  r.instances[0].statistics->scheduling_delay_p99_ms = 1.17;
  r.aggregate.statistics.scheduling_delay_p99_ms = 1.17;
  expect_violations(r, "INV-5", "A", {});  // 1170 is not < ttft 1170 (REQ-SCHED-LE-TTFT allows =)
}

TEST(Causality, ArrivalRecoveredFromRequestsMetaWithoutATrace) {
  RunOutput r = b1_run();
  r.trace.reset();
  for (MetricMaps* m : {&r.instances[0].maps, &r.aggregate.maps}) {
    m->requests_meta["A"].arrived_at_s = 0.000007;  // arrival 7 µs
    (*m->completion_time)["A"] = 3297.0;
  }
  EXPECT_EQ(properties::check_causality(r).status, Status::held);
  (*r.aggregate.maps.completion_time)["A"] = 3290.0;
  EXPECT_EQ(properties::check_causality(r).status, Status::violated);
}

TEST(ReqNonneg, NegativeValuesAnywhereFail) {
  RunOutput r = b1_run();
  r.instances[0].step_counters = std::vector<int64_t>{-1};
  r.aggregate.step_counters = std::vector<int64_t>{-1};
  expect_violations(r, "REQ-NONNEG", "", {});
  RunOutput n = b1_run();
  n.aggregate.maps.itl_avg["A"] = std::nan("");
  const auto res = properties::check_req_nonneg(n);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "A");
}

TEST(ReqSchedLeTtft, DelayAfterTheFirstTokenFails) {
  RunOutput r = b1_run();
  for (MetricMaps* m : {&r.instances[0].maps, &r.aggregate.maps}) m->sched_delay["A"] = 1171;
  r.instances[0].statistics->scheduling_delay_p99_ms = 1.171;
  r.aggregate.statistics.scheduling_delay_p99_ms = 1.171;
  expect_violations(r, "REQ-SCHED-LE-TTFT", "A", {"INV-5"});
}

TEST(ReqSchedLeTtft, PreemptedRequestsWithoutE2eAreExempt) {
  // A request preempted after its prefill and re-admitted later keeps its old TTFT while the
  // delay is overwritten (§7.4): without an e2e entry it is not held to the law.
  RunOutput r = b1_run();
  r.aggregate.maps.sched_delay["B"] = 5000;
  r.aggregate.maps.ttft["B"] = 1200.0;
  EXPECT_EQ(properties::check_req_sched_le_ttft(r).status, Status::violated);
  r.aggregate.counters.preemption_count = 1;
  EXPECT_EQ(properties::check_req_sched_le_ttft(r).status, Status::held);
}

TEST(ReqOneRecord, KeysAreTraceRequests) {
  RunOutput r = b1_run();
  r.aggregate.maps.completion_time->emplace("B", 10.0);  // no such request, and no e2e
  expect_violations(r, "REQ-ONE-RECORD", "B", {});
}

TEST(ReqOneRecord, WithoutTraceSubRequestSuffixesAreCaughtInPdRuns) {
  RunOutput r = b2_run();
  r.trace.reset();
  r.aggregate.maps.requests_meta["A_prefill"] = meta(0.0, 20, 0, "instance_1");
  const auto res = properties::check_req_one_record(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "A_prefill");
}

TEST(ReqOneRecord, ARequestLivesOnOneInstance) {
  RunOutput r = b2_run();
  r.instances[1].maps.requests_meta["A_prefill"] = meta(0.0, 20, 0, "instance_1");
  const auto res = properties::check_req_one_record(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "A_prefill");
}

TEST(StatMeans, OneMicrosecondErrorIsCaught) {
  RunOutput r = b1_run();
  r.aggregate.statistics.ttft_mean_ms = 1.171;  // recomputed (1170 / 1) / 1000 = 1.17
  expect_violations(r, "STAT-MEANS", "", {});
}

TEST(StatMeans, SimcheckValuesMustBeBitExact) {
  RunOutput r = b1_run();
  r.aggregate.statistics.e2e_mean_ms = std::nextafter(3.29, 4.0);
  EXPECT_EQ(properties::check_stat_means(r).status, Status::violated);
}

TEST(StatMeans, OtherSourcesMayRoundOnlyAtTheirPrintedDecimals) {
  // TTFTs 1170, 1171, 1171: mean (3512 / 3) / 1000 = 1.1706666666666667 ms.
  RunOutput r = b1_run();
  r.source = "other";
  r.instances.clear();
  MetricMaps& m = r.aggregate.maps;
  m.ttft = {{"A", 1170.0}, {"B", 1171.0}, {"C", 1171.0}};
  auto with = [&](double reported) {
    r.aggregate.statistics.ttft_mean_ms = reported;
    return properties::check_stat_means(r).violations.size();
  };
  EXPECT_EQ(with(3512.0 / 3 / 1000), 0u);  // exact
  EXPECT_EQ(with(1.171), 0u);              // printed with 3 decimals: |diff| 0.00033 <= 0.0005
  EXPECT_EQ(with(1.1707), 0u);             // 4 decimals: |diff| 0.000033 <= 0.00005
  EXPECT_EQ(with(1.172), 1u);              // 1 µs off at 3 decimals: |diff| 0.00133 > 0.0005
  EXPECT_EQ(with(1.1717), 1u);             // 1 µs off at 4 decimals
  EXPECT_EQ(with(1.17), 1u);               // 2 decimals cannot vouch for µs precision
  EXPECT_EQ(with(1.17166666666667), 1u);   // 14 decimals: 1 µs off, nowhere near the rounding
}

TEST(StatMeans, MeanOfAnEmptyListIsZero) {
  // B.2's decode instance has no TTFT entries and its prefill instance no ITLs: both print 0.
  RunOutput r = b2_run();
  r.instances[1].statistics->ttft_mean_ms = 0.001;
  const auto res = properties::check_stat_means(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "instance_1");
}

TEST(StatPercentiles, InterpolatedBetweenClosestRanks) {
  RunOutput r = b1_run();
  r.aggregate.statistics.e2e_p99_ms = 3.291;
  expect_violations(r, "STAT-PERCENTILES", "", {});
  // ITLs [1060, 1060] -> change one to 1070 on both lists: p90 = 1060/1000 + (10 * 0.9)/1000.
  RunOutput q = b1_run();
  for (auto* l : {&*q.instances[0].all_itls, &*q.aggregate.all_itls}) *l = {1060, 1070};
  for (Statistics* s : {&*q.instances[0].statistics, &q.aggregate.statistics}) {
    s->itl_mean_ms = (2130.0 / 2) / 1000;
    s->itl_p90_ms = 1060.0 / 1000 + (10 * 0.9) / 1000;
    s->itl_p95_ms = 1060.0 / 1000 + (10 * 0.95) / 1000;
    s->itl_p99_ms = 1060.0 / 1000 + (10 * 0.99) / 1000;
  }
  EXPECT_EQ(properties::check_stat_percentiles(q).status, Status::held);
  EXPECT_EQ(properties::check_stat_means(q).status, Status::held);
}

TEST(StatRates, ThroughputOverTheEndTime) {
  RunOutput r = b1_run();
  r.aggregate.statistics.responses_per_sec = 306.0;
  expect_violations(r, "STAT-RATES", "", {});
  r.aggregate.counters.sim_ended.reset();
  EXPECT_EQ(properties::check_stat_rates(r).not_applicable_reason, "sim_ended missing");
}

TEST(TokenCounts, InputTokensOfEnqueuedRequests) {
  RunOutput r = b1_run();
  r.instances[0].counters.total_input_tokens = 21;
  r.aggregate.counters.total_input_tokens = 21;
  expect_violations(r, "LAW-TOKEN-COUNTS", "instance_0", {});
}

TEST(TokenCounts, OutputTokensOfCompletedRequests) {
  RunOutput r = b2_run();
  r.instances[1].maps.requests_meta["A_decode"].num_decode_tokens = 4;
  const auto res = properties::check_token_counts(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "instance_1");
}

TEST(Plumbing, ViolationsAreCappedWithAGatingSummary) {
  properties::support::Violations v("X");
  for (int i = 0; i < 70; ++i) v.known("s", "known");
  v.fail("s", "real");
  const auto res = std::move(v).finish();
  ASSERT_EQ(res.violations.size(), properties::support::Violations::kCap + 1);
  EXPECT_EQ(res.violations.back().detail, "7 further violation(s) omitted");
  EXPECT_FALSE(res.violations.back().known_exception);  // a failure hides among the omitted
  EXPECT_TRUE(is_gating(res, CheckOptions{}));
}

TEST(Plumbing, GatingRules) {
  properties::CheckResult held;
  EXPECT_FALSE(is_gating(held, CheckOptions{true}));
  auto na = properties::not_applicable("X", "why");
  EXPECT_FALSE(is_gating(na, CheckOptions{true}));
  auto known = properties::from_violations("X", {{"X", "s", "d", true}});
  EXPECT_EQ(known.status, Status::violated);
  EXPECT_FALSE(is_gating(known, CheckOptions{false}));
  EXPECT_TRUE(is_gating(known, CheckOptions{true}));
  auto failure = properties::from_violations("X", {{"X", "s", "d", true}, {"X", "s", "d", false}});
  EXPECT_TRUE(is_gating(failure, CheckOptions{false}));
}

TEST(Scale, HundredThousandRequestsInLinearTime) {
  const RunOutput big = scaled_b1_run(100000);
  const auto start = std::chrono::steady_clock::now();
  const auto results = properties::check_all(big);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& r : results) EXPECT_NE(r.status, Status::violated) << r.id;
  // Generous bound for sanitizer/debug builds; a quadratic scan over 1e5 requests would take
  // minutes.
  EXPECT_LT(seconds, 30.0);
  RecordProperty("check_all_seconds", std::to_string(seconds));
}

}  // namespace
}  // namespace simcheck::testing
