// `simcheck sim` end to end through the built binary: exit codes, the one-line error, no output
// file on failure, byte-identical reruns, --materialise, and the Appendix B numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

const fs::path kExamples = fs::path(SIMCHECK_SOURCE_DIR) / "corpus" / "examples";

using SimCommand = CliTest;

TEST_F(SimCommand, BadInputExitsTwoWithOneLineAndNoFile) {
  const std::string good_config = R"("alpha": [1, 0, 0], "beta": [10, 0, 0])";
  struct Bad {
    const char* name;
    std::string text;
    std::string expected_stderr_part;
  };
  const std::vector<Bad> bad = {
      {"pools.json",
       R"({"format": "simcheck-case/1", "config": {)" + good_config +
           R"(, "num_instances": 2, "prefill_instances": 3, "decode_instances": 1,
              "kv_bytes_per_token": 512}, "requests": []})",
       "pools.json: config.prefill_instances = 3: prefill + decode pools (4) exceed "
       "num_instances (2)"},
      {"syntax.json", "{\"format\": \"simcheck-case/1\",\n \"config\": }",
       "syntax.json: line 2, column 12: invalid JSON"},
      {"unknown.json",
       R"({"format": "simcheck-case/1", "config": {)" + good_config +
           R"(, "num_instance": 2}, "requests": []})",
       "unknown.json: config.num_instance = 2: unknown field"},
      {"type.json",
       R"({"format": "simcheck-case/1", "config": {)" + good_config +
           R"(}, "requests": [{"arrival_us": "0", "input_len": 1, "output_len": 1}]})",
       "type.json: requests[0].arrival_us = \"0\": must be an integer (found string)"},
  };
  for (const Bad& b : bad) {
    const fs::path in = write(b.name, b.text);
    const fs::path out = dir_ / "out.json";
    const CommandResult r = simcheck("sim " + quoted(in) + " -o " + quoted(out));
    EXPECT_EQ(r.exit_code, 2) << b.name;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("simcheck: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(b.expected_stderr_part), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_FALSE(fs::exists(out)) << b.name;
    fs::remove(in);
    EXPECT_TRUE(files().empty()) << "left behind: " << files().front();
  }
}

