// properties/gen/campaign: determinism (seed, jobs), sharding partitions the case sequence, the
// time budget, the coverage gate (including a vacuous campaign that must fail it), and that the
// default campaign reaches every required coverage item.
#include "properties/gen/campaign.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "io/case_writer.h"
#include "properties/gen/coverage.h"

namespace simcheck {
namespace {

using gen::CampaignOptions;
using gen::CampaignResult;
using gen::CoverageItem;

CampaignOptions small_campaign(int64_t cases, uint64_t seed) {
  CampaignOptions o;
  o.cases = cases;
  o.seed = seed;
  o.coverage_gate = false;  // these campaigns are too small to hit every branch
  return o;
}

void expect_same_result(const CampaignResult& a, const CampaignResult& b) {
  EXPECT_EQ(a.cases_planned, b.cases_planned);
  EXPECT_EQ(a.cases_run, b.cases_run);
  EXPECT_EQ(a.outcome_digest, b.outcome_digest);
  EXPECT_EQ(a.coverage.cases, b.coverage.cases);
  EXPECT_EQ(a.coverage.hits, b.coverage.hits);
  EXPECT_EQ(a.known_exception_cases, b.known_exception_cases);
  EXPECT_EQ(a.failure.has_value(), b.failure.has_value());
}

TEST(Campaign, CaseIIsAPureFunctionOfSeedAndIndex) {
  const CampaignOptions o = small_campaign(10, 42);
  for (int64_t i : {0, 1, 17, 123456}) {
    EXPECT_EQ(io::write_case(gen::campaign_case(o, i)), io::write_case(gen::campaign_case(o, i)));
    EXPECT_EQ(io::write_case(gen::campaign_case(o, i)),
              io::write_case(gen::campaign_shrinkable(o, i).value()));
  }
  // Different seeds or indices give different cases (the generator is not degenerate).
  EXPECT_NE(io::write_case(gen::campaign_case(o, 0)), io::write_case(gen::campaign_case(o, 1)));
  EXPECT_NE(io::write_case(gen::campaign_case(o, 5)),
            io::write_case(gen::campaign_case(small_campaign(10, 43), 5)));
}

TEST(Campaign, SameSeedSameResult) {
  const CampaignResult a = gen::run_campaign(small_campaign(300, 5));
  const CampaignResult b = gen::run_campaign(small_campaign(300, 5));
  EXPECT_EQ(a.cases_run, 300);
  EXPECT_FALSE(a.failure.has_value());
  expect_same_result(a, b);
  // ... and another seed runs other cases.
  EXPECT_NE(a.outcome_digest, gen::run_campaign(small_campaign(300, 6)).outcome_digest);
}

TEST(Campaign, ResultDoesNotDependOnJobs) {
  CampaignOptions one = small_campaign(400, 9);
  one.jobs = 1;
  CampaignOptions two = one;
  two.jobs = 2;
  CampaignOptions three = one;
  three.jobs = 3;
  const CampaignResult a = gen::run_campaign(one);
  expect_same_result(a, gen::run_campaign(two));
  expect_same_result(a, gen::run_campaign(three));
}

// Shard k of n runs the global indices i ≡ k (mod n): the shards partition the unsharded run,
// so their case counts, coverage counts and outcome digests add up to it exactly.
TEST(Campaign, ShardsPartitionTheCaseSequence) {
  const CampaignResult whole = gen::run_campaign(small_campaign(301, 21));
  int64_t cases = 0;
  uint64_t digest = 0;
  gen::CoverageTable coverage;
  for (int k = 0; k < 3; ++k) {
    CampaignOptions o = small_campaign(301, 21);
    o.shard_index = k;
    o.shard_count = 3;
    const CampaignResult part = gen::run_campaign(o);
    EXPECT_EQ(part.cases_planned, k == 0 ? 101 : 100);  // 301 = 101 + 100 + 100
    EXPECT_EQ(part.cases_run, part.cases_planned);
    cases += part.cases_run;
    digest += part.outcome_digest;
    coverage.merge(part.coverage);
  }
  EXPECT_EQ(cases, whole.cases_run);
  EXPECT_EQ(digest, whole.outcome_digest);
  EXPECT_EQ(coverage.cases, whole.coverage.cases);
  EXPECT_EQ(coverage.hits, whole.coverage.hits);
}

TEST(Campaign, MoreShardsThanCases) {
  CampaignOptions o = small_campaign(2, 1);
  o.shard_index = 4;
  o.shard_count = 5;
  const CampaignResult r = gen::run_campaign(o);
  EXPECT_EQ(r.cases_planned, 0);
  EXPECT_EQ(r.cases_run, 0);
  EXPECT_TRUE(r.passed());
}

TEST(Campaign, TimeBudgetStopsEarlyAndSaysSo) {
  CampaignOptions o = small_campaign(10'000'000, 3);
  o.time_budget_s = 1.0;  // generous: a loaded CI machine may not start a case in 0.2 s
  const CampaignResult r = gen::run_campaign(o);
  EXPECT_TRUE(r.stopped_by_time_budget);
  EXPECT_GT(r.cases_run, 0);
  EXPECT_LT(r.cases_run, r.cases_planned);
  EXPECT_EQ(r.coverage.cases, r.cases_run);
  EXPECT_LT(r.elapsed_s, 30.0);
}

// A generator that cannot produce PD cases cannot reach the PD branches: the gate must say so.
TEST(CoverageGate, FailsAVacuousCampaign) {
  CampaignOptions o;
  o.cases = 500;
  o.seed = 2;
  o.gen.allow_pd = false;
  const CampaignResult r = gen::run_campaign(o);
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_FALSE(r.passed());
  for (CoverageItem item : {CoverageItem::t_primary, CoverageItem::e_primary,
                            CoverageItem::e_preempted, CoverageItem::drop_at_transfer_start,
                            CoverageItem::timeout_decode, CoverageItem::contention_1,
                            CoverageItem::contention_3_plus, CoverageItem::horizon_in_transfer}) {
    EXPECT_NE(std::find(r.coverage_gaps.begin(), r.coverage_gaps.end(), item),
              r.coverage_gaps.end())
        << gen::info(item).name;
    EXPECT_EQ(r.coverage.count(item), 0) << gen::info(item).name;
  }
  // The engine items are reachable without PD and were hit.
  for (CoverageItem item : {CoverageItem::drop_mml_input, CoverageItem::drop_kv_capacity,
                            CoverageItem::timeout_running, CoverageItem::prefix_hit}) {
    EXPECT_GT(r.coverage.count(item), 0) << gen::info(item).name;
  }
  const std::string table = gen::format_coverage_table(r.coverage, o.gen.projection);
  EXPECT_NE(table.find("T-PRIMARY"), std::string::npos);
  EXPECT_NE(table.find("NOT HIT"), std::string::npos);

  // Relaxing the gate explicitly (--no-coverage-gate) lets the same campaign pass.
  o.coverage_gate = false;
  EXPECT_TRUE(gen::run_campaign(o).passed());
}

TEST(CoverageGate, BranchItemsAreRequiredOnlyForTheCurrentProjection) {
  gen::CoverageTable empty;
  const auto current = gen::coverage_gaps(empty, model::ProjectionEra::current);
  const auto historical = gen::coverage_gaps(empty, model::ProjectionEra::pre_931);
  auto has = [](const std::vector<CoverageItem>& v, CoverageItem i) {
    return std::find(v.begin(), v.end(), i) != v.end();
  };
  EXPECT_TRUE(has(current, CoverageItem::e_preempted));
  EXPECT_FALSE(has(historical, CoverageItem::e_preempted));
  EXPECT_TRUE(has(historical, CoverageItem::drop_at_transfer_start));
  // Unreachable and informational items never gate.
  EXPECT_FALSE(has(current, CoverageItem::t_negative));
  EXPECT_FALSE(has(current, CoverageItem::late_drop));
  EXPECT_FALSE(has(current, CoverageItem::zero_new_token_admission));
}

// The default campaign (what `simcheck run` gates on) reaches every required item well within
// its default size; 3000 cases are enough for seed 1.
TEST(CoverageGate, DefaultGeneratorHitsEveryRequiredItem) {
  CampaignOptions o;
  o.cases = 3000;
  o.seed = 1;
  o.jobs = 2;
  const CampaignResult r = gen::run_campaign(o);
  EXPECT_FALSE(r.failure.has_value());
  std::string gaps;
  for (CoverageItem i : r.coverage_gaps) gaps += std::string(gen::info(i).name) + " ";
  EXPECT_TRUE(r.coverage_gaps.empty()) << "not hit: " << gaps;
  EXPECT_TRUE(r.passed());
}

}  // namespace
}  // namespace simcheck
