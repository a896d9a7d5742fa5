// docs/formats.md "simcheck-case/1": io::parse_case accepts well-formed cases with §2 defaults and
// rejects every class of bad input with the right field path; io::write_case round-trips.
#include "io/case_reader.h"

#include <gtest/gtest.h>

#include <limits>

#include "io/case_writer.h"
#include "model/simulate.h"

namespace simcheck::io {
namespace {

const char* kMinimal = R"({
  "format": "simcheck-case/1",
  "config": {"alpha": [100, 1, 10], "beta": [1000, 2, 50]},
  "requests": [{"arrival_us": 0, "input_len": 20, "output_len": 3}]
})";

model::Case must_parse(const std::string& text) {
  CaseReadResult r = parse_case(text, "case.json");
  if (auto* e = std::get_if<InputError>(&r)) {
    ADD_FAILURE() << describe(*e);
    return {};
  }
  return std::get<model::Case>(r);
}

InputError must_fail(const std::string& text) {
  CaseReadResult r = parse_case(text, "case.json");
  if (!std::holds_alternative<InputError>(r)) {
    ADD_FAILURE() << "accepted: " << text;
    return {};
  }
  return std::get<InputError>(r);
}

// A case whose config and first request are given as JSON fragments.
std::string with(const std::string& config_extra, const std::string& request = "",
                 const std::string& top_extra = "") {
  std::string cfg = R"("alpha": [100, 1, 10], "beta": [1000, 2, 50])";
  if (!config_extra.empty()) cfg += ", " + config_extra;
  const std::string req =
      request.empty() ? R"({"arrival_us": 0, "input_len": 20, "output_len": 3})" : request;
  return R"({"format": "simcheck-case/1", "config": {)" + cfg + R"(}, "requests": [)" + req + "]" +
         (top_extra.empty() ? "" : ", " + top_extra) + "}";
}

TEST(CaseReader, MinimalCaseTakesTheSection2Defaults) {
  const model::Case c = must_parse(kMinimal);
  const model::Config d;
  EXPECT_EQ(c.seed, 42);
  EXPECT_EQ(c.config.horizon_us, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(c.config.num_instances, 1);
  EXPECT_EQ(c.config.total_kv_blocks, 1'000'000);
  EXPECT_EQ(c.config.block_size_tokens, 16);
  EXPECT_EQ(c.config.max_num_seqs, 256);
  EXPECT_EQ(c.config.max_num_batched_tokens, 2048);
  EXPECT_EQ(c.config.pd_transfer_bandwidth_gbps, 25.0);
  EXPECT_EQ(c.config.pd_transfer_base_latency_ms, 0.05);
  EXPECT_EQ(c.config.routing_policy, model::RoutingPolicy::round_robin);
  EXPECT_EQ(c.config.empty_step_rule, model::EmptyStepRule::one);
  EXPECT_EQ(c.config.driver, model::Driver::cluster);
  EXPECT_EQ(c.config.projection, model::ProjectionEra::current);
  EXPECT_EQ(c.config.alpha, (std::array<double, 3>{100, 1, 10}));
  EXPECT_EQ(c.config.beta, (std::array<double, 3>{1000, 2, 50}));
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].input_fill, model::TokenFill::random);
  EXPECT_EQ(c.requests[0].input_len, 20);
  EXPECT_EQ(c.requests[0].output_len, 3);
  EXPECT_FALSE(c.requests[0].max_output_len.has_value());
  EXPECT_TRUE(c.requests[0].id.empty());
}

TEST(CaseReader, WorkloadDefaultsAreBlisCliDefaults) {
  const model::Case c = must_parse(R"({"format": "simcheck-case/1", "seed": 3,
    "config": {"alpha": [0, 0, 0], "beta": [1, 0, 0]},
    "workload": {"aggregate_rate": 10, "max_requests": 4}})");
  ASSERT_TRUE(c.workload.has_value());
  ASSERT_EQ(c.workload->clients.size(), 1u);
  const model::Client& cl = c.workload->clients[0];
  EXPECT_EQ(cl.rate_fraction, 1.0);
  EXPECT_EQ(cl.arrival, model::ArrivalProcess::constant);
  EXPECT_EQ(cl.input_dist.kind, model::LengthKind::gaussian);
  EXPECT_EQ(cl.input_dist.mean, 512);
  EXPECT_EQ(cl.input_dist.sd, 256);
  EXPECT_EQ(cl.input_dist.min, 2);
  EXPECT_EQ(cl.output_dist.max, 7000);
}