TEST_F(SimCommand, MissingCaseFileExitsTwo) {
  const CommandResult r =
      simcheck("sim " + quoted(dir_ / "absent.json") + " -o " + quoted(dir_ / "o.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("absent.json: cannot open"), std::string::npos) << r.err;
  EXPECT_TRUE(files().empty());
}

TEST_F(SimCommand, UnwritableOutputExitsTwo) {
  const CommandResult r = simcheck("sim " + quoted(kExamples / "b1_one_request.json") + " -o " +
                                   quoted(dir_ / "no" / "such" / "dir" / "o.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(files().empty());
}

TEST_F(SimCommand, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(simcheck("").exit_code, 2);     // a subcommand is required
  EXPECT_EQ(simcheck("sim").exit_code, 2);  // CASE is required
  EXPECT_EQ(simcheck("sim a.json --no-such-flag").exit_code, 2);
  EXPECT_EQ(simcheck("frobnicate").exit_code, 2);
  const CommandResult help = simcheck("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("sim"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes: 0"), std::string::npos) << help.out;
  const CommandResult sim_help = simcheck("sim --help");
  EXPECT_EQ(sim_help.exit_code, 0);
  EXPECT_NE(sim_help.out.find("--materialise"), std::string::npos) << sim_help.out;
  EXPECT_NE(sim_help.out.find("2 bad input"), std::string::npos) << sim_help.out;
}

TEST_F(SimCommand, SameCaseTwiceGivesIdenticalBytes) {
  // A generator case with least-loaded routing, PD off, on several instances, with the event log.
  std::string text = slurp(kExamples / "generator_two_clients.json");
  const std::string marker = "\"routing_policy\": \"least-loaded\"";
  ASSERT_NE(text.find(marker), std::string::npos);
  text.replace(text.find(marker), marker.size(), marker + ", \"record_events\": true");
  const fs::path in = write("gen.json", text);
  const fs::path a = dir_ / "a.json";
  const fs::path b = dir_ / "b.json";
  ASSERT_EQ(simcheck("sim " + quoted(in) + " -o " + quoted(a)).exit_code, 0);
  ASSERT_EQ(simcheck("sim " + quoted(in) + " -o " + quoted(b)).exit_code, 0);
  const std::string first = slurp(a);
  EXPECT_GT(first.size(), 1000u);
  EXPECT_NE(first.find("\"events\""), std::string::npos);
  EXPECT_EQ(first, slurp(b));
  // Without -o the same bytes go to stdout.
  const CommandResult to_stdout = simcheck("sim " + quoted(in));
  EXPECT_EQ(to_stdout.exit_code, 0);
  EXPECT_EQ(to_stdout.out, first);
  EXPECT_TRUE(to_stdout.err.empty());
  // The output file is readable by others like any output file (not mkstemp's 0600).
  EXPECT_NE(fs::status(a).permissions() & fs::perms::others_read, fs::perms::none);
}

TEST_F(SimCommand, MaterialisedCaseSimulatesIdentically) {
  const fs::path in = kExamples / "generator_two_clients.json";
  const fs::path flat = dir_ / "flat.json";
  ASSERT_EQ(simcheck("sim --materialise " + quoted(in) + " -o " + quoted(flat)).exit_code, 0);
  const auto flat_json = nlohmann::json::parse(slurp(flat));
  EXPECT_EQ(flat_json["format"], "simcheck-case/1");
  EXPECT_FALSE(flat_json.contains("workload"));
  ASSERT_EQ(flat_json["requests"].size(), 40u);
  EXPECT_EQ(flat_json["requests"][0]["id"], "request_0");
  EXPECT_TRUE(flat_json["requests"][0]["input"].is_array());
  // The explicit trace is the generated one, so the run is the same.
  const CommandResult original = simcheck("sim " + quoted(in));
  const CommandResult expanded = simcheck("sim " + quoted(flat));
  ASSERT_EQ(original.exit_code, 0);
  ASSERT_EQ(expanded.exit_code, 0);
  EXPECT_EQ(original.out, expanded.out);
}

// Appendix B numbers, hand-computed in the spec (the arithmetic is in the spec's tables).
nlohmann::json simulate_example(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST_F(SimCommand, AppendixB1) {
  const auto out = simulate_example(simcheck("sim " + quoted(kExamples / "b1_one_request.json")));
  const auto& a = out["aggregate"];
  // ttft = 120 + 1040 + 10; e2e = 1170 + 1060 + 1060; itl_avg = 2120 / 2; sim_ended = 3260.
  EXPECT_EQ(a["maps"]["ttft"]["A"], 1170.0);
  EXPECT_EQ(a["maps"]["e2e"]["A"], 3290.0);
  EXPECT_EQ(a["maps"]["itl_avg"]["A"], 1060.0);
  EXPECT_EQ(a["maps"]["completion_time"]["A"], 3290.0);
  EXPECT_EQ(a["counters"]["total_output_tokens"], 3);
  EXPECT_EQ(a["counters"]["ttft_sum"], 1170);
  EXPECT_EQ(a["counters"]["sim_ended"], 3260);
}

TEST_F(SimCommand, AppendixB2) {
  const auto out = simulate_example(simcheck("sim " + quoted(kExamples / "b2_disaggregated.json")));
  const auto& a = out["aggregate"];
  // T-PRIMARY 171 + 1060; E-PRIMARY 171 + 2120; ttft_sum = 1170 + 0 + (1231 - 1170).
  EXPECT_EQ(a["maps"]["ttft"]["A"], 1231.0);
  EXPECT_EQ(a["maps"]["e2e"]["A"], 2291.0);
  EXPECT_EQ(a["maps"]["sched_delay"]["A"], 120);
  EXPECT_EQ(a["maps"]["completion_time"]["A"], 2291.0);
  EXPECT_EQ(a["counters"]["ttft_sum"], 1231);
  EXPECT_EQ(a["counters"]["completed"], 1);  // 2 - 1 (conservation correction)
  EXPECT_EQ(a["counters"]["sim_ended"], 2271);
  ASSERT_EQ(out["parents"].size(), 1u);
  const auto& p = out["parents"][0];
  EXPECT_EQ(p["transfer_start_time"], 120);
  EXPECT_EQ(p["transfer_complete_time"], 171);  // 120 + ceil(50 + 16384 / 25000) = 120 + 51
  EXPECT_EQ(p["completion_time"], 1221);
  EXPECT_EQ(p["ttft_branch"], "T-PRIMARY");
  EXPECT_EQ(p["e2e_branch"], "E-PRIMARY");
  EXPECT_EQ(out["pd"]["pd_in_transfer"], 0);
}

TEST_F(SimCommand, AppendixB3) {
  const auto out = simulate_example(simcheck("sim " + quoted(kExamples / "b3_preemption.json")));
  const auto& a = out["aggregate"];
  EXPECT_EQ(a["counters"]["completed"], 2);
  EXPECT_EQ(a["counters"]["ttft_sum"], 436);  // 108 + 328
  EXPECT_EQ(a["counters"]["total_output_tokens"], 8);
  EXPECT_EQ(a["counters"]["preemption_count"], 1);
  EXPECT_EQ(a["counters"]["cache_hits"], 0);
  EXPECT_EQ(a["counters"]["cache_misses"], 5);
  EXPECT_EQ(a["counters"]["peak_kv_used"], 3);
  EXPECT_EQ(a["counters"]["sim_ended"], 668);
  EXPECT_EQ(a["maps"]["e2e"]["A"], 668.0);  // 108 + 560
  EXPECT_EQ(a["maps"]["e2e"]["B"], 448.0);  // 328 + 120
  EXPECT_EQ(a["maps"]["itl_avg"]["A"], 112.0);
  EXPECT_EQ(a["maps"]["sched_delay"]["B"], 218);
  EXPECT_EQ(a["all_itls"], nlohmann::json::parse("[120, 110, 110, 120, 110, 110]"));
}

}  // namespace
}  // namespace simcheck::cli_test
