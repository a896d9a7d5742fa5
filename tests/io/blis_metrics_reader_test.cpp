// Spec §10.6, docs/oracle.md: the BLIS metrics/stdout adapter on BLIS's recorded outputs
// (/work/shared/fixtures/blis-head) and on malformed inputs. Expected numbers are read off the
// fixture files by hand (the literal and its exact µs value are written next to each assertion).
#include "io/blis_metrics_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/blis_replay_reader.h"

namespace simcheck::io {
namespace {

const std::string kFixtures = SIMCHECK_SOURCE_DIR "/../shared/fixtures/blis-head";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define REQUIRE_FIXTURES()                                           \
  if (!std::filesystem::exists(kFixtures + "/nonpd.metrics.json")) { \
    GTEST_SKIP() << "BLIS fixtures not found at " << kFixtures;      \
  }

model::RunOutput read_ok(const std::string& name, bool with_stdout, BlisReadOptions options = {}) {
  auto result = read_blis_output(
      kFixtures + "/" + name + ".metrics.json",
      with_stdout ? std::optional<std::string>(kFixtures + "/" + name + ".stdout.txt")
                  : std::nullopt,
      options);
  if (auto* e = std::get_if<InputError>(&result)) {
    ADD_FAILURE() << describe(*e);
    return {};
  }
  return std::get<model::RunOutput>(result);
}

TEST(BlisMetricsReader, NonPdAggregateAndRequests) {
  REQUIRE_FIXTURES();
  const model::RunOutput out = read_ok("nonpd", false);
  EXPECT_EQ(out.source, "blis");
  const auto& c = out.aggregate.counters;
  EXPECT_EQ(c.completed, 200);
  EXPECT_EQ(c.total_input_tokens, 50931);
  EXPECT_EQ(c.total_output_tokens, 12746);
  EXPECT_EQ(c.sim_ended, 2269100);  // "vllm_estimated_duration_s": 2.2691 s = 2269100 µs
  EXPECT_EQ(out.aggregate.statistics.injected_requests, 200);
  EXPECT_EQ(out.aggregate.statistics.e2e_p99_ms, 326.75536999999974);
  ASSERT_EQ(out.aggregate.maps.e2e.size(), 200u);
  // request_0: "ttft_ms": 6.46 -> 6460 µs, "e2e_ms": 211.748 -> 211748 µs, arrived_at 0.01 s.
  EXPECT_EQ(out.aggregate.maps.ttft.at("request_0"), 6460.0);
  EXPECT_EQ(out.aggregate.maps.e2e.at("request_0"), 211748.0);
  EXPECT_EQ(out.aggregate.maps.sched_delay.at("request_0"), 0);
  EXPECT_EQ(out.aggregate.maps.itl_avg.at("request_0"), 3311.0967741935484);
  // request_4: "scheduling_delay_ms": 0.076 -> 76 µs.
  EXPECT_EQ(out.aggregate.maps.sched_delay.at("request_4"), 76);
  const auto& meta = out.aggregate.maps.requests_meta.at("request_1");
  EXPECT_EQ(meta.arrived_at_s, 0.02);
  EXPECT_EQ(meta.num_prefill_tokens, 438);
  EXPECT_EQ(meta.num_decode_tokens, 67);
  EXPECT_EQ(meta.handled_by, "instance_1");
  ASSERT_TRUE(out.request_record_ids);
  EXPECT_EQ(out.request_record_ids->size(), 200u);
  EXPECT_EQ(out.request_record_ids->front(), "request_0");
  // Without the stdout nothing is known per instance, nor whether the run was PD.
  EXPECT_TRUE(out.instances.empty());
  EXPECT_TRUE(out.missing_fields.count("instances"));
  EXPECT_TRUE(out.missing_fields.count("pd"));
  EXPECT_FALSE(out.missing_fields.count("aggregate.maps.sched_delay"));  // every request done
  EXPECT_FALSE(out.pd);
  EXPECT_FALSE(out.aggregate.maps.completion_time);
}

TEST(BlisMetricsReader, ItlAverageRecoversBlisMicrosecondDouble) {
  REQUIRE_FIXTURES();
  // BLIS printed itl_ms = RN(a / 1000) of its µs mean a; its replay results print a itself
  // ("itl_mean_us"). The reader must give back exactly a for every request (the nearest double to
  // the literal's µs value is one ulp off for about one request in ten).
  const model::RunOutput out = read_ok("nonpd", false);
  auto replay = read_blis_replay_results(kFixtures + "/nonpd.replay-results.json");
  ASSERT_TRUE(std::holds_alternative<model::RunOutput>(replay))
      << describe(std::get<InputError>(replay));
  const auto& truth = std::get<model::RunOutput>(replay).aggregate.maps.itl_avg;
  ASSERT_EQ(truth.size(), 200u);
  for (const auto& [id, a] : truth) {
    EXPECT_EQ(out.aggregate.maps.itl_avg.at(id), a) << id;
  }
}

TEST(BlisMetricsReader, ReplayResultsReader) {
  REQUIRE_FIXTURES();
  auto replay = read_blis_replay_results(kFixtures + "/pd.replay-results.json");
  ASSERT_TRUE(std::holds_alternative<model::RunOutput>(replay));
  const auto& out = std::get<model::RunOutput>(replay);
  // {"request_id": 2, "ttft_us": 4869, "e2e_us": 7926, "input_tokens": 322, "output_tokens": 3}
  EXPECT_EQ(out.aggregate.maps.ttft.at("request_2"), 4869.0);
  EXPECT_EQ(out.aggregate.maps.e2e.at("request_2"), 7926.0);
  EXPECT_EQ(out.aggregate.maps.requests_meta.at("request_2").num_prefill_tokens, 322);
  EXPECT_TRUE(out.missing_fields.count("aggregate.counters"));
  EXPECT_TRUE(out.missing_fields.count("aggregate.maps.sched_delay"));
  EXPECT_TRUE(looks_like_blis_replay_results(slurp(kFixtures + "/pd.replay-results.json")));
  EXPECT_FALSE(looks_like_blis_replay_results(slurp(kFixtures + "/pd.metrics.json")));
  auto bad = parse_blis_replay_results(NamedText{"r.json", R"([{"request_id": "x"}])"});
  ASSERT_TRUE(std::holds_alternative<InputError>(bad));
  EXPECT_EQ(std::get<InputError>(bad).field, "[0].request_id");
}

TEST(BlisMetricsReader, NonPdInstanceMapsFollowHandledBy) {
  REQUIRE_FIXTURES();
  // Without PD the aggregate maps are the instances' merged (§10.2): request_1 was handled by
  // instance_1 ("handled_by": "instance_1"), so it sits in instance_1's maps only.
  const model::RunOutput out = read_ok("nonpd", true);
  EXPECT_FALSE(out.missing_fields.count("instances.maps"));
  EXPECT_EQ(out.instances[1].maps.e2e.at("request_1"), 224564.0);  // "e2e_ms": 224.564
  EXPECT_EQ(out.instances[0].maps.e2e.count("request_1"), 0u);
  std::size_t total = 0;
  for (const auto& inst : out.instances) total += inst.maps.requests_meta.size();
  EXPECT_EQ(total, 200u);
  // No length-capped request is counted, so every flag is known to be false.
  EXPECT_FALSE(out.missing_fields.count("aggregate.maps.requests_meta.length_capped"));
}

TEST(BlisMetricsReader, NonPdStdoutGivesInstances) {
  REQUIRE_FIXTURES();
  const model::RunOutput out = read_ok("nonpd", true);
  ASSERT_EQ(out.instances.size(), 4u);
  EXPECT_EQ(out.instances[0].id, "instance_0");
  EXPECT_EQ(out.instances[0].counters.completed, 50);
  EXPECT_EQ(out.instances[0].counters.total_input_tokens, 13179);
  EXPECT_EQ(out.instances[0].counters.sim_ended, 2184646);  // 2.184646 s
  ASSERT_TRUE(out.instances[3].statistics);
  EXPECT_EQ(out.instances[3].statistics->ttft_p99_ms, 11.48776);
  EXPECT_EQ(out.instances[2].role, model::Role::none);
  EXPECT_FALSE(out.pd);  // no PD section: not a PD run
  EXPECT_FALSE(out.missing_fields.count("pd"));
  EXPECT_FALSE(out.missing_fields.count("instances.role"));
  EXPECT_TRUE(out.missing_fields.count("instances.end_state"));
}

TEST(BlisMetricsReader, PdRolesOnlyFromPoolSizes) {
  REQUIRE_FIXTURES();
  const model::RunOutput unknown = read_ok("pd", true);
  ASSERT_TRUE(unknown.pd);
  EXPECT_TRUE(unknown.missing_fields.count("instances.role"));
  EXPECT_TRUE(unknown.missing_fields.count("pd.pd_prefill_completed"));
  EXPECT_TRUE(unknown.missing_fields.count("pd.dropped_at_decode_kv"));

  const model::RunOutput known = read_ok("pd", true, BlisReadOptions{2, 2});
  ASSERT_EQ(known.instances.size(), 4u);
  EXPECT_EQ(known.instances[0].role, model::Role::prefill);
  EXPECT_EQ(known.instances[1].role, model::Role::prefill);
  EXPECT_EQ(known.instances[2].role, model::Role::decode);
  EXPECT_EQ(known.instances[3].role, model::Role::decode);
  ASSERT_TRUE(known.pd);
  // Prefill instances completed 106 + 94 = 200 prefill sub-requests.
  EXPECT_EQ(known.pd->pd_prefill_completed, 200);
  EXPECT_FALSE(known.missing_fields.count("instances.role"));
  // PD parents are keyed by the parent id and handled by a decode instance.
  EXPECT_EQ(known.aggregate.maps.requests_meta.at("request_0").handled_by, "instance_3");
  EXPECT_EQ(known.aggregate.maps.e2e.at("request_2"), 7926.0);  // "e2e_ms": 7.926
}

TEST(BlisMetricsReader, StdoutAloneGivesAggregateWithoutMaps) {
  REQUIRE_FIXTURES();
  auto result = read_blis_output(std::nullopt, kFixtures + "/pd-poisson.stdout.txt", {});
  ASSERT_TRUE(std::holds_alternative<model::RunOutput>(result))
      << describe(std::get<InputError>(result));
  const auto& out = std::get<model::RunOutput>(result);
  EXPECT_EQ(out.aggregate.counters.completed, 200);
  EXPECT_EQ(out.aggregate.counters.total_input_tokens, 106739);
  EXPECT_TRUE(out.missing_fields.count("aggregate.maps"));
  EXPECT_TRUE(out.missing_fields.count("aggregate.counters.cache_hit_rate"));
  EXPECT_FALSE(out.request_record_ids);
}

TEST(BlisMetricsReader, FormatSniffing) {
  REQUIRE_FIXTURES();
  EXPECT_TRUE(looks_like_blis_metrics(slurp(kFixtures + "/pd.metrics.json")));
  EXPECT_FALSE(looks_like_blis_metrics(slurp(kFixtures + "/pd.stdout.txt")));
  EXPECT_TRUE(looks_like_blis_stdout(slurp(kFixtures + "/pd.stdout.txt")));
  EXPECT_FALSE(looks_like_blis_stdout(slurp(kFixtures + "/pd.metrics.json")));
  EXPECT_FALSE(looks_like_blis_metrics(R"({"format": "simcheck-run/1"})"));
}

// --- malformed inputs: an error naming file, field and value; never a crash ---

const char* kMinimalBlock = R"("instance_id": "cluster", "completed_requests": 1, "still_queued": 0,
  "still_running": 0, "injected_requests": 1, "total_input_tokens": 5, "total_output_tokens": 2,
  "vllm_estimated_duration_s": 0.01, "responses_per_sec": 100, "tokens_per_sec": 200,
  "e2e_mean_ms": 1, "e2e_p90_ms": 1, "e2e_p95_ms": 1, "e2e_p99_ms": 1,
  "ttft_mean_ms": 0.5, "ttft_p90_ms": 0.5, "ttft_p95_ms": 0.5, "ttft_p99_ms": 0.5,
  "itl_mean_ms": 0.5, "itl_p90_ms": 0.5, "itl_p95_ms": 0.5, "itl_p99_ms": 0.5,
  "scheduling_delay_p99_ms": 0, "preemption_count": 0, "cache_hit_rate": 0,
  "dropped_unservable": 0, "length_capped_requests": 0, "timed_out_requests": 0)";

std::string with_request(const std::string& request) {
  return std::string("{") + kMinimalBlock + R"(, "requests": [)" + request + "]}";
}

const char* kGoodRequest = R"({"arrived_at": 0, "requestID": "request_0", "num_prefill_tokens": 5,
  "num_decode_tokens": 2, "ttft_ms": 0.5, "itl_ms": 0.5, "e2e_ms": 1,
  "scheduling_delay_ms": 0, "handled_by": "instance_0", "round_index": 0})";