struct Bad {
  const char* name;
  std::string text;
  const char* field;
  const char* message_part;
};

TEST(CaseReader, RejectsEveryClassWithItsField) {
  const std::vector<Bad> cases = {
      // Malformed JSON: position as line/column.
      {"syntax", "{\"format\": \"simcheck-case/1\",\n  \"config\": {\n    \"alpha\": [1, 2,, 3]",
       "line 3, column 20", "invalid JSON"},
      {"empty", "", "line 1, column 1", "invalid JSON"},
      {"not an object", "[1, 2]", "(document)", "must be an object"},
      {"double overflow", with(R"("kv_bytes_per_token": 1e400)"), "line 1, column",
       "number overflow"},
      {"duplicate key", with("", "", R"("seed": 1, "seed": 2)"), "", "duplicate key \"seed\""},
      // Wrong types.
      {"string for int", with(R"("num_instances": "2")"), "config.num_instances",
       "must be an integer (found string)"},
      {"float for int", with(R"("total_kv_blocks": 20.0)"), "config.total_kv_blocks",
       "no fraction or exponent"},
      {"exponent for int", with(R"("total_kv_blocks": 1e3)"), "config.total_kv_blocks",
       "no fraction or exponent"},
      {"int64 overflow", with(R"("total_kv_blocks": 9223372036854775808)"),
       "config.total_kv_blocks", "outside the int64 range"},
      {"huge literal", with(R"("horizon_us": 100000000000000000000)"), "config.horizon_us",
       "outside the int64 range"},
      {"int overflow", with(R"("num_instances": 3000000000)"), "config.num_instances",
       "outside the int range"},
      {"bool for int", with(R"("max_num_seqs": true)"), "config.max_num_seqs", "must be"},
      {"number for bool", with(R"("pd_transfer_contention": 1)"), "config.pd_transfer_contention",
       "true or false"},
      {"bad enum", with(R"("routing_policy": "random")"), "config.routing_policy",
       "must be one of"},
      {"alpha length",
       R"({"format": "simcheck-case/1", "config": {"alpha": [1, 2], "beta": [0, 0, 0]},
        "requests": []})",
       "config.alpha", "exactly 3 numbers"},
      {"beta string", R"({"format": "simcheck-case/1", "config": {"alpha": [1, 2, 3],
        "beta": [0, "Infinity", 0]}, "requests": []})",
       "config.beta[1]", "must be a number"},
      // Unknown and missing fields.
      {"unknown config key", with(R"("num_instance": 2)"), "config.num_instance", "unknown field"},
      {"unknown top key", with("", "", R"("extra": 1)"), "extra", "unknown field"},
      {"unknown quirk", with(R"("quirks": {"causal": true})"), "config.quirks.causal",
       "unknown field"},
      {"seed in config", with(R"("seed": 4)"), "config.seed", "top-level"},
      {"missing alpha", R"({"format": "simcheck-case/1", "config": {"beta": [0, 0, 0]},
        "requests": []})",
       "config.alpha", "required field is missing"},
      {"missing format", R"({"config": {"alpha": [0,0,0], "beta": [0,0,0]}, "requests": []})",
       "format", "required field is missing"},
      {"wrong format", R"({"format": "simcheck-case/2", "config": {"alpha": [0,0,0],
        "beta": [0,0,0]}, "requests": []})",
       "format", "simcheck-case/1"},
      {"admission policy", with(R"("admission_policy": "reject-all")"), "config.admission_policy",
       "always-admit"},
      {"neither trace nor workload",
       R"({"format": "simcheck-case/1", "config": {"alpha": [0,0,0], "beta": [0,0,0]}})",
       "requests", "required"},
      {"both trace and workload", with("", "", R"("workload": {"aggregate_rate": 1})"), "workload",
       "not both"},
      // Requests.
      {"missing arrival", with("", R"({"input_len": 2, "output_len": 1})"),
       "requests[0].arrival_us", "required field is missing"},
      {"missing input", with("", R"({"arrival_us": 0, "output_len": 1})"), "requests[0].input_len",
       "required"},
      {"list and length", with("", R"({"arrival_us": 0, "input": [1], "input_len": 1,
        "output_len": 1})"),
       "requests[0].input_len", "not both"},
      {"fill on a list", with("", R"({"arrival_us": 0, "input": [1], "input_fill": "zeros",
        "output_len": 1})"),
       "requests[0].input_fill", "explicit list"},
      {"bad fill", with("", R"({"arrival_us": 0, "input_len": 3, "input_fill": "ones",
        "output_len": 1})"),
       "requests[0].input_fill", "must be one of"},
      {"negative token", with("", R"({"arrival_us": 0, "input": [1, -1], "output_len": 1})"),
       "requests[0].input[1]", "[0, 2147483647]"},
      {"token too large", with("", R"({"arrival_us": 0, "input": [2147483648], "output_len": 1})"),
       "requests[0].input[0]", "[0, 2147483647]"},
      {"empty id", with("", R"({"id": "", "arrival_us": 0, "input_len": 1, "output_len": 1})"),
       "requests[0].id", "must not be empty"},
      {"unknown request key", with("", R"({"arrival_us": 0, "input_len": 1, "output_len": 1,
        "priority": 3})"),
       "requests[0].priority", "unknown field"},
      // Rules of model::validate_case, reported through the reader.
      {"zero size", with(R"("block_size_tokens": 0)"), "config.block_size_tokens", "must be in"},
      {"negative size", with(R"("max_num_batched_tokens": -4)"), "config.max_num_batched_tokens",
       "must be > 0"},
      {"pd pools", with(R"("num_instances": 2, "prefill_instances": 3, "decode_instances": 1,
        "kv_bytes_per_token": 512)"),
       "config.prefill_instances", "exceed num_instances (2)"},
      {"L = 0", with("", R"({"arrival_us": 0, "input_len": 0, "output_len": 1})"),
       "requests[0].input_len", "must be in [1,"},
      {"standalone with two", with(R"("num_instances": 2, "driver": "standalone")"),
       "config.driver", "standalone"},
      {"unsorted", with("", R"({"arrival_us": 5, "input_len": 1, "output_len": 1},
        {"arrival_us": 4, "input_len": 1, "output_len": 1})"),
       "requests[1].arrival_us", "non-decreasing"},
      // Workload.
      {"bad dist kind", R"({"format": "simcheck-case/1", "config": {"alpha": [0,0,0],
        "beta": [0,0,0]}, "workload": {"aggregate_rate": 5, "max_requests": 2,
        "clients": [{"input_dist": {"kind": "uniform"}}]}})",
       "workload.clients[0].input_dist.kind", "must be one of"},
      {"gaussian missing sd", R"({"format": "simcheck-case/1", "config": {"alpha": [0,0,0],
        "beta": [0,0,0]}, "workload": {"aggregate_rate": 5, "max_requests": 2,
        "clients": [{"output_dist": {"kind": "gaussian", "mean": 3, "min": 1, "max": 5}}]}})",
       "workload.clients[0].output_dist.sd", "required field is missing"},
      {"bad arrival", R"({"format": "simcheck-case/1", "config": {"alpha": [0,0,0],
        "beta": [0,0,0]}, "workload": {"aggregate_rate": 5, "max_requests": 2,
        "clients": [{"arrival": "bursty"}]}})",
       "workload.clients[0].arrival", "must be one of"},
      {"rate zero", R"({"format": "simcheck-case/1", "config": {"alpha": [0,0,0],
        "beta": [0,0,0]}, "workload": {"aggregate_rate": 0, "max_requests": 2}})",
       "workload.aggregate_rate", "> 0"},
  };
  for (const Bad& b : cases) {
    const InputError e = must_fail(b.text);
    EXPECT_EQ(e.file, "case.json") << b.name;
    if (std::string(b.field).rfind("line", 0) == 0) {
      EXPECT_EQ(e.field.rfind(b.field, 0), 0u) << b.name << ": " << describe(e);
    } else {
      EXPECT_EQ(e.field, b.field) << b.name << ": " << describe(e);
    }
    EXPECT_NE(e.message.find(b.message_part), std::string::npos) << b.name << ": " << describe(e);
  }
}

