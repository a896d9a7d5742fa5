// Contracts C-1..C-5 and LAW-E2E-COVERS-TOKENS: failures, known exceptions under default and
// strict gating, and exactness where binary64 arithmetic would round.
#include <gtest/gtest.h>

#include <cmath>

#include "check_expectations.h"
#include "properties/checks.h"
#include "synthetic_runs.h"

namespace simcheck::testing {
namespace {

using properties::CheckOptions;
using properties::is_gating;

TEST(C1, DropAtTransferStartIsTheKnownException) {
  const RunOutput r = b2_drop_at_start_run();
  // Everything else about this run holds; C-1 reports ttft 1170 > e2e 120 as known (#1511).
  expect_violations(r, "C-1", "A", {});
  const auto res = properties::check_ttft_le_e2e(r);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_TRUE(res.violations[0].known_exception);
  EXPECT_NE(res.violations[0].detail.find("ttft=1170 > e2e=120"), std::string::npos);
  EXPECT_FALSE(is_gating(res, CheckOptions{false}));
  EXPECT_TRUE(is_gating(res, CheckOptions{true}));
}

TEST(C1, GuaranteedForNonPdRequests) {
  RunOutput r = b1_run();
  // ttft 3300 > e2e 3290 everywhere it is stored; the counters and statistics that sum TTFT
  // disagree too, and the derived ITL sum (e2e - ttft) turns negative.
  r.instances[0].maps.ttft["A"] = 3300.0;
  r.aggregate.maps.ttft["A"] = 3300.0;
  const auto res = properties::check_ttft_le_e2e(r);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_FALSE(res.violations[0].known_exception);
  EXPECT_TRUE(is_gating(res, CheckOptions{}));
  expect_violations(r, "C-1", "A",
                    {"C-2", "C-5", "LAW-E2E-COVERS-TOKENS", "STAT-MEANS", "STAT-PERCENTILES"});
}

TEST(C1, GuaranteedForPrimaryPdParents) {
  RunOutput r = b2_run();
  r.aggregate.maps.e2e["A"] = 1230.0;  // the #1513 shape: e2e below T-PRIMARY's 1231
  const auto res = properties::check_ttft_le_e2e(r);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_FALSE(res.violations[0].known_exception);
  EXPECT_NE(res.violations[0].detail.find("T-PRIMARY/E-PRIMARY"), std::string::npos);
}

TEST(C1, WithoutParentRecordsEveryViolationFails) {
  RunOutput r = b2_drop_at_start_run();
  r.parents.reset();
  const auto res = properties::check_ttft_le_e2e(r);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_FALSE(res.violations[0].known_exception);
}

TEST(C2, TtftSumMustMatchTheFirstTokenTimes) {
  RunOutput r = b1_run();
  r.instances[0].counters.ttft_sum = 1171;
  r.aggregate.counters.ttft_sum = 1171;
  expect_violations(r, "C-2", "instance_0", {});
  // Identity and contract form both fail on the aggregate, the identity on the instance.
  EXPECT_EQ(properties::check_ttft_sum(r).violations.size(), 3u);
}

TEST(C2, PrimaryDeltaIsAddedOnce) {
  RunOutput r = b2_run();
  r.aggregate.counters.ttft_sum = 1170;  // the pre-#931 sum without trunc(1231 - 1170) = 61
  expect_violations(r, "C-2", "", {});
}

TEST(C2, ComparedExactlyNearTwoToThe53) {
  // Two non-PD requests with TTFT 2^53 and 1 on one instance. Their binary64 sum is 2^53 (the 1
  // rounds away); the exact sum 2^53 + 1 is what an int64 ttft_sum holds.
  RunOutput r = b1_run();
  const double big = 9007199254740992.0;
  for (MetricMaps* m : {&r.instances[0].maps, &r.aggregate.maps}) {
    m->ttft = {{"A", big}, {"B", 1.0}};
    m->e2e = {{"A", big}, {"B", 1.0}};
  }
  ASSERT_EQ(big + 1.0, big);
  r.instances[0].counters.ttft_sum = 9007199254740993;
  r.aggregate.counters.ttft_sum = 9007199254740993;
  EXPECT_EQ(properties::check_ttft_sum(r).status, Status::held);
  r.instances[0].counters.ttft_sum = 9007199254740992;  // what double summation would accept
  r.aggregate.counters.ttft_sum = 9007199254740992;
  EXPECT_EQ(properties::check_ttft_sum(r).status, Status::violated);
}

TEST(C2, NotApplicableWithoutTtftSum) {
  RunOutput r = b1_run();
  r.aggregate.counters.ttft_sum.reset();
  EXPECT_EQ(properties::check_ttft_sum(r).not_applicable_reason, "ttft_sum missing");
}

TEST(C3, EveryCompletedParentHasItsE2e) {
  RunOutput r = b2_run();
  r.aggregate.maps.e2e.erase("A");
  r.aggregate.maps.completion_time->erase("A");
  // C-3 (missing entry and |keys(e2e)| 0 != 1), and the collateral: INV-PD-6 (E-PRIMARY without
  // e2e), C-4 (e2e and completion_time absent), REQ-ONE-RECORD (itl_avg without e2e), C-2
  // (sum over keys(e2e) is now 0), the E2E statistics.
  expect_violations(r, "C-3", "A",
                    {"INV-PD-6", "C-4", "REQ-ONE-RECORD", "C-2", "STAT-MEANS", "STAT-PERCENTILES"});
}

TEST(C3, NonPdKeysEqualCompleted) {
  RunOutput r = b1_run();
  r.aggregate.maps.e2e["B"] = 5000.0;
  r.aggregate.maps.completion_time->emplace("B", 5000.0);
  const auto res = properties::check_one_entry_per_parent(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_NE(res.violations[0].detail.find("|keys(e2e)| = 2 != completed=1"), std::string::npos);
}

TEST(C3, BoundsWithoutParentRecords) {
  RunOutput r = b2_drop_at_start_run();
  r.parents.reset();
  // completed 0, pd_decode_timed_out 0, dropped_at_decode_kv 1: 1 key is within [0, 1].
  EXPECT_EQ(properties::check_one_entry_per_parent(r).status, Status::held);
  r.pd->dropped_at_decode_kv = 0;
  EXPECT_EQ(properties::check_one_entry_per_parent(r).status, Status::violated);
}

TEST(C4, RecordedBranchMustBeTheOneTheGuardsChoose) {
  RunOutput r = b2_run();
  (*r.parents)[0].e2e_branch = E2eBranch::preempted;  // first_token_time is 0: E-PRIMARY
  expect_violations(r, "C-4", "A", {});
}

TEST(C4, StoredValueMustBeTheBranchFormula) {
  RunOutput r = b2_run();
  // The pre-#1514 E2E: completion_time - arrival = 1221 (the #1513 under-count), with
  // completion_time[A] = CT.
  r.aggregate.maps.e2e["A"] = 1221.0;
  (*r.aggregate.maps.completion_time)["A"] = 1221.0;
  r.aggregate.statistics.e2e_mean_ms = r.aggregate.statistics.e2e_p90_ms = 1.221;
  r.aggregate.statistics.e2e_p95_ms = r.aggregate.statistics.e2e_p99_ms = 1.221;
  // ttft 1231 > e2e 1221 on T-PRIMARY/E-PRIMARY (C-1), the tokens after the first are not
  // covered, P no longer carried once, sum of ttft over keys(e2e) still 1231 (C-2 holds).
  expect_violations(r, "C-4", "A", {"C-1", "LAW-E2E-COVERS-TOKENS", "INV-PD-6b"});
}

TEST(C4, UnreachableBranchesOnSyntheticParents) {
  // T-NONE: no prefill TTFT (the prefill sub-request's ttft entry is missing).
  RunOutput none = b2_run();
  none.instances[0].maps.ttft.clear();
  none.aggregate.maps.ttft.clear();
  (*none.parents)[0].ttft_branch = TtftBranch::none;
  const auto res = properties::check_projection_branches(none);
  EXPECT_EQ(res.status, Status::held) << res.violations[0].detail;
  (*none.parents)[0].ttft_branch = TtftBranch::fallback;
  EXPECT_EQ(properties::check_projection_branches(none).status, Status::violated);
  // E-NEGATIVE: completion before arrival on the fallback path (no decode maps).
  RunOutput neg = b2_drop_at_start_run();
  ParentRecord& p = (*neg.parents)[0];
  p.arrival = 500;  // E-FALLBACK v = 120 - 500 < 0: nothing stored under A's e2e
  p.e2e_branch = E2eBranch::negative;
  neg.aggregate.maps.e2e.clear();
  neg.aggregate.maps.completion_time->clear();
  neg.aggregate.maps.requests_meta["A"].arrived_at_s = 500 / 1e6;
  const auto nres = properties::check_projection_branches(neg);
  EXPECT_EQ(nres.status, Status::held) << nres.violations[0].detail;
  neg.aggregate.maps.e2e["A"] = -380.0;
  EXPECT_EQ(properties::check_projection_branches(neg).status, Status::violated);
}

TEST(C5, ItlEntriesIncludeTheOutputTokenProcessingTime) {
  RunOutput r = b1_run();
  r.config->alpha[2] = 1100;  // OTP 1100 > every ITL 1060
  expect_violations(r, "C-5", "A", {});
}

TEST(C5, ItlAverageIsTheRecordFormula) {
  RunOutput r = b1_run();
  r.instances[0].maps.itl_avg["A"] = 1061.0;
  r.aggregate.maps.itl_avg["A"] = 1061.0;
  // 1061 > RN((3290 - 1170) / 2) = 1060: the tokens after the first are not covered either.
  expect_violations(r, "C-5", "A", {"LAW-E2E-COVERS-TOKENS"});
}

TEST(C5, AllItlsSumToTheDerivedSums) {
  RunOutput r = b2_run();
  r.instances[1].all_itls = std::vector<int64_t>{1060, 1061};
  r.aggregate.all_itls = std::vector<int64_t>{1060, 1061};
  r.aggregate.statistics.itl_p90_ms = 1.0609;  // 1060/1000 + (1 * 0.9)/1000, and so on
  const auto res = properties::check_nonpd_e2e_identity(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_EQ(res.violations[0].subject, "instance_1");
}

TEST(C5, NotApplicableWithoutConfig) {
  RunOutput r = b1_run();
  r.config.reset();
  EXPECT_EQ(properties::check_nonpd_e2e_identity(r).not_applicable_reason,
            "config missing (P, OTP)");
}

TEST(LawE2e, NonPdRequestNeedsTimeForItsTokens) {
  RunOutput r = b1_run();
  r.config.reset();  // a source without configuration: C-5 cannot apply, the law still does
  r.instances[0].maps.itl_avg["A"] = 1061.0;
  r.aggregate.maps.itl_avg["A"] = 1061.0;
  expect_violations(r, "LAW-E2E-COVERS-TOKENS", "A", {});
}

TEST(LawE2e, PdParentCoversItsDecodeSteps) {
  RunOutput r = b2_run();
  (*r.parents)[0].decode_sub->itl[1] = 1061;  // e2e 2291 < 1231 + 1061
  expect_violations(r, "LAW-E2E-COVERS-TOKENS", "A", {"INV-PD-6b"});
}

TEST(LawE2e, DivisionRoundingNeitherHidesNorInventsAViolation) {
  // N = 4 output tokens, ITLs summing to 10: itl_avg = RN(10 / 3) = 3.3333333333333335, and
  // 3 * itl_avg (exactly) exceeds 10, so "e2e >= ttft + 3 * itl_avg" would invent a violation.
  RunOutput r = b1_run();
  r.config.reset();
  MetricMaps& m = r.aggregate.maps;
  m.requests_meta["A"].num_decode_tokens = 4;
  m.ttft["A"] = 100.0;
  m.e2e["A"] = 110.0;
  m.itl_avg["A"] = 10.0 / 3.0;
  EXPECT_EQ(properties::check_law_e2e_covers_tokens(r).status, Status::held);
  m.e2e["A"] = 109.0;  // 9 µs for ITLs averaging 3.33..: impossible
  EXPECT_EQ(properties::check_law_e2e_covers_tokens(r).status, Status::violated);
  // A 1 ulp larger average than RN(10/3) is caught too.
  m.e2e["A"] = 110.0;
  m.itl_avg["A"] = std::nextafter(10.0 / 3.0, 4.0);
  EXPECT_EQ(properties::check_law_e2e_covers_tokens(r).status, Status::violated);
  // Non-integer times take the exact rational path: the same verdicts.
  m.ttft["A"] = 100.25;
  m.e2e["A"] = 110.25;
  m.itl_avg["A"] = 10.0 / 3.0;
  EXPECT_EQ(properties::check_law_e2e_covers_tokens(r).status, Status::held);
  m.itl_avg["A"] = std::nextafter(10.0 / 3.0, 4.0);
  EXPECT_EQ(properties::check_law_e2e_covers_tokens(r).status, Status::violated);
}

}  // namespace
}  // namespace simcheck::testing