InputError error_of(const std::string& metrics_text) {
  auto result = parse_blis_output(NamedText{"m.json", metrics_text}, std::nullopt, {});
  if (!std::holds_alternative<InputError>(result)) {
    ADD_FAILURE() << "accepted: " << metrics_text.substr(0, 200);
    return {};
  }
  return std::get<InputError>(result);
}

TEST(BlisMetricsReader, MinimalDocumentIsAccepted) {
  auto result =
      parse_blis_output(NamedText{"m.json", with_request(kGoodRequest)}, std::nullopt, {});
  ASSERT_TRUE(std::holds_alternative<model::RunOutput>(result))
      << describe(std::get<InputError>(result));
  // 0.5 ms = 500 µs; 1 ms = 1000 µs; 0.01 s = 10000 µs.
  const auto& out = std::get<model::RunOutput>(result);
  EXPECT_EQ(out.aggregate.maps.ttft.at("request_0"), 500.0);
  EXPECT_EQ(out.aggregate.maps.e2e.at("request_0"), 1000.0);
  EXPECT_EQ(out.aggregate.counters.sim_ended, 10000);
}

TEST(BlisMetricsReader, ErrorsNameFileFieldAndValue) {
  std::string req = kGoodRequest;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string r = req;
    r.replace(r.find(from), from.size(), to);
    return with_request(r);
  };
  InputError e = error_of(replace(R"("e2e_ms": 1)", R"("e2e_ms": 1.0005)"));
  EXPECT_EQ(e.file, "m.json");
  EXPECT_EQ(e.field, "requests[0].e2e_ms");
  EXPECT_EQ(e.value, "1.0005");
  EXPECT_NE(e.message.find("integer number of microseconds"), std::string::npos);

  e = error_of(replace(R"("ttft_ms": 0.5)", R"("ttft_ms": "0.5")"));
  EXPECT_EQ(e.field, "requests[0].ttft_ms");
  EXPECT_NE(e.message.find("expected a number"), std::string::npos);

  e = error_of(replace(R"("requestID": "request_0", )", ""));
  EXPECT_EQ(e.field, "requests[0].requestID");
  EXPECT_EQ(e.message, "missing");

  e = error_of(replace(R"("num_prefill_tokens": 5)", R"("num_prefill_tokens": 5.5)"));
  EXPECT_EQ(e.field, "requests[0].num_prefill_tokens");

  e = error_of(std::string("{") + kMinimalBlock + R"(, "requests": 7})");
  EXPECT_EQ(e.field, "requests");

  std::string block = std::string("{") + kMinimalBlock + "}";
  std::string no_completed = block;
  no_completed.replace(no_completed.find(R"("completed_requests": 1, )"), 25, "");
  e = error_of(no_completed);
  EXPECT_EQ(e.field, "completed_requests");

  e = error_of("{\"instance_id\": ");
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos);
  e = error_of("[1, 2]");
  EXPECT_EQ(e.file, "m.json");
  e = error_of(std::string("{") + kMinimalBlock + R"(, "instance_id": "x"})");  // duplicate key
  EXPECT_NE(e.message.find("duplicate key"), std::string::npos);
}