TEST(CaseReader, NaNAndInfinityStringsAreWrongTypes) {
  const InputError e = must_fail(
      R"({"format": "simcheck-case/1", "config": {"alpha": ["NaN", 0, 0], "beta": [0, 0, 0]},
          "requests": []})");
  EXPECT_EQ(e.field, "config.alpha[0]");
  EXPECT_EQ(e.value, "\"NaN\"");
  EXPECT_EQ(e.message, "must be a number (found string)");
}

TEST(CaseReader, DescribeIsOneLine) {
  const InputError e = must_fail(with(R"("num_instances": 2, "prefill_instances": 3,
      "decode_instances": 1, "kv_bytes_per_token": 512)"));
  EXPECT_EQ(describe(e),
            "case.json: config.prefill_instances = 3: prefill + decode pools (4) exceed "
            "num_instances (2)");
}

TEST(CaseReader, MissingFileIsAnError) {
  const CaseReadResult r = read_case("/nonexistent/dir/case.json");
  ASSERT_TRUE(std::holds_alternative<InputError>(r));
  EXPECT_EQ(std::get<InputError>(r).file, "/nonexistent/dir/case.json");
}

const char* kRich = R"({
  "format": "simcheck-case/1",
  "seed": -7,
  "config": {
    "horizon_us": 5000000, "num_instances": 4, "total_kv_blocks": 5000, "block_size_tokens": 8,
    "max_num_seqs": 3, "max_num_batched_tokens": 512, "long_prefill_token_threshold": 64,
    "max_model_len": 4000, "alpha": [100.5, 1, 10], "beta": [1000, 2.25, 50],
    "post_decode_fixed_overhead_us": 3, "empty_step_rule": "beta0", "admission_latency_us": 5,
    "routing_latency_us": 6, "routing_policy": "least-loaded", "least_loaded_tiebreak": "random",
    "admission_policy": "always-admit", "prefill_instances": 1, "decode_instances": 2,
    "pd_decider": "always", "pd_transfer_bandwidth_gbps": 0.5, "pd_transfer_base_latency_ms": 0,
    "pd_transfer_contention": true, "kv_bytes_per_token": 4096, "projection": "pre-1512",
    "quirks": {"stale_decode_deadline": false, "shared_pd_routing_policy": false},
    "record_events": true
  },
  "requests": [
    {"id": "a", "arrival_us": 0, "input": [1, 2, 3], "output": [4, 5], "max_output_len": 9,
     "deadline_us": 100},
    {"arrival_us": 3, "input_len": 40, "input_fill": "zeros", "output_len": 2,
     "output_fill": "zeros"},
    {"arrival_us": 3, "input_len": 40, "output_len": 5, "prefix_group": "sys",
     "prefix_length": 16}
  ]
})";

