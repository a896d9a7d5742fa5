// sut/: the child-process runner, the BLIS adapter and the campaign, driven by
// tests/sut/fake_blis.py (a tiny stand-in for `blis replay` that breaks a chosen law), and by the
// real BLIS when scripts/get-blis.sh has built build/blis/blis (skipped otherwise).
#include "sut/sut_campaign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/simulate.h"
#include "sut/blis_cases.h"
#include "sut/process.h"

namespace simcheck::sut {
namespace {
namespace fs = std::filesystem;

const std::string kFake = std::string(SIMCHECK_SOURCE_DIR) + "/tests/sut/fake_blis.py";
const std::string kRealBlis = std::string(SIMCHECK_SOURCE_DIR) + "/build/blis/blis";

bool have_python() { return ::access("/usr/bin/python3", X_OK) == 0; }

// A fresh directory per test, removed at the end.
struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "simcheck-sut-test-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The fake breaks the law named by FAKE_BLIS_BREAK (child processes inherit the environment;
// ctest runs each test in its own process).
void break_law(const char* mode, int min_requests = 1) {
  ::setenv("FAKE_BLIS_BREAK", mode, 1);
  ::setenv("FAKE_BLIS_BREAK_MIN_REQUESTS", std::to_string(min_requests).c_str(), 1);
}

SutCampaignOptions fake_options(const TempDir& dir) {
  SutCampaignOptions o;
  o.sut.binary = kFake;
  o.sut.extra_args = {"--model=fake"};
  o.sut.timeout_s = 20;
  o.work_dir = dir.path;
  o.gen.max_instances = 1;  // the fake has one instance and no PD
  o.gen.allow_pd = false;
  o.gen.max_requests = 6;
  o.gen.record_events = false;
  o.jobs = 2;
  o.max_shrink_runs = 200;
  return o;
}

model::Case one_request(int64_t output_len) {
  model::Case c;
  c.config.alpha = {100, 0, 10};
  c.config.beta = {1000, 0, 0};
  c.config.total_kv_blocks = 1000;
  model::TraceRequest r;
  r.input_len = 20;
  r.output_len = output_len;
  c.requests = {r};
  return c;
}

TEST(Process, ExitCodeOutputFilesAndTimeout) {
  TempDir d;
  ProcessSpec spec;
  spec.working_dir = d.path;
  spec.stdout_path = d.path + "/out.txt";
  spec.stderr_path = d.path + "/err.txt";
  spec.argv = {"/bin/sh", "-c", "echo hi; echo oops >&2; exit 7"};
  ProcessResult r = run_process(spec);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.describe(), "exit code 7");
  EXPECT_TRUE(fs::file_size(spec.stdout_path) == 3u);
  spec.argv = {"/bin/sleep", "5"};
  spec.timeout_s = 0.2;
  r = run_process(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.wall_s, 3.0);
  EXPECT_NE(r.describe().find("timed out"), std::string::npos);
  spec.argv = {"/nonexistent/blis"};
  r = run_process(spec);
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.describe().find("could not start"), std::string::npos);
  // No shell: a metacharacter is an ordinary argument byte.
  spec.argv = {"/bin/echo", "$(touch " + d.path + "/pwned)"};
  spec.timeout_s = 5;
  r = run_process(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(fs::exists(d.path + "/pwned"));
}

TEST(BlisCases, ExpressibleRecipesExportWithoutCaveatsAndAreIdempotent) {
  SutCampaignOptions o;
  for (int64_t i = 0; i < 200; ++i) {
    const gen::CaseRecipe r = sut_case_recipe(o, i);
    EXPECT_EQ(blis_expressible(r), r);
    const model::Case c = blis_case(r, o.gen, o.blis);
    EXPECT_LE(c.config.total_kv_blocks, o.blis.max_kv_blocks);
    if (c.config.pd_enabled()) EXPECT_EQ(c.config.kv_bytes_per_token, 131072.0);
    EXPECT_EQ(c.config.alpha[1], 0.0);
    EXPECT_EQ(c.config.beta[1], 0.0);
    EXPECT_EQ(c.config.beta[2], 0.0);
  }
}

TEST(SutRun, FakeAgreesWithTheReferenceOnOneRequest) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  break_law("none");
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  const SutVerdict v = evaluate_sut_case(one_request(3), o, d.path + "/one");
  EXPECT_TRUE(v.sut_failure.empty()) << v.sut_failure;
  EXPECT_TRUE(v.findings.empty()) << ::testing::PrintToString(v.findings);
  EXPECT_GT(v.diff.requests_compared, 0);
  // BLIS's own files stay in the case's directory.
  EXPECT_TRUE(fs::exists(d.path + "/one/metrics.json"));
  EXPECT_TRUE(fs::exists(d.path + "/one/stderr.txt"));
}

TEST(SutRun, ABrokenLawIsFoundAndShrunkThroughTheSimulator) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  break_law("early-e2e", 2);  // only runs of >= 2 requests break it: shrinking must keep 2
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  o.cases = 12;
  o.seed = 5;
  o.diff = false;
  o.max_findings = 1;
  o.max_shrink_runs = 80;
  const SutCampaignResult r = run_sut_campaign(o);
  ASSERT_FALSE(r.passed());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_GT(r.finding_cases.count("LAW-TL-TOKEN-AFTER-STEP"), 0u);
  const SutFinding& f = r.findings[0];
  EXPECT_EQ(f.minimal.requests.size(), 2u);
  EXPECT_GT(f.shrink_steps, 0);
  EXPECT_LE(f.shrink_runs, 80);
  EXPECT_NE(std::find(f.minimal_verdict.findings.begin(), f.minimal_verdict.findings.end(), f.key),
            f.minimal_verdict.findings.end());
  EXPECT_FALSE(f.minimal_verdict.argv.empty());
  // Nothing is left behind in the working directory.
  EXPECT_TRUE(fs::is_empty(d.path));
}

