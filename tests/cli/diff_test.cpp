// `simcheck diff` end to end: the reference against its own output (no difference, exit 0), a
// perturbed output (exit 1, the table names the request and the metric), the tolerance, a BLIS
// trace as the request source, and malformed input (exit 2, one line).
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

const char* kCase = R"({
  "format": "simcheck-case/1",
  "seed": 7,
  "config": {"num_instances": 2, "alpha": [100, 0, 7], "beta": [1000, 0, 0],
             "post_decode_fixed_overhead_us": 3},
  "requests": [
    {"id": "request_0", "arrival_us": 0, "input_len": 40, "output_len": 3,
     "prefix_group": "sys", "prefix_length": 32},
    {"id": "request_1", "arrival_us": 10, "input_len": 50, "output_len": 2},
    {"id": "request_2", "arrival_us": 20, "input_len": 36, "output_len": 4,
     "prefix_group": "sys", "prefix_length": 32, "deadline_us": 900000},
    {"id": "request_3", "arrival_us": 5000, "input_len": 20, "output_len": 1}
  ]
})";

class Diff : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    case_path_ = write("case.json", kCase);
    out_path_ = (dir_ / "out.json").string();
    const auto r = simcheck("sim " + case_path_ + " -o " + out_path_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The reference output with e2e[id] moved by delta µs.
  std::string perturbed(const std::string& id, double delta) {
    auto j = nlohmann::json::parse(slurp(out_path_));
    j["aggregate"]["maps"]["e2e"][id] = j["aggregate"]["maps"]["e2e"][id].get<double>() + delta;
    return write("perturbed.json", j.dump(2));
  }
  std::string case_path_, out_path_;
};

TEST_F(Diff, ReferenceAgainstItsOwnOutputIsTheSame) {
  const auto r = simcheck("diff " + case_path_ + " " + out_path_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("simcheck diff: 0 of 4 requests differ beyond 0 us; 0 counter(s) differ "
                       "-- SAME"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  e2e: 4 compared, 0 differ"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("First divergences"), std::string::npos);
}

TEST_F(Diff, PerturbedOutputNamesTheRequest) {
  const auto r = simcheck("diff " + case_path_ + " " + perturbed("request_2", 1));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("First divergences"), std::string::npos) << r.out;
  // The table row: request, metric, reference, other, |diff| = 1 µs.
  const auto row = r.out.find("\nrequest_2");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row + 1, r.out.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find("e2e"), std::string::npos) << line;
  EXPECT_EQ(line.substr(line.size() - 3), "  1") << line;
  EXPECT_NE(r.out.find("  e2e: 4 compared, 1 differ, max 1 at request_2"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 of 4 requests differ beyond 0 us"), std::string::npos);
  EXPECT_NE(r.out.find("DIFFERENT"), std::string::npos);
}

TEST_F(Diff, ToleranceIsInclusive) {
  const std::string p = perturbed("request_1", 5);
  EXPECT_EQ(simcheck("diff " + case_path_ + " " + p + " --tolerance-us 5").exit_code, 0);
  EXPECT_EQ(simcheck("diff " + case_path_ + " " + p + " --tolerance-us 4").exit_code, 1);
}

TEST_F(Diff, BlisTraceSuppliesTheRequests) {
  // The case exported to BLIS's trace format and read back as the request source gives the same
  // requests, hence the same reference output.
  const std::string exp = (dir_ / "exp").string();
  auto r = simcheck("export " + case_path_ + " --to blis " + exp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = simcheck("diff " + case_path_ + " " + out_path_ + " --trace-header " + exp +
               "/trace.yaml --trace-data " + exp + "/trace.csv");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("-- SAME"), std::string::npos) << r.out;
}

TEST_F(Diff, ComparesOnlyWhatBothSidesReport) {
  // BLIS replay results carry ttft, e2e and itl per request only: the rest is "not compared".
  auto j = nlohmann::json::parse(slurp(out_path_));
  nlohmann::json results = nlohmann::json::array();
  for (int k = 0; k < 4; ++k) {
    const std::string id = "request_" + std::to_string(k);
    results.push_back(
        {{"request_id", k},
         {"ttft_us", j["aggregate"]["maps"]["ttft"][id]},
         {"e2e_us", j["aggregate"]["maps"]["e2e"][id]},
         {"input_tokens", j["aggregate"]["maps"]["requests_meta"][id]["num_prefill_tokens"]},
         {"output_tokens", j["aggregate"]["maps"]["requests_meta"][id]["num_decode_tokens"]},
         {"itl_mean_us", j["aggregate"]["maps"]["itl_avg"][id]}});
  }
  const std::string replay = write("results.json", results.dump(2));
  const auto r = simcheck("diff " + case_path_ + " " + replay);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("not compared: sched_delay: not reported by the other output"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  ttft: 4 compared, 0 differ"), std::string::npos) << r.out;
}

TEST_F(Diff, MalformedInputExitsTwoWithOneLine) {
  for (const std::string& args :
       {"diff " + write("bad-case.json", "{") + " " + out_path_,
        "diff " + case_path_ + " " + write("bad-out.json", "[1,"),
        "diff " + case_path_ + " " + out_path_ + " --trace-header " + case_path_,
        "diff " + case_path_ + " " + (dir_ / "absent.json").string()}) {
    const auto r = simcheck(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace simcheck::cli_test
