// `simcheck check` on BLIS's recorded outputs (/work/shared/fixtures/blis-head): every fixture
// passes with the not-applicable checks listed; each mutation of a fixture is caught by the
// check it breaks, with the right witness; malformed input exits 2 with one line.
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

using CheckBlis = CliTest;

TEST_F(CheckBlis, EveryFixturePassesAndListsWhatIsNotApplicable) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  for (const std::string name : {"nonpd", "pd", "pd-poisson"}) {
    for (const std::string extra :
         {std::string(""), " --stdout " + fixture(name + ".stdout.txt"),
          " --stdout " + fixture(name + ".stdout.txt") +
              (name == "nonpd" ? "" : " --prefill-instances 2 --decode-instances 2")}) {
      const auto r = simcheck("check " + fixture(name + ".metrics.json") + extra);
      EXPECT_EQ(r.exit_code, 0) << name << extra << "\n" << r.out << r.err;
      EXPECT_NE(r.out.find(" 0 violated (0 gating)"), std::string::npos) << name << extra;
      EXPECT_NE(r.out.find("-- PASS"), std::string::npos);
      // What BLIS cannot support is listed with the field it lacks.
      EXPECT_NE(r.out.find("not applicable  INV-4  KV block conservation: instances"),
                std::string::npos)
          << r.out;
      EXPECT_NE(r.out.find("held            STAT-PERCENTILES"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("held            C-1"), std::string::npos);
      EXPECT_NE(r.out.find("held            REQ-RECORD-IDS"), std::string::npos);
    }
  }
}

TEST_F(CheckBlis, StdoutAloneAndReplayResultsAreDetected) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  auto r = simcheck("check " + fixture("pd.stdout.txt"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("not applicable  STAT-MEANS  Reported means: aggregate.maps not reported"),
            std::string::npos)
      << r.out;
  r = simcheck("check " + fixture("nonpd.replay-results.json"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("held            C-1"), std::string::npos);
  EXPECT_NE(r.out.find("STAT-MEANS  Reported means: aggregate.statistics not reported"),
            std::string::npos)
      << r.out;
}

// The metrics file with one textual edit, checked with its stdout.
struct Mutation {
  const char* fixture;
  const char* from;
  const char* to;
  const char* check_line;   // the VIOLATED line's start
  const char* witness;      // the witness line's start
  bool with_stdout = true;  // the stdout repeats the cluster statistics: a lone edit is refused
};

TEST_F(CheckBlis, MutationsAreCaughtByTheRightCheckWithTheRightWitness) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  const Mutation mutations[] = {
      // request_5: ttft 7.774 ms; its e2e lowered to 7.7 ms.
      {"nonpd", R"("e2e_ms": 262.491,)", R"("e2e_ms": 7.7,)", "VIOLATED        C-1 ",
       "    request_5: "},
      // request_7's record removed: 199 E2E records for 200 completions.
      {"nonpd",
       R"(    {
      "arrived_at": 0.08,
      "requestID": "request_7",
      "num_prefill_tokens": 276,
      "num_decode_tokens": 51,
      "ttft_ms": 9.174,
      "itl_ms": 3.25766,
      "e2e_ms": 172.057,
      "scheduling_delay_ms": 2.772,
      "handled_by": "instance_3",
      "round_index": 0
    },
)",
       "", "VIOLATED        C-3 ", "    (run): |keys(e2e)| = 199 != completed=200"},
      // p99 raised by 1 µs = 0.001 ms.
      {"nonpd", R"("e2e_p99_ms": 326.75536999999974,)", R"("e2e_p99_ms": 326.75636999999974,)",
       "VIOLATED        STAT-PERCENTILES ", "    (run): e2e_p99_ms", false},
      // request_7 renamed to request_6: two records for one id.
      {"nonpd", R"("requestID": "request_7",)", R"("requestID": "request_6",)",
       "VIOLATED        REQ-RECORD-IDS ", "    request_6: listed again"},
      // A sub-request id in a PD run's per-request list.
      {"pd", R"("requestID": "request_5",)", R"("requestID": "request_5_decode",)",
       "VIOLATED        REQ-ONE-RECORD ", "    request_5_decode: "},
  };
  for (const Mutation& m : mutations) {
    const std::string mutated =
        write(std::string(m.fixture) + "-mutated.metrics.json",
              replaced(slurp(fixture(std::string(m.fixture) + ".metrics.json")), m.from, m.to));
    const auto r = simcheck(
        "check " + mutated +
        (m.with_stdout ? " --stdout " + fixture(std::string(m.fixture) + ".stdout.txt") : ""));
    EXPECT_EQ(r.exit_code, 1) << m.check_line << "\n" << r.out << r.err;
    const auto at = r.out.find(m.check_line);
    ASSERT_NE(at, std::string::npos) << m.check_line << " not in\n" << r.out;
    // The witness is listed under that check's line: in the indented lines that follow it.
    std::size_t end = r.out.find('\n', at);
    while (end != std::string::npos && r.out.compare(end + 1, 4, "    ") == 0) {
      end = r.out.find('\n', end + 1);
    }
    const std::string block = r.out.substr(at, end - at);
    EXPECT_NE(block.find("\n" + std::string(m.witness)), std::string::npos)
        << m.witness << " not under\n"
        << block;
    EXPECT_NE(r.out.find("-- FAIL"), std::string::npos);
  }
}