TEST(BlisMetricsReader, StdoutErrors) {
  auto err = [](const std::string& text) {
    auto result = parse_blis_output(std::nullopt, NamedText{"out.txt", text}, BlisReadOptions{});
    EXPECT_TRUE(std::holds_alternative<InputError>(result)) << text.substr(0, 100);
    return std::holds_alternative<InputError>(result) ? std::get<InputError>(result) : InputError{};
  };
  EXPECT_NE(err("hello\n").message.find("not BLIS stdout"), std::string::npos);
  InputError e = err("=== Simulation Metrics ===\n{ not json\n");
  EXPECT_EQ(e.file, "out.txt");
  EXPECT_EQ(e.field, "line 1 === Simulation Metrics ===");
  std::string cluster = std::string("=== Simulation Metrics ===\n{") + kMinimalBlock + "}\n";
  e = err(cluster + "=== PD Metrics ===\nDisaggregated Requests: many\n");
  EXPECT_NE(e.field.find("Disaggregated Requests"), std::string::npos);
  EXPECT_EQ(e.value, "many");
  e = err(cluster + cluster);
  EXPECT_NE(e.message.find("second cluster block"), std::string::npos);
}

TEST(BlisMetricsReader, MismatchedFilesAreRejected) {
  REQUIRE_FIXTURES();
  auto result =
      read_blis_output(kFixtures + "/pd.metrics.json", kFixtures + "/nonpd.stdout.txt", {});
  ASSERT_TRUE(std::holds_alternative<InputError>(result));
  EXPECT_NE(std::get<InputError>(result).message.find("different runs"), std::string::npos);
}

TEST(BlisMetricsReader, PoolSizesMustFitTheInstances) {
  REQUIRE_FIXTURES();
  auto result = read_blis_output(kFixtures + "/pd.metrics.json", kFixtures + "/pd.stdout.txt",
                                 BlisReadOptions{3, 2});
  ASSERT_TRUE(std::holds_alternative<InputError>(result));
  result = read_blis_output(kFixtures + "/nonpd.metrics.json", kFixtures + "/nonpd.stdout.txt",
                            BlisReadOptions{2, 2});
  ASSERT_TRUE(std::holds_alternative<InputError>(result));  // no PD section
  EXPECT_NE(std::get<InputError>(result).message.find("no PD section"), std::string::npos);
}

TEST(BlisMetricsReader, MissingFileIsAnError) {
  auto result = read_blis_output(std::string("/nonexistent/x.json"), std::nullopt, {});
  ASSERT_TRUE(std::holds_alternative<InputError>(result));
  EXPECT_EQ(std::get<InputError>(result).file, "/nonexistent/x.json");
}

}  // namespace
}  // namespace simcheck::io
