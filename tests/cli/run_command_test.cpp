// `simcheck run` and `simcheck replay` end to end through the built binary: exit codes for bad
// usage, byte-identical reports for the same seed whatever --jobs, sharding through the GTEST_*
// environment, and a historical-era failure written to the corpus and replayed.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

using RunCommand = CliTest;

TEST_F(RunCommand, BadUsageExitsTwo) {
  for (const char* args : {"run --shard 3/3", "run --shard 1", "run --shard -1/2",
                           "run --projection pre-2000", "run --report xml r.xml", "run --cases -5",
                           "run --jobs -1", "run --bogus", "run --time-budget -1"}) {
    const CommandResult r = simcheck(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
  const CommandResult env = simcheck("run --cases 10", "GTEST_SHARD_INDEX=2 GTEST_TOTAL_SHARDS=2 ");
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("GTEST_SHARD_INDEX"), std::string::npos) << env.err;
}

TEST_F(RunCommand, SameSeedGivesByteIdenticalReportsWhateverTheJobs) {
  const std::string common = "run --cases 400 --seed 3 --no-coverage-gate ";
  const CommandResult a = simcheck(common + "--jobs 1 --report json a.json");
  const CommandResult b = simcheck(common + "--jobs 2 --report json b.json");
  const CommandResult c = simcheck(common + "--jobs 2 --report junit c.xml");
  const CommandResult d = simcheck(common + "--jobs 1 --report junit d.xml");
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_EQ(slurp(dir_ / "a.json"), slurp(dir_ / "b.json"));
  EXPECT_EQ(slurp(dir_ / "c.xml"), slurp(dir_ / "d.xml"));
  const auto report = nlohmann::json::parse(slurp(dir_ / "a.json"));
  EXPECT_EQ(report["command"],
            "simcheck run --cases 400 --seed 3 --projection current "
            "--no-coverage-gate");
  ASSERT_EQ(report["suites"].size(), 2u);
  EXPECT_EQ(report["suites"][0]["name"], "campaign");
  EXPECT_EQ(report["suites"][0]["totals"]["gating"], 0);
  EXPECT_EQ(report["suites"][1]["name"], "coverage");
  EXPECT_NE(a.out.find("PASS"), std::string::npos);
  EXPECT_NE(a.out.find("coverage item"), std::string::npos);
}

TEST_F(RunCommand, TinyCampaignFailsTheCoverageGateUnlessRelaxed) {
  const CommandResult gated = simcheck("run --cases 20 --seed 1");
  EXPECT_EQ(gated.exit_code, 1) << gated.out;
  EXPECT_NE(gated.out.find("coverage gate FAILED"), std::string::npos);
  EXPECT_EQ(simcheck("run --cases 20 --seed 1 --no-coverage-gate").exit_code, 0);
}

TEST_F(RunCommand, ShardFromTheEnvironmentEqualsTheFlag) {
  const CommandResult flag = simcheck(
      "run --cases 90 --seed 2 --no-coverage-gate --shard 1/3 "
      "--report json flag.json");
  const CommandResult env =
      simcheck("run --cases 90 --seed 2 --no-coverage-gate --report json env.json",
               "GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3 ");
  ASSERT_EQ(flag.exit_code, 0) << flag.err;
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(slurp(dir_ / "flag.json"), slurp(dir_ / "env.json"));
  EXPECT_NE(flag.out.find("ran 30 of 30 cases"), std::string::npos) << flag.out;
}

// A historical era fails on its first PD case: the minimal case, its run output and violations
// are saved under deterministic names, and the printed replay command reproduces the failure.
TEST_F(RunCommand, FailureIsSavedAndReplays) {
  const CommandResult r = simcheck(
      "run --cases 200 --seed 1 --projection pre-1514 --corpus-dir found --report json f.json");
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const fs::path base = dir_ / "found" / "seed1-case0-pre-1514";
  ASSERT_TRUE(fs::exists(base.string() + ".case.json")) << r.out;
  EXPECT_TRUE(fs::exists(base.string() + ".out.json"));
  EXPECT_TRUE(fs::exists(base.string() + ".original.case.json"));
  const std::string violations = slurp(base.string() + ".violations.txt");
  EXPECT_NE(violations.find("C-1 [request_0]"), std::string::npos) << violations;
  EXPECT_NE(r.out.find("replay: simcheck replay found/seed1-case0-pre-1514.case.json"),
            std::string::npos)
      << r.out;
  // The minimal case is printed too, byte-identical to the saved file.
  const std::string saved_case = slurp(base.string() + ".case.json");
  EXPECT_NE(r.out.find("minimal case:\n" + saved_case), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(slurp(dir_ / "f.json"));
  EXPECT_GT(report["suites"][0]["totals"]["gating"].get<int>(), 0);
  EXPECT_EQ(report["suites"][1]["totals"]["gating"], 0);  // coverage is not gated after a failure

  const CommandResult replay = simcheck("replay found/seed1-case0-pre-1514.case.json");
  EXPECT_EQ(replay.exit_code, 1) << replay.out;
  EXPECT_NE(replay.out.find("C-1 [request_0]"), std::string::npos) << replay.out;
  const CommandResult current =
      simcheck("replay found/seed1-case0-pre-1514.case.json --projection current");
  EXPECT_EQ(current.exit_code, 0) << current.out;
  EXPECT_EQ(simcheck("replay missing.json").exit_code, 2);
}

}  // namespace
}  // namespace simcheck::cli_test