TEST_F(CheckBlis, PartialOutputChecksCatchTheirMutations) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  // instance_0's input tokens raised by 1 in the stdout: the cluster's 50931 is no longer the
  // sum 13179 + 12544 + 12202 + 13006 = 50931 of the instances (it would be 50932).
  const std::string out = write("nonpd.stdout.txt", replaced(slurp(fixture("nonpd.stdout.txt")),
                                                             R"("total_input_tokens": 13179,)",
                                                             R"("total_input_tokens": 13180,)"));
  auto r = simcheck("check " + fixture("nonpd.metrics.json") + " --stdout " + out);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("VIOLATED        AGG-REPORTED-SUMS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(run): aggregate total_input_tokens=50931 != sum over instances = 50932"),
            std::string::npos)
      << r.out;

  // A PD run (metrics only: PD-ness unknown, C-3 cannot apply) with request_7's record removed:
  // 199 E2E records for 200 completions.
  const std::string pd = write("pd.metrics.json", replaced(slurp(fixture("pd.metrics.json")),
                                                           R"(    {
      "arrived_at": 0.08,
      "requestID": "request_7",
      "num_prefill_tokens": 237,
      "num_decode_tokens": 2,
      "ttft_ms": 4.363,
      "itl_ms": 3.054,
      "e2e_ms": 4.363,
      "scheduling_delay_ms": 0,
      "handled_by": "instance_3",
      "round_index": 0
    },
)",
                                                           ""));
  r = simcheck("check " + pd);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("not applicable  C-3  One entry per completed parent: pd not reported"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("VIOLATED        REQ-E2E-COUNT-BOUNDS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(run): |keys(e2e)| = 199 < completed=200"), std::string::npos) << r.out;
}

TEST_F(CheckBlis, CrossFileDisagreementIsBadInput) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  // The metrics file and the stdout print the same cluster block; an edit to one of them only is
  // refused rather than checked against a mix of two runs.
  const std::string mutated = write(
      "m.metrics.json", replaced(slurp(fixture("nonpd.metrics.json")),
                                 R"("e2e_p99_ms": 326.75536999999974,)", R"("e2e_p99_ms": 1,)"));
  const auto r = simcheck("check " + mutated + " --stdout " + fixture("nonpd.stdout.txt"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("cluster block.e2e_p99_ms"), std::string::npos) << r.err;
}

TEST_F(CheckBlis, RoundingNoiseIsNotAViolation) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  // 326.75537 is the exact decimal value of the p99 (§10.5 on integer µs: 326755 + 0.37);
  // BLIS printed the binary64 result 326.75536999999974. Either spelling is the same statistic.
  const std::string mutated =
      write("noise.metrics.json",
            replaced(slurp(fixture("nonpd.metrics.json")), R"("e2e_p99_ms": 326.75536999999974,)",
                     R"("e2e_p99_ms": 326.75537,)"));
  const auto r = simcheck("check " + mutated);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("held            STAT-PERCENTILES"), std::string::npos) << r.out;
}

TEST_F(CheckBlis, MalformedInputExitsTwoWithOneLine) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  const std::string text = slurp(fixture("nonpd.metrics.json"));
  const std::string cases[] = {
      text.substr(0, text.size() / 2),                                    // truncated
      replaced(text, R"("e2e_ms": 262.491,)", R"("e2e_ms": "fast",)"),    // wrong type
      replaced(text, R"("e2e_ms": 262.491,)", R"("e2e_ms": 262.4915,)"),  // sub-µs
      replaced(text, R"("completed_requests": 200,)", ""),                // missing field
  };
  for (const std::string& bad : cases) {
    const std::string path = write("bad.metrics.json", bad);
    const auto r = simcheck("check " + path + " --format blis");
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("bad.metrics.json"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  auto r = simcheck("check " + (dir_ / "absent.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  r = simcheck("check " + fixture("nonpd.metrics.json") + " --format nonsense");
  EXPECT_EQ(r.exit_code, 2);
  r = simcheck("check " + fixture("nonpd.metrics.json") + " --report xml out.xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
}

TEST_F(CheckBlis, ReportsAreWrittenAndParse) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  const std::string json = (dir_ / "r.json").string(), junit = (dir_ / "r.xml").string();
  const auto r =
      simcheck("check " + fixture("pd.metrics.json") + " --stdout " + fixture("pd.stdout.txt") +
               " --report json " + json + " --report junit " + junit);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto report = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(report["format"], "simcheck-report/1");
  const auto& suite = report["suites"][0];
  EXPECT_EQ(suite["totals"]["violated"], 0);
  EXPECT_GT(suite["totals"]["not_applicable"].get<int>(), 0);
  bool saw_reason = false;
  for (const auto& c : suite["checks"]) {
    if (c["id"] == "INV-PD-3") {
      EXPECT_EQ(c["status"], "not_applicable");
      EXPECT_EQ(c["reason"], "pd.transfers_initiated not reported");
      saw_reason = true;
    }
  }
  EXPECT_TRUE(saw_reason);
  const std::string xml = slurp(junit);
  EXPECT_NE(xml.find("<testsuites"), std::string::npos);
  EXPECT_NE(xml.find("failures=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"pd.transfers_initiated not reported\"/>"),
            std::string::npos);
}

TEST_F(CheckBlis, GatingViolationFailsTheJUnitReport) {
  SKIP_WITHOUT_BLIS_FIXTURES();
  const std::string mutated = write(
      "m.metrics.json",
      replaced(slurp(fixture("nonpd.metrics.json")), R"("e2e_ms": 262.491,)", R"("e2e_ms": 7.7,)"));
  const std::string junit = (dir_ / "r.xml").string();
  const auto r = simcheck("check " + mutated + " --report junit " + junit);
  ASSERT_EQ(r.exit_code, 1);
  const std::string xml = slurp(junit);
  EXPECT_NE(xml.find("<failure"), std::string::npos);
  EXPECT_NE(xml.find("request_5: "), std::string::npos);
}

}  // namespace
}  // namespace simcheck::cli_test