TEST(SutRun, AQuirkShapedBreachIsKnownAndGatesOnlyUnderStrict) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  break_law("overlap");  // O1's shape: a step starts inside the finishing step of another
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  o.cases = 12;
  o.seed = 5;
  o.diff = false;
  o.shrink = false;
  SutCampaignResult r = run_sut_campaign(o);
  EXPECT_GT(r.known_cases.count("LAW-C4-L2-STEP-EXCLUSIVE"), 0u);
  EXPECT_NE(r.known_reason.at("LAW-C4-L2-STEP-EXCLUSIVE").find("O1/A5"), std::string::npos);
  EXPECT_EQ(r.finding_cases.count("LAW-C4-L2-STEP-EXCLUSIVE"), 0u);
  o.strict = true;
  o.max_findings = 0;
  r = run_sut_campaign(o);
  EXPECT_GT(r.finding_cases.count("LAW-C4-L2-STEP-EXCLUSIVE"), 0u);
}

TEST(SutRun, TheOutcomeDoesNotDependOnJobs) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  break_law("early-e2e", 2);
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  o.cases = 10;
  o.seed = 5;
  o.shrink = false;
  o.max_findings = 2;
  o.jobs = 1;
  const SutCampaignResult one = run_sut_campaign(o);
  o.jobs = 2;
  const SutCampaignResult two = run_sut_campaign(o);
  EXPECT_EQ(one.cases_failed, two.cases_failed);
  EXPECT_EQ(one.finding_cases, two.finding_cases);
  EXPECT_EQ(one.known_cases, two.known_cases);
  ASSERT_EQ(one.findings.size(), two.findings.size());
  for (std::size_t i = 0; i < one.findings.size(); ++i) {
    EXPECT_EQ(one.findings[i].key, two.findings[i].key);
    EXPECT_EQ(one.findings[i].index, two.findings[i].index);
  }
}

TEST(SutRun, CrashTimeoutAndUnreadableOutputAreFindings) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  break_law("crash");
  SutVerdict v = evaluate_sut_case(one_request(2), o, d.path + "/a");
  EXPECT_EQ(v.findings, std::vector<std::string>{"SUT-FAILED"});
  EXPECT_NE(v.sut_failure.find("exit code 3"), std::string::npos) << v.sut_failure;
  break_law("garbage");
  v = evaluate_sut_case(one_request(2), o, d.path + "/b");
  EXPECT_EQ(v.findings, std::vector<std::string>{"SUT-FAILED"});
  EXPECT_NE(v.sut_failure.find("metrics.json"), std::string::npos) << v.sut_failure;
  break_law("hang");
  o.sut.timeout_s = 1;
  v = evaluate_sut_case(one_request(2), o, d.path + "/c");
  EXPECT_NE(v.sut_failure.find("timed out"), std::string::npos) << v.sut_failure;
}

TEST(SutRun, DiffAgainstTheReferenceIsAFinding) {
  if (!have_python()) GTEST_SKIP() << "python3 missing: the fake simulator needs it";
  break_law("none");
  TempDir d;
  SutCampaignOptions o = fake_options(d);
  // Two simultaneous requests: the reference batches them, the fake serves them one by one.
  model::Case c = one_request(2);
  c.requests.push_back(c.requests[0]);
  const SutVerdict v = evaluate_sut_case(c, o, d.path + "/two");
  EXPECT_TRUE(v.failing.empty());
  ASSERT_FALSE(v.diff.differences.empty());
  EXPECT_NE(std::find(v.findings.begin(), v.findings.end(), "DIFF:ttft"), v.findings.end());
}

TEST(RealBlis, AHandfulOfCasesRunEndToEnd) {
  if (::access(kRealBlis.c_str(), X_OK) != 0) {
    GTEST_SKIP() << kRealBlis << " not built (BLIS_SRC=... bash scripts/get-blis.sh)";
  }
  TempDir d;
  SutCampaignOptions o;
  o.sut.binary = kRealBlis;
  o.work_dir = d.path;
  o.gen.max_requests = 6;
  o.cases = 6;
  o.jobs = 2;
  o.shrink = false;
  const SutCampaignResult r = run_sut_campaign(o);
  EXPECT_EQ(r.cases_run, 6);
  EXPECT_EQ(r.cases_expressible, 6);
  // BLIS runs and its outputs are read: a crash or an unreadable output would be SUT-FAILED.
  EXPECT_EQ(r.finding_cases.count("SUT-FAILED"), 0u);
  // Its timeline is read: one recorded PD case has the A5 transfer-at-step-start shape.
  const SutVerdict v = evaluate_sut_case(
      [] {
        model::Case c;
        c.config.num_instances = 2;
        c.config.prefill_instances = 1;
        c.config.decode_instances = 1;
        c.config.pd_decider = model::PdDecider::always;
        c.config.kv_bytes_per_token = 131072;
        c.config.beta = {1000, 0, 0};
        c.config.total_kv_blocks = 1000;
        model::TraceRequest q;
        q.input_len = 20;
        q.output_len = 3;
        c.requests = {q};
        return c;
      }(),
      o, d.path + "/pd");
  EXPECT_TRUE(v.sut_failure.empty()) << v.sut_failure;
  bool a5 = false;
  for (const auto& k : v.known) a5 = a5 || k.invariant == "LAW-TL-KV-READY";
  EXPECT_TRUE(a5) << "BLIS starts the KV transfer at the prefill step's start (A5)";
}

}  // namespace
}  // namespace simcheck::sut
