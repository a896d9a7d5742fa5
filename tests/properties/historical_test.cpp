// Issue 3 item 4 / spec Appendix A: under every historical PD projection the campaign finds a
// violation of a *law* — not merely C-4's formula equality, which differs by construction — within
// 2000 cases from a fixed seed, and shrinks it to a counterexample of at most three requests. The
// same minimal case is clean under the current projection, so the era is what breaks the law.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "io/case_writer.h"
#include "properties/gen/campaign.h"

namespace simcheck {
namespace {

// The laws a projection must keep (docs/invariants.md): TTFT <= E2E, the first token is produced
// on the decode pod, E2E covers every token, the TTFT sum, parent granularity.
const std::vector<std::string> kLaws = {"C-1", "LAW-FIRST-TOKEN", "LAW-E2E-COVERS-TOKENS", "C-2",
                                        "INV-PD-6"};

class HistoricalProjectionSeeds
    : public ::testing::TestWithParam<std::tuple<model::ProjectionEra, uint64_t>> {};

TEST_P(HistoricalProjectionSeeds, CampaignFindsALawViolationWithASmallCounterexample) {
  const auto [era, seed] = GetParam();
  gen::CampaignOptions o;
  o.cases = 2000;
  o.seed = seed;
  o.gen.projection = era;
  o.failure_invariants = kLaws;  // shrink with respect to "a law is violated"
  const gen::CampaignResult r = gen::run_campaign(o);
  ASSERT_TRUE(r.failure.has_value())
      << "no law violation in 2000 cases under " << model::to_string(era) << " seed " << seed;
  const gen::CampaignFailure& f = *r.failure;
  EXPECT_LT(f.index, 2000);
  EXPECT_LE(f.minimal.requests.size(), 3u) << io::write_case(f.minimal);
  ASSERT_FALSE(f.minimal_invariants.empty());
  for (const std::string& id : f.minimal_invariants) {
    EXPECT_NE(std::find(kLaws.begin(), kLaws.end(), id), kLaws.end()) << id;
  }
  EXPECT_EQ(f.minimal.config.projection, era);
  EXPECT_TRUE(f.minimal.config.pd_enabled());

  // The era is the cause: the minimal case under the current projection keeps every law.
  model::Case current = f.minimal;
  current.config.projection = model::ProjectionEra::current;
  const gen::CaseVerdict v = gen::evaluate_case(current, /*strict=*/false, kLaws);
  EXPECT_FALSE(v.failed()) << v.failing.front().invariant << " " << v.failing.front().detail;

  // Reproducible: the same seed finds the same index and the same minimal case.
  const gen::CampaignResult again = gen::run_campaign(o);
  ASSERT_TRUE(again.failure.has_value());
  EXPECT_EQ(again.failure->index, f.index);
  EXPECT_EQ(io::write_case(again.failure->minimal), io::write_case(f.minimal));
}

INSTANTIATE_TEST_SUITE_P(
    Eras, HistoricalProjectionSeeds,
    ::testing::Combine(::testing::Values(model::ProjectionEra::pre_1514,
                                         model::ProjectionEra::pre_1512,
                                         model::ProjectionEra::pre_931,
                                         model::ProjectionEra::pre_846),
                       ::testing::Values(uint64_t{1}, uint64_t{2}, uint64_t{3})),
    [](const ::testing::TestParamInfo<std::tuple<model::ProjectionEra, uint64_t>>& info) {
      std::string name = model::to_string(std::get<0>(info.param));
      std::replace(name.begin(), name.end(), '-', '_');
      return name + "_seed" + std::to_string(std::get<1>(info.param));
    });

// The current projection: the same hunt over the same 2000 cases finds nothing.
TEST(HistoricalProjection, CurrentProjectionKeepsTheLaws) {
  gen::CampaignOptions o;
  o.cases = 2000;
  o.seed = 1;
  o.failure_invariants = kLaws;
  o.coverage_gate = false;
  const gen::CampaignResult r = gen::run_campaign(o);
  EXPECT_FALSE(r.failure.has_value()) << (r.failure ? r.failure->minimal_invariants.front() + "\n" +
                                                          io::write_case(r.failure->minimal)
                                                    : "");
  EXPECT_EQ(r.cases_run, 2000);
}

}  // namespace
}  // namespace simcheck
