// `simcheck export CASE --to blis DIR` end to end: the written trace reads back (with the BLIS
// trace reader) as the case's requests; the flags file holds §1.3 item 3's flags; a setting with
// no BLIS equivalent writes nothing unless --force; bad input exits 2 with one line.
#include "cli_fixture.h"
#include "io/blis_trace.h"
#include "io/case_reader.h"

namespace simcheck::cli_test {
namespace {

const char* kCase = R"({
  "format": "simcheck-case/1",
  "seed": 11,
  "config": {"num_instances": 3, "prefill_instances": 1, "decode_instances": 2,
             "pd_decider": "always", "kv_bytes_per_token": 131072,
             "alpha": [50, 0, 2], "beta": [800, 0, 0], "total_kv_blocks": 5000,
             "max_model_len": 4096, "horizon_us": 60000000},
  "requests": [
    {"id": "request_0", "arrival_us": 100, "input_len": 64, "output_len": 3,
     "prefix_group": "doc", "prefix_length": 48},
    {"id": "request_1", "arrival_us": 100, "input_len": 17, "output_len": 2},
    {"id": "request_2", "arrival_us": 250, "input_len": 80, "output_len": 5,
     "prefix_group": "doc", "prefix_length": 48, "deadline_us": 700000}
  ]
})";

using Export = CliTest;

TEST_F(Export, TraceReadsBackAsTheCaseRequests) {
  const std::string case_path = write("case.json", kCase);
  const std::string out = (dir_ / "blis").string();
  const auto r = simcheck("export " + case_path + " --to blis " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(3 requests)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("note: kv_bytes_per_token = 131072 has no flag"), std::string::npos);

  auto trace = io::read_blis_trace(out + "/trace.yaml", out + "/trace.csv");
  ASSERT_TRUE(std::holds_alternative<io::BlisTrace>(trace))
      << io::describe(std::get<io::InputError>(trace));
  auto back = io::to_trace_requests(std::get<io::BlisTrace>(trace), "h", "d");
  ASSERT_TRUE((std::holds_alternative<std::vector<model::TraceRequest>>(back)));
  const auto& got = std::get<std::vector<model::TraceRequest>>(back);
  const auto want = std::get<model::Case>(io::read_case(case_path)).requests;
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id);
    EXPECT_EQ(got[i].arrival_us, want[i].arrival_us);
    EXPECT_EQ(got[i].input_len, want[i].input_len);
    EXPECT_EQ(got[i].output_len, want[i].output_len);
    EXPECT_EQ(got[i].deadline_us, want[i].deadline_us);
    EXPECT_EQ(got[i].prefix_length, want[i].prefix_length);
    EXPECT_EQ(got[i].prefix_group.empty(), want[i].prefix_group.empty());
  }
  // §1.3 item 3: the constant-step profile and the settings exact comparison needs.
  const std::string flags = slurp(out + "/blis-flags.txt");
  for (const char* f :
       {"--latency-model=trained-physics", "--alpha-coeffs=50,0,2", "--beta-coeffs=0,0,0,0,0,0,800",
        "--snapshot-refresh-interval=0", "--horizon=60000000", "--total-kv-blocks=5000",
        "--max-model-len=4096", "--prefill-instances=1", "--decode-instances=2",
        "--pd-decider=always", "--pd-transfer-bandwidth=25", "--pd-transfer-base-latency=0.05",
        "--pd-transfer-contention=false", "--num-instances=3"}) {
    EXPECT_NE(flags.find(f), std::string::npos) << f << " not in " << flags;
  }
}

TEST_F(Export, NoEquivalentWritesNothingUnlessForced) {
  std::string text = kCase;
  text.replace(text.find("\"alpha\": [50, 0, 2]"), 19, "\"alpha\": [50, 1, 2]");
  const std::string case_path = write("case.json", text);
  const std::string out = (dir_ / "blis").string();
  auto r = simcheck("export " + case_path + " --to blis " + out);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no BLIS equivalent: alpha[1] = 1"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  r = simcheck("export " + case_path + " --to blis " + out + " --force");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: no BLIS equivalent (exported because of --force): alpha[1]"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::exists(out + "/trace.csv"));
}

// The shipped BLIS example has ids A and B: exported with them renamed request_0/1, the
// renamed case written beside the trace, and the renaming said.
TEST_F(Export, ShippedBlisExampleExportsWithRenamedIds) {
  const std::string example =
      std::string(SIMCHECK_SOURCE_DIR) + "/corpus/examples/blis_pd_two_requests.json";
  const CommandResult r = simcheck("export '" + example + "' --to blis out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("A -> request_0, B -> request_1"), std::string::npos) << r.out;
  auto renamed = io::read_case((dir_ / "out" / "case.json").string());
  ASSERT_TRUE(std::holds_alternative<model::Case>(renamed));
  const model::Case& c = std::get<model::Case>(renamed);
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[0].id, "request_0");
  EXPECT_EQ(c.requests[1].id, "request_1");
  EXPECT_TRUE(fs::exists(dir_ / "out" / "trace.csv"));
}

TEST_F(Export, BadInputExitsTwoWithOneLine) {
  const std::string case_path = write("case.json", kCase);
  for (const std::string& args :
       {"export " + case_path + " --to vidur " + (dir_ / "x").string(),
        "export " + write("bad.json", "{\"format\": 1}") + " --to blis " + (dir_ / "y").string(),
        "export " + case_path + " --to blis " + write("a-file", "not a directory")}) {
    const auto r = simcheck(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1) << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "x"));
  EXPECT_FALSE(fs::exists(dir_ / "y"));
}

}  // namespace
}  // namespace simcheck::cli_test
