// Spec §12.2, §1.3 items 3-4: BLIS trace reader/writer (on BLIS's recorded traces) and the case
// export (trace + flags + what has no equivalent).
#include "io/blis_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/blis_export.h"
#include "model/case_validation.h"

namespace simcheck::io {
namespace {

const std::string kFixtures = SIMCHECK_SOURCE_DIR "/../shared/fixtures/blis-head";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define REQUIRE_FIXTURES()                                        \
  if (!std::filesystem::exists(kFixtures + "/nonpd.trace.csv")) { \
    GTEST_SKIP() << "BLIS fixtures not found at " << kFixtures;   \
  }

TEST(BlisTrace, ReadsFixtureAndWritesItBackByteForByte) {
  REQUIRE_FIXTURES();
  for (const char* name : {"nonpd", "pd", "pd-poisson"}) {
    const std::string h = kFixtures + "/" + name + ".trace.yaml";
    const std::string d = kFixtures + "/" + name + ".trace.csv";
    auto result = read_blis_trace(h, d);
    ASSERT_TRUE(std::holds_alternative<BlisTrace>(result))
        << describe(std::get<InputError>(result));
    const BlisTrace& t = std::get<BlisTrace>(result);
    EXPECT_EQ(t.records.size(), 200u) << name;
    EXPECT_EQ(write_blis_trace_header(t), slurp(h)) << name;
    EXPECT_EQ(write_blis_trace_csv(t), slurp(d)) << name;
  }
}

TEST(BlisTrace, ReplayMappingOfTheFixture) {
  REQUIRE_FIXTURES();
  auto t = std::get<BlisTrace>(
      read_blis_trace(kFixtures + "/nonpd.trace.yaml", kFixtures + "/nonpd.trace.csv"));
  auto result = to_trace_requests(t, "h", "d");
  ASSERT_TRUE((std::holds_alternative<std::vector<model::TraceRequest>>(result)));
  const auto& reqs = std::get<std::vector<model::TraceRequest>>(result);
  ASSERT_EQ(reqs.size(), 200u);
  // Row 1: "0,distribution,,,,0,,0,false,280,63,...,300010000,0,10000,10000,..."
  EXPECT_EQ(reqs[0].id, "request_0");
  EXPECT_EQ(reqs[0].arrival_us, 10000);
  EXPECT_EQ(reqs[0].input_len, 280);
  EXPECT_EQ(reqs[0].output_len, 63);
  EXPECT_EQ(reqs[0].deadline_us, 300010000);
  EXPECT_TRUE(reqs[0].prefix_group.empty());
  EXPECT_EQ(reqs[0].input_fill, model::TokenFill::random);
}

const std::string kHeader =
    "trace_version: 3\ntime_unit: microseconds\nmode: generated\n"
    "warm_up_requests: 0\n";

std::string csv_rows(const std::vector<std::string>& rows) {
  std::string out;
  for (std::size_t i = 0; i < blis_trace_columns().size(); ++i) {
    out += (i ? "," : "") + blis_trace_columns()[i];
  }
  out += "\n";
  for (const auto& r : rows) out += r + "\n";
  return out;
}

// request_id,client_id,tenant_id,slo_class,session_id,round_index,prefix_group,prefix_length,
// streaming,input_tokens,output_tokens,text,image,audio,video,reason_ratio,model,deadline_us,
// server_input_tokens,arrival_time_us,send_time_us,first,last,num_chunks,status,error,finish
std::string row(int id, const std::string& group, int prefix_length, int input, int output,
                int arrival, int send = 0, int server_input = 0, const std::string& session = "",
                int image = 0) {
  return std::to_string(id) + ",c,,," + session + ",0," + group + "," +
         std::to_string(prefix_length) + ",false," + std::to_string(input) + "," +
         std::to_string(output) + ",0," + std::to_string(image) + ",0,0,0,,0," +
         std::to_string(server_input) + "," + std::to_string(arrival) + "," + std::to_string(send) +
         ",0,0,0,ok,,";
}

std::variant<std::vector<model::TraceRequest>, InputError> requests_of(
    const std::vector<std::string>& rows, const std::string& header = kHeader) {
  auto t = parse_blis_trace(NamedText{"h.yaml", header}, NamedText{"d.csv", csv_rows(rows)});
  if (auto* e = std::get_if<InputError>(&t)) return *e;
  return to_trace_requests(std::get<BlisTrace>(t), "h.yaml", "d.csv");
}

TEST(BlisTrace, PrefixGroupsFollowBlisReplay) {
  // Group "g": the first row with prefix_length > 0 gives P = 32; BLIS prepends those 32 tokens
  // to every member's input_tokens fresh tokens: L = 32 + 10 = 42 and 32 + 5 = 37.
  auto result = requests_of({row(0, "g", 0, 7, 1, 100), row(1, "g", 32, 10, 2, 200),
                             row(2, "g", 16, 5, 3, 300), row(3, "", 0, 9, 1, 400, 450, 12)});
  ASSERT_TRUE((std::holds_alternative<std::vector<model::TraceRequest>>(result)))
      << describe(std::get<InputError>(result));
  const auto& r = std::get<std::vector<model::TraceRequest>>(result);
  EXPECT_EQ(r[0].input_len, 39);  // 32 + 7: row 0 is in the group too
  EXPECT_EQ(r[0].prefix_length, 32);
  EXPECT_EQ(r[1].input_len, 42);
  EXPECT_EQ(r[2].input_len, 37);
  EXPECT_EQ(r[2].prefix_length, 32);  // the group's prefix, not the row's 16
  EXPECT_EQ(r[2].prefix_group, "g");
  // Row 3: no group, server_input_tokens 12 > 0 wins over input_tokens 9; send_time 450 > 0 is
  // the injection time.
  EXPECT_EQ(r[3].input_len, 12);
  EXPECT_EQ(r[3].arrival_us, 450);
}

TEST(BlisTrace, RowsAreSortedByArrivalStably) {
  auto result =
      requests_of({row(0, "", 0, 5, 1, 300), row(1, "", 0, 5, 1, 100), row(2, "", 0, 5, 1, 100)});
  const auto& r = std::get<std::vector<model::TraceRequest>>(result);
  EXPECT_EQ(r[0].id, "request_1");
  EXPECT_EQ(r[1].id, "request_2");
  EXPECT_EQ(r[2].id, "request_0");
}

TEST(BlisTrace, RejectsWhatTheReferenceCannotRun) {
  auto err = [](const std::variant<std::vector<model::TraceRequest>, InputError>& r) {
    EXPECT_TRUE(std::holds_alternative<InputError>(r));
    return std::holds_alternative<InputError>(r) ? std::get<InputError>(r) : InputError{};
  };
  InputError e = err(requests_of({row(0, "", 0, 5, 1, 0, 0, 0, "s1")}));
  EXPECT_EQ(e.file, "d.csv");
  EXPECT_NE(e.field.find("session_id"), std::string::npos);
  EXPECT_EQ(e.value, "s1");
  e = err(requests_of({row(0, "", 0, 5, 1, 0, 0, 0, "", 3)}));
  EXPECT_NE(e.message.find("multimodal"), std::string::npos);
  e = err(requests_of({row(0, "", 0, 0, 1, 0)}));
  EXPECT_NE(e.message.find("input token"), std::string::npos);
  e = err(requests_of({row(0, "", 0, 5, 0, 0)}));
  EXPECT_NE(e.message.find("output token"), std::string::npos);
  e = err(requests_of({row(0, "", 0, 5, 1, 0)}, "trace_version: 3\nwarm_up_requests: 2\n"));
  EXPECT_EQ(e.field, "warm_up_requests");
}

TEST(BlisTrace, MalformedFilesNameLineAndColumn) {
  auto parse_err = [](const std::string& header, const std::string& csv) {
    auto t = parse_blis_trace(NamedText{"h.yaml", header}, NamedText{"d.csv", csv});
    EXPECT_TRUE(std::holds_alternative<InputError>(t)) << csv.substr(0, 80);
    return std::holds_alternative<InputError>(t) ? std::get<InputError>(t) : InputError{};
  };
  std::string bad = row(0, "", 0, 5, 1, 0);
  bad.replace(bad.find(",5,"), 3, ",5x,");
  InputError e = parse_err(kHeader, csv_rows({bad}));
  EXPECT_EQ(e.field, "line 2 column input_tokens");
  EXPECT_EQ(e.value, "5x");
  e = parse_err(kHeader, csv_rows({row(0, "", 0, -5, 1, 0)}));
  EXPECT_EQ(e.message, "must be >= 0");
  e = parse_err(kHeader, csv_rows({row(0, "", 0, 5, 1, 0), row(0, "", 0, 5, 1, 0)}));
  EXPECT_EQ(e.message, "duplicate request_id");
  e = parse_err(kHeader, "request_id,input_tokens\n0,5\n");
  EXPECT_EQ(e.field, "line 1 column output_tokens");
  e = parse_err(kHeader, csv_rows({"0,\"unterminated"}));
  EXPECT_EQ(e.message, "unterminated quoted field");
  e = parse_err(kHeader, csv_rows({"0,a\"b"}));
  EXPECT_EQ(e.message, "bare quote in an unquoted field");
  e = parse_err(kHeader, csv_rows({"0,c"}));  // short row
  EXPECT_NE(e.message.find("row has only"), std::string::npos);
  e = parse_err("time_unit: microseconds\n", csv_rows({}));
  EXPECT_EQ(e.field, "trace_version");
  e = parse_err("trace_version: 3\ntime_unit: seconds\n", csv_rows({}));
  EXPECT_EQ(e.field, "time_unit");
  e = parse_err("trace_version: 3\nthis is not yaml\n", csv_rows({}));
  EXPECT_EQ(e.file, "h.yaml");
}

TEST(BlisTrace, QuotedFieldsRoundTrip) {
  BlisTrace t;
  t.header = {{"trace_version", "3"}};
  BlisTraceRecord r;
  r.prefix_group = "a,\"b\"";
  r.prefix_length = 4;
  r.input_tokens = 1;
  r.output_tokens = 1;
  t.records.push_back(r);
  auto back = parse_blis_trace(NamedText{"h", write_blis_trace_header(t)},
                               NamedText{"d", write_blis_trace_csv(t)});
  ASSERT_TRUE(std::holds_alternative<BlisTrace>(back)) << describe(std::get<InputError>(back));
  EXPECT_EQ(std::get<BlisTrace>(back).records.at(0).prefix_group, "a,\"b\"");
}

TEST(BlisTrace, HeaderScalarsRoundTrip) {
  // Quoted scalars, comments and values that would change if written bare.
  const std::string header =
      "trace_version: 3\nmode: 'replayed'\nnote: \" spaced  \"\nx: a #comment\n"
      "y: \"b #not a comment\"\nz: \"'q'\"\nempty:\n";
  auto t = parse_blis_trace(NamedText{"h", header}, NamedText{"d", csv_rows({})});
  ASSERT_TRUE(std::holds_alternative<BlisTrace>(t)) << describe(std::get<InputError>(t));
  const auto& h = std::get<BlisTrace>(t).header;
  ASSERT_EQ(h.size(), 7u);
  EXPECT_EQ(h[1].second, "replayed");
  EXPECT_EQ(h[2].second, " spaced  ");
  EXPECT_EQ(h[3].second, "a");
  EXPECT_EQ(h[4].second, "b #not a comment");
  EXPECT_EQ(h[5].second, "'q'");
  EXPECT_EQ(h[6].second, "");
  // Writing and reading again gives the same header (the fuzzer's fixpoint).
  const std::string written = write_blis_trace_header(std::get<BlisTrace>(t));
  auto again = parse_blis_trace(NamedText{"h2", written}, NamedText{"d", csv_rows({})});
  ASSERT_TRUE(std::holds_alternative<BlisTrace>(again));
  EXPECT_EQ(std::get<BlisTrace>(again).header, h);
}

TEST(BlisTrace, HugeCountsAreRejectedNotOverflowed) {
  auto t = parse_blis_trace(
      NamedText{"h", kHeader},
      NamedText{"d", csv_rows({row(0, "g", 10, 1, 1, 0),
                               "1,c,,,,0,g,0,false,9223372036854775807,1,0,0,0,0,0,,0,0,0,0,0,0,0,"
                               "ok,,"})});
  ASSERT_TRUE(std::holds_alternative<BlisTrace>(t)) << describe(std::get<InputError>(t));
  auto r = to_trace_requests(std::get<BlisTrace>(t), "h", "d");
  ASSERT_TRUE(std::holds_alternative<InputError>(r));
  EXPECT_NE(std::get<InputError>(r).message.find("overflow"), std::string::npos);
  auto too_big = parse_blis_trace(
      NamedText{"h", kHeader},
      NamedText{"d", csv_rows({"0,c,,,,0,,0,false,99999999999999999999,1,0,0,0,0,0,,0,0,0,0,0,0,"
                               "0,ok,,"})});
  ASSERT_TRUE(std::holds_alternative<InputError>(too_big));
  EXPECT_EQ(std::get<InputError>(too_big).field, "line 2 column input_tokens");
}

// ---- export ----

model::Case grouped_case() {
  model::Case c;
  c.seed = 5;
  c.config.num_instances = 2;
  c.config.block_size_tokens = 16;
  c.config.alpha = {100, 0, 7};
  c.config.beta = {1000, 0, 0};
  c.config.post_decode_fixed_overhead_us = 3;
  c.config.horizon_us = 5'000'000;
  auto req = [](std::string id, int64_t at, int64_t in, int64_t out, std::string group,
                int64_t prefix, int64_t deadline) {
    model::TraceRequest r;
    r.id = std::move(id);
    r.arrival_us = at;
    r.input_len = in;
    r.output_len = out;
    r.prefix_group = std::move(group);
    r.prefix_length = prefix;
    r.deadline_us = deadline;
    return r;
  };
  c.requests = {req("request_0", 0, 40, 3, "sys", 32, 0), req("request_1", 10, 50, 2, "", 0, 0),
                req("request_2", 20, 36, 4, "sys", 32, 90000),
                req("request_3", 20, 20, 1, "", 0, 0)};
  return c;
}

TEST(BlisExport, TraceReadsBackAsTheSameRequests) {
  const model::Case c = grouped_case();
  ASSERT_FALSE(model::validate_case(c));
  const BlisExport ex = export_to_blis(c);
  EXPECT_TRUE(ex.not_equivalent.empty()) << ex.not_equivalent.front();
  auto back = parse_blis_trace(NamedText{"h", write_blis_trace_header(ex.trace)},
                               NamedText{"d", write_blis_trace_csv(ex.trace)});
  ASSERT_TRUE(std::holds_alternative<BlisTrace>(back));
  auto reqs = to_trace_requests(std::get<BlisTrace>(back), "h", "d");
  ASSERT_TRUE((std::holds_alternative<std::vector<model::TraceRequest>>(reqs)));
  const auto& r = std::get<std::vector<model::TraceRequest>>(reqs);
  ASSERT_EQ(r.size(), c.requests.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto& want = c.requests[i];
    EXPECT_EQ(r[i].id, want.id);
    EXPECT_EQ(r[i].arrival_us, want.arrival_us);
    EXPECT_EQ(r[i].input_len, want.input_len) << want.id;
    EXPECT_EQ(r[i].output_len, want.output_len);
    EXPECT_EQ(r[i].deadline_us, want.deadline_us);
    EXPECT_EQ(r[i].prefix_length, want.prefix_length) << want.id;
    EXPECT_EQ(r[i].prefix_group.empty(), want.prefix_group.empty());
  }
  // request_0 in group g0: input_tokens = 40 - 32 = 8 fresh tokens after the 32 shared ones.
  EXPECT_EQ(ex.trace.records[0].prefix_group, "g0");
  EXPECT_EQ(ex.trace.records[0].input_tokens, 8);
  EXPECT_EQ(ex.trace.records[2].prefix_group, "g0");
}

TEST(BlisExport, FlagsFollowSection1_3) {
  const BlisExport ex = export_to_blis(grouped_case());
  const std::string flags = join_flags(ex.flags);
  for (const char* want :
       {"--latency-model=trained-physics", "--alpha-coeffs=100,3,7",
        "--beta-coeffs=0,0,0,0,0,0,1000", "--snapshot-refresh-interval=0", "--horizon=5000000",
        "--total-kv-blocks=1000000", "--max-model-len=0", "--block-size-in-tokens=16",
        "--num-instances=2", "--routing-policy=round-robin", "--seed=5"}) {
    EXPECT_NE(flags.find(want), std::string::npos) << want << " not in " << flags;
  }
  EXPECT_EQ(flags.find("--prefill-instances"), std::string::npos);  // not PD
}

// BLIS names replayed requests request_<n>: the case is exported with request i renamed
// request_<i>, the renamed case is returned (ids order detection, §9.4) and the caveat lists the
// renaming.
TEST(BlisExport, RenamesIdsBlisCannotName) {
  model::Case c = grouped_case();
  c.requests[0].id = "A";
  c.requests[1].id = "request_0";  // kept ids are renamed too, so nothing collides
  const BlisExport ex = export_to_blis(c);
  EXPECT_TRUE(ex.not_equivalent.empty()) << ex.not_equivalent.front();
  ASSERT_TRUE(ex.renamed_case.has_value());
  ASSERT_EQ(ex.renamed_ids.size(), c.requests.size());
  EXPECT_EQ(ex.renamed_ids[0], (std::pair<std::string, std::string>{"A", "request_0"}));
  EXPECT_EQ(ex.renamed_ids[1], (std::pair<std::string, std::string>{"request_0", "request_1"}));
  for (std::size_t i = 0; i < c.requests.size(); ++i) {
    EXPECT_EQ(ex.renamed_case->requests[i].id, "request_" + std::to_string(i));
  }
  ASSERT_FALSE(ex.caveats.empty());
  EXPECT_NE(ex.caveats[0].find("A -> request_0, request_0 -> request_1"), std::string::npos)
      << ex.caveats[0];
  // The trace is the renamed case's export.
  const BlisExport again = export_to_blis(*ex.renamed_case);
  EXPECT_FALSE(again.renamed_case.has_value());
  EXPECT_EQ(write_blis_trace_csv(again.trace), write_blis_trace_csv(ex.trace));
}

TEST(BlisExport, ReportsWhatHasNoEquivalent) {
  auto blocked_with = [](auto mutate) {
    model::Case c = grouped_case();
    mutate(c);
    auto invalid = model::validate_case(c);
    EXPECT_FALSE(invalid) << invalid->field << ": " << invalid->message;
    return export_to_blis(c).not_equivalent;
  };
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::any_of(v.begin(), v.end(),
                       [&](const std::string& x) { return x.find(s) != std::string::npos; });
  };
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) { c.config.alpha[1] = 2; }), "alpha[1]"));
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) { c.config.beta[2] = 1; }), "beta"));
  EXPECT_TRUE(contains(
      blocked_with([](model::Case& c) { c.config.empty_step_rule = model::EmptyStepRule::beta0; }),
      "empty_step_rule"));
  // beta0 rule with trunc(β0) <= 1 charges 1 µs like BLIS: equivalent.
  EXPECT_TRUE(blocked_with([](model::Case& c) {
                c.config.empty_step_rule = model::EmptyStepRule::beta0;
                c.config.beta[0] = 1.5;
              }).empty());
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) {
                         c.config.prefill_instances = 1;
                         c.config.decode_instances = 1;
                         c.config.kv_bytes_per_token = 64;
                         c.config.pd_transfer_bandwidth_gbps = 0;
                       }),
                       "bandwidth"));
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) {
                         c.config.driver = model::Driver::standalone;
                         c.config.num_instances = 1;
                       }),
                       "standalone"));
  // A non-request_<n> id is renamed, not blocked (RenamesIdsBlisCannotName).
  EXPECT_TRUE(blocked_with([](model::Case& c) { c.requests[1].id = "r1"; }).empty());
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) { c.requests[1].max_output_len = 9; }),
                       "max_output_len"));
  // Zero-filled prompts of 40 and 50 tokens share 40 tokens = 2 full blocks, and a third of 20
  // shares 20 = 1 full block: no single BLIS prefix gives both.
  EXPECT_TRUE(contains(blocked_with([](model::Case& c) {
                         for (auto& r : c.requests) {
                           r.prefix_group.clear();
                           r.prefix_length = 0;
                           r.input_fill = model::TokenFill::zeros;
                         }
                       }),
                       "leading input tokens"));
}

TEST(BlisExport, PdFlagsAndCaveats) {
  model::Case c = grouped_case();
  c.config.num_instances = 2;
  c.config.prefill_instances = 1;
  c.config.decode_instances = 1;
  c.config.kv_bytes_per_token = 131072;
  c.config.pd_decider = model::PdDecider::always;
  c.config.routing_policy = model::RoutingPolicy::least_loaded;
  ASSERT_FALSE(model::validate_case(c));
  const BlisExport ex = export_to_blis(c);
  EXPECT_TRUE(ex.not_equivalent.empty());
  const std::string flags = join_flags(ex.flags);
  for (const char* want : {"--prefill-instances=1", "--decode-instances=1", "--pd-decider=always",
                           "--pd-transfer-bandwidth=25", "--pd-transfer-base-latency=0.05",
                           "--pd-transfer-contention=false", "--routing-policy=least-loaded"}) {
    EXPECT_NE(flags.find(want), std::string::npos) << want;
  }
  ASSERT_EQ(ex.caveats.size(), 2u);  // least-loaded ties, kv bytes per token
}

}  // namespace
}  // namespace simcheck::io
