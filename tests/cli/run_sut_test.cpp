// `simcheck run --sut blis` end to end with the fake simulator (tests/sut/fake_blis.py): usage
// errors, a found and saved finding whose saved command reproduces it, reports, exit codes.
#include <gtest/gtest.h>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

const std::string kFake = std::string(SIMCHECK_SOURCE_DIR) + "/tests/sut/fake_blis.py";
const std::string kFakeRun = "run --sut blis --sut-bin '" + kFake +
                             "' --sut-arg=--model=fake --no-pd --max-instances 1 "
                             "--max-requests 6 --no-diff --progress never ";

bool have_python() { return ::access("/usr/bin/python3", X_OK) == 0; }

class RunSut : public CliTest {};

TEST_F(RunSut, UsageErrorsExitTwoWithOneLine) {
  for (const std::string args : std::vector<std::string>{
           "run --sut nosuch --sut-bin /bin/true", "run --sut blis",
           "run --sut blis --sut-bin /nonexistent/blis", "run --sut blis --sut-bin /tmp",
           "run --sut blis --sut-bin /bin/true --jobs 100000",
           "run --sut blis --sut-bin /bin/true --max-requests 0",
           "run --sut blis --sut-bin /bin/true --progress sometimes",
           "run --sut blis --sut-bin /bin/true --time-budget nan",
           "run --sut blis --sut-bin /bin/true --report junit /nonexistent-dir/x.xml"}) {
    const CommandResult r = simcheck(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(line_count(r.err), 1) << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

TEST_F(RunSut, PassingCampaignExitsZeroAndSavesNothing) {
  if (!have_python()) GTEST_SKIP() << "python3 missing";
  // The fake models neither deadlines nor horizons; seed 3's first 8 cases need neither.
  const CommandResult r = simcheck(kFakeRun + "--cases 8 --seed 3", "FAKE_BLIS_BREAK=none ");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ran 8 of 8 cases"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per case: BLIS"), std::string::npos);
  EXPECT_NE(r.out.find("\nPASS\n"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "corpus"));
}

TEST_F(RunSut, FindingIsShrunkSavedAndItsCommandReproducesIt) {
  if (!have_python()) GTEST_SKIP() << "python3 missing";
  const CommandResult r =
      simcheck(kFakeRun + "--cases 12 --seed 5 --max-shrink-runs 60 --report json r.json",
               "FAKE_BLIS_BREAK=early-e2e FAKE_BLIS_BREAK_MIN_REQUESTS=2 ");
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("* LAW-TL-TOKEN-AFTER-STEP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nFAIL\n"), std::string::npos);
  const fs::path saved = dir_ / "corpus" / "found-blis" / "seed5-LAW-TL-TOKEN-AFTER-STEP";
  ASSERT_TRUE(fs::exists(saved / "case.json")) << r.out;
  EXPECT_TRUE(fs::exists(saved / "original.case.json"));
  EXPECT_TRUE(fs::exists(saved / "blis" / "metrics.json"));
  EXPECT_TRUE(fs::exists(saved / "blis" / "stderr.txt"));
  const std::string violations = slurp(saved / "violations.txt");
  EXPECT_NE(violations.find("LAW-TL-TOKEN-AFTER-STEP [request_"), std::string::npos);
  // The saved script re-runs the simulator on the minimal case: same output files.
  const std::string before = slurp(saved / "blis" / "metrics.json");
  fs::remove(saved / "blis" / "metrics.json");
  const std::string cmd = "env FAKE_BLIS_BREAK=early-e2e FAKE_BLIS_BREAK_MIN_REQUESTS=2 sh '" +
                          (saved / "repro.sh").string() + "' > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(slurp(saved / "blis" / "metrics.json"), before);
  // The report names the finding as a gating check.
  const std::string report = slurp(dir_ / "r.json");
  EXPECT_NE(report.find("\"LAW-TL-TOKEN-AFTER-STEP\""), std::string::npos);
  EXPECT_NE(report.find("\"gating\": true"), std::string::npos) << report;
}

TEST_F(RunSut, CrashingSimulatorIsAFindingNotAnInternalError) {
  if (!have_python()) GTEST_SKIP() << "python3 missing";
  const CommandResult r =
      simcheck(kFakeRun + "--cases 3 --no-shrink --report junit r.xml", "FAKE_BLIS_BREAK=crash ");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("SUT-FAILED"), std::string::npos);
  EXPECT_NE(r.out.find("exit code 3"), std::string::npos) << r.out;
  EXPECT_NE(slurp(dir_ / "r.xml").find("<failure"), std::string::npos);
}

// `check --blis-log`: a recorded BLIS run (tests/data/blis-debug, 1 prefill + 1 decode pod) gets
// the timeline laws; its A5/O1 breaches are known exceptions, gating only with --strict.
TEST_F(RunSut, CheckReadsTheBlisDebugLog) {
  const std::string d = std::string(SIMCHECK_SOURCE_DIR) + "/tests/data/blis-debug/pd-two-requests";
  const std::string args = "check '" + d + ".metrics.json' --stdout '" + d + ".stdout.txt' " +
                           "--blis-log '" + d + ".stderr.txt' --prefill-instances 1 " +
                           "--decode-instances 1";
  CommandResult r = simcheck(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("VIOLATED        LAW-TL-KV-READY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("VIOLATED        LAW-C4-L2-STEP-EXCLUSIVE"), std::string::npos);
  r = simcheck(args + " --strict");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  // Without the log the timeline laws have nothing to read.
  r = simcheck("check '" + d + ".metrics.json' --stdout '" + d + ".stdout.txt'");
  EXPECT_NE(
      r.out.find("not applicable  LAW-TL-KV-READY  KV before use: instances[].phase_times missing"),
      std::string::npos)
      << r.out;
  r = simcheck("check '" + d + ".metrics.json' --blis-log /nonexistent/log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
}

}  // namespace
}  // namespace simcheck::cli_test
