// docs/formats.md "simcheck-run/1": io::write_run_output and io::parse_run_output are inverse,
// strict about types and unknown keys, tolerant of absent optional sections and of fields listed
// in missing_fields.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "io/case_reader.h"
#include "io/run_output_reader.h"
#include "io/run_output_writer.h"
#include "model/simulate.h"

namespace simcheck::io {
namespace {

model::Case example(const std::string& name) {
  const auto read = read_case(std::string(SIMCHECK_SOURCE_DIR) + "/corpus/examples/" + name);
  EXPECT_TRUE(std::holds_alternative<model::Case>(read)) << name;
  return std::get<model::Case>(read);
}

model::RunOutput must_read(const std::string& text) {
  auto r = parse_run_output(text, "out.json");
  if (auto* e = std::get_if<InputError>(&r)) {
    ADD_FAILURE() << describe(*e);
    return {};
  }
  return std::get<model::RunOutput>(r);
}

InputError must_fail(const nlohmann::json& doc) {
  auto r = parse_run_output(doc.dump(), "out.json");
  if (!std::holds_alternative<InputError>(r)) {
    ADD_FAILURE() << "accepted";
    return {};
  }
  return std::get<InputError>(r);
}

TEST(RunOutputIo, RoundTripsRealOutputsByteForByte) {
  for (const char* name : {"b1_one_request.json", "b2_disaggregated.json", "b3_preemption.json",
                           "generator_two_clients.json"}) {
    model::Case c = example(name);
    c.config.record_events = true;
    const std::string once = write_run_output(model::simulate(c));
    const model::RunOutput back = must_read(once);
    EXPECT_EQ(write_run_output(back), once) << name;
  }
}

TEST(RunOutputIo, ValuesSurviveTheRoundTrip) {
  model::Case c = example("b2_disaggregated.json");
  c.config.record_events = true;
  const model::RunOutput out = model::simulate(c);
  const model::RunOutput back = must_read(write_run_output(out));
  ASSERT_TRUE(back.config.has_value());
  EXPECT_EQ(back.config->horizon_us, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(back.config->pd_decider, model::PdDecider::always);
  EXPECT_EQ(back.seed, 42);
  ASSERT_TRUE(back.parents.has_value());
  ASSERT_EQ(back.parents->size(), 1u);
  const model::ParentRecord& p = back.parents->front();
  EXPECT_EQ(p.transfer_complete_time, 171);
  EXPECT_EQ(p.ttft_branch, model::TtftBranch::primary);
  ASSERT_TRUE(p.decode_sub.has_value());
  EXPECT_EQ(p.decode_sub->itl, out.parents->front().decode_sub->itl);
  EXPECT_EQ(back.aggregate.maps.ttft.at("A"), 1231.0);
  EXPECT_EQ(back.aggregate.counters.ttft_sum, 1231);
  ASSERT_EQ(back.instances.size(), 2u);
  EXPECT_EQ(back.instances[0].role, model::Role::prefill);
  ASSERT_TRUE(back.instances[1].events.has_value());
  EXPECT_EQ(back.instances[1].events->size(), out.instances[1].events->size());
  EXPECT_EQ(back.pd->transfers_completed, 1);
}

TEST(RunOutputIo, NonFiniteDoublesAndExtensionsRoundTrip) {
  model::RunOutput out;
  out.source = "other-sim";
  out.aggregate.maps.ttft["x"] = std::numeric_limits<double>::quiet_NaN();
  out.aggregate.maps.e2e["x"] = std::numeric_limits<double>::infinity();
  out.aggregate.statistics.tokens_per_sec = -std::numeric_limits<double>::infinity();
  out.aggregate.counters.ttft_sum = 5;
  out.missing_fields = {"instances", "aggregate.counters.cache_hit_rate"};
  out.request_record_ids = std::vector<std::string>{"x", "x"};
  out.warnings = {"something odd"};
  const std::string text = write_run_output(out);
  EXPECT_NE(text.find("\"NaN\""), std::string::npos);
  EXPECT_NE(text.find("\"-Infinity\""), std::string::npos);
  const model::RunOutput back = must_read(text);
  EXPECT_TRUE(std::isnan(back.aggregate.maps.ttft.at("x")));
  EXPECT_EQ(back.aggregate.maps.e2e.at("x"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(back.missing_fields, out.missing_fields);
  EXPECT_EQ(back.request_record_ids, out.request_record_ids);
  EXPECT_EQ(back.source, "other-sim");
  EXPECT_FALSE(back.config.has_value());
  EXPECT_FALSE(back.cluster.has_value());
  EXPECT_EQ(write_run_output(back), text);
}

TEST(RunOutputIo, IntegerValuedDoublesKeepTheirDecimalPoint) {
  const std::string text = write_run_output(model::simulate(example("b1_one_request.json")));
  EXPECT_NE(text.find("\"A\": 1170.0"), std::string::npos);  // ttft, a double
  EXPECT_NE(text.find("\"A\": 120\n"), std::string::npos);   // sched_delay, an int64
  EXPECT_NE(text.find("\"horizon_us\": 9223372036854775807"), std::string::npos);
}

nlohmann::json b1_doc() {
  return run_output_to_json(model::simulate(example("b1_one_request.json")));
}

TEST(RunOutputIo, StrictAboutTypesAndUnknownKeys) {
  auto doc = b1_doc();
  doc["aggregate"]["counters"]["completed"] = 1.0;
  InputError e = must_fail(doc);
  EXPECT_EQ(e.field, "aggregate.counters.completed");

  doc = b1_doc();
  doc["instances"][0]["maps"]["ttft"]["A"] = "1170";
  e = must_fail(doc);
  EXPECT_EQ(e.field, "instances[0].maps.ttft.A");

  doc = b1_doc();
  doc["instances"][0]["colour"] = "red";
  e = must_fail(doc);
  EXPECT_EQ(e.field, "instances[0].colour");
  EXPECT_EQ(e.message, "unknown field");

  doc = b1_doc();
  doc["instances"][0]["role"] = "router";
  e = must_fail(doc);
  EXPECT_EQ(e.field, "instances[0].role");

  doc = b1_doc();
  doc["format"] = "simcheck-run/0";
  e = must_fail(doc);
  EXPECT_EQ(e.field, "format");

  doc = b1_doc();
  doc["aggregate"]["counters"].erase("completed");
  e = must_fail(doc);
  EXPECT_EQ(e.field, "aggregate.counters.completed");
  EXPECT_NE(e.message.find("missing_fields"), std::string::npos);

  const auto syntax = parse_run_output("{\"format\": ", "out.json");
  ASSERT_TRUE(std::holds_alternative<InputError>(syntax));
  EXPECT_EQ(std::get<InputError>(syntax).field, "line 1, column 11");
}

TEST(RunOutputIo, PartialOutputsFromOtherSimulators) {
  // Optional sections absent: no config, seed, trace, cluster, pd, parents, warnings, lists.
  auto doc = b1_doc();
  for (const char* key : {"config", "seed", "trace", "cluster", "warnings"}) doc.erase(key);
  doc["aggregate"].erase("all_itls");
  doc["aggregate"]["maps"].erase("completion_time");
  doc["aggregate"]["counters"].erase("ttft_sum");
  model::RunOutput partial = must_read(doc.dump());
  EXPECT_FALSE(partial.config.has_value());
  EXPECT_FALSE(partial.aggregate.counters.ttft_sum.has_value());
  EXPECT_FALSE(partial.aggregate.maps.completion_time.has_value());

  // Required fields the document declares missing may be absent.
  doc["missing_fields"] = {"instances.end_state", "aggregate.counters.cache_hit_rate",
                           "aggregate.maps.requests_meta.length_capped"};
  for (const char* key : {"final_states", "wait_queue_at_end", "kv_used_at_end"}) {
    doc["instances"][0].erase(key);
  }
  doc["aggregate"]["counters"].erase("cache_hit_rate");
  doc["aggregate"]["maps"]["requests_meta"]["A"].erase("length_capped");
  partial = must_read(doc.dump());
  EXPECT_TRUE(partial.instances[0].final_states.empty());
  EXPECT_EQ(partial.missing_fields.size(), 3u);
  EXPECT_EQ(partial.aggregate.maps.requests_meta.at("A").num_prefill_tokens, 20);

  // A section-level entry covers everything under it.
  auto no_instances = b1_doc();
  no_instances.erase("instances");
  no_instances["missing_fields"] = {"instances"};
  EXPECT_TRUE(must_read(no_instances.dump()).instances.empty());

  // Not declared: still an error.
  auto undeclared = b1_doc();
  undeclared["instances"][0].erase("final_states");
  EXPECT_EQ(must_fail(undeclared).field, "instances[0].final_states");
}

}  // namespace
}  // namespace simcheck::io