TEST(CaseWriter, RoundTripsThroughTheReader) {
  const model::Case c = must_parse(kRich);
  const std::string once = write_case(c);
  const model::Case again = must_parse(once);
  EXPECT_EQ(write_case(again), once);
  // Spot checks that the values survived (not only the bytes).
  EXPECT_EQ(again.seed, -7);
  EXPECT_EQ(again.config.alpha[0], 100.5);
  EXPECT_EQ(again.config.beta[1], 2.25);
  EXPECT_EQ(again.config.routing_policy, model::RoutingPolicy::least_loaded);
  EXPECT_EQ(again.config.projection, model::ProjectionEra::pre_1512);
  EXPECT_FALSE(again.config.quirks.stale_decode_deadline);
  EXPECT_FALSE(again.config.quirks.shared_pd_routing_policy);
  EXPECT_TRUE(again.config.quirks.detect_completion_at_step_start);
  EXPECT_TRUE(again.config.record_events);
  EXPECT_EQ(again.requests[0].input, (std::vector<model::Token>{1, 2, 3}));
  EXPECT_EQ(again.requests[0].max_output_len, 9);
  EXPECT_EQ(again.requests[1].input_fill, model::TokenFill::zeros);
  EXPECT_EQ(again.requests[2].prefix_group, "sys");
  EXPECT_EQ(again.requests[2].prefix_length, 16);
}

TEST(CaseWriter, OmitsDefaultsAndSortsKeys) {
  const std::string text = write_case(must_parse(kMinimal));
  EXPECT_EQ(text,
            "{\n"
            "  \"config\": {\n"
            "    \"alpha\": [100.0,1.0,10.0],\n"
            "    \"beta\": [1000.0,2.0,50.0]\n"
            "  },\n"
            "  \"format\": \"simcheck-case/1\",\n"
            "  \"requests\": [\n"
            "    {\n"
            "      \"arrival_us\": 0,\n"
            "      \"input_len\": 20,\n"
            "      \"output_len\": 3\n"
            "    }\n"
            "  ],\n"
            "  \"seed\": 42\n"
            "}\n");
}

TEST(CaseWriter, WorkloadRoundTrip) {
  const model::Case c = must_parse(R"({"format": "simcheck-case/1", "seed": 9,
    "config": {"alpha": [0, 0, 0], "beta": [1, 0, 0], "horizon_us": 1000000},
    "workload": {"aggregate_rate": 12.5, "clients": [
      {"rate_fraction": 2, "arrival": "poisson", "input_dist": {"kind": "constant", "value": 5},
       "output_dist": {"kind": "exponential", "mean": 4, "max": 9}, "prefix_group": "p",
       "timeout_us": 70},
      {"output_dist": {"kind": "gaussian", "mean": 10, "sd": 2, "min": 1, "max": 30},
       "prefix_group": "p", "prefix_length": 8}]}})");
  const std::string once = write_case(c);
  const model::Case again = must_parse(once);
  EXPECT_EQ(write_case(again), once);
  ASSERT_TRUE(again.workload.has_value());
  EXPECT_EQ(again.workload->aggregate_rate, 12.5);
  EXPECT_EQ(again.workload->clients[0].arrival, model::ArrivalProcess::poisson);
  EXPECT_EQ(again.workload->clients[0].output_dist.max, 9);
  EXPECT_EQ(again.workload->clients[1].prefix_length, 8);
  EXPECT_EQ(again.workload->clients[1].input_dist.mean, 512);  // default kept
  // The same case materialises to the same trace after the round trip.
  const model::Trace a = model::materialise(c);
  const model::Trace b = model::materialise(again);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].input, b[i].input);
}

TEST(CaseWriter, ExplicitCaseMaterialisesToTheSameTrace) {
  const model::Case c = must_parse(kRich);
  const model::Trace trace = model::materialise(c);
  const model::Case flat = must_parse(write_case(explicit_case(c, trace)));
  EXPECT_FALSE(flat.workload.has_value());
  const model::Trace again = model::materialise(flat);
  ASSERT_EQ(again.size(), trace.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(again[i].id, trace[i].id);
    EXPECT_EQ(again[i].arrival, trace[i].arrival);
    EXPECT_EQ(again[i].input, trace[i].input);
    EXPECT_EQ(again[i].output, trace[i].output);
    EXPECT_EQ(again[i].max_output_len, trace[i].max_output_len);
    EXPECT_EQ(again[i].deadline, trace[i].deadline);
  }
}

}  // namespace
}  // namespace simcheck::io
