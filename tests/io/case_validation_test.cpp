// Spec §2, §3, §12 validation rules (model::validate_case): each rule names its field.
#include "model/case_validation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

namespace simcheck::model {
namespace {

Case base_case() {
  Case c;
  c.config.alpha = {100, 1, 10};
  c.config.beta = {1000, 2, 50};
  TraceRequest r;
  r.arrival_us = 0;
  r.input_len = 20;
  r.output_len = 3;
  c.requests = {r, r};
  return c;
}

Case pd_case() {
  Case c = base_case();
  c.config.num_instances = 2;
  c.config.prefill_instances = 1;
  c.config.decode_instances = 1;
  c.config.pd_decider = PdDecider::always;
  c.config.kv_bytes_per_token = 512;
  return c;
}

Case generator_case() {
  Case c = base_case();
  c.requests.clear();
  c.workload = Workload{};
  c.workload->aggregate_rate = 10;
  c.workload->max_requests = 5;
  c.workload->clients = {Client{}};
  return c;
}

struct Rule {
  const char* name;
  std::function<Case()> make;
  const char* field;
};

TEST(ValidateCase, ValidCasesPass) {
  EXPECT_FALSE(validate_case(base_case()).has_value());
  EXPECT_FALSE(validate_case(pd_case()).has_value());
  EXPECT_FALSE(validate_case(generator_case()).has_value());
  Case empty = base_case();
  empty.requests.clear();
  EXPECT_FALSE(validate_case(empty).has_value());
  // MML rule at its boundary: ceil_div(16000, 16) = 1000 = T.
  Case mml = base_case();
  mml.config.total_kv_blocks = 1000;
  mml.config.max_model_len = 16000;
  EXPECT_FALSE(validate_case(mml).has_value());
  // "Latency only" transfers (bandwidth <= 0) are legal (§9.5).
  Case latency_only = pd_case();
  latency_only.config.pd_transfer_bandwidth_gbps = -1;
  EXPECT_FALSE(validate_case(latency_only).has_value());
}

TEST(ValidateCase, EveryRuleNamesItsField) {
  auto with = [](std::function<void(Case&)> edit, std::function<Case()> base = base_case) {
    return [edit, base] {
      Case c = base();
      edit(c);
      return c;
    };
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Rule> rules = {
      {"horizon", with([](Case& c) { c.config.horizon_us = 0; }), "config.horizon_us"},
      {"instances", with([](Case& c) { c.config.num_instances = 0; }), "config.num_instances"},
      {"blocks", with([](Case& c) { c.config.total_kv_blocks = 0; }), "config.total_kv_blocks"},
      {"blocks cap", with([](Case& c) { c.config.total_kv_blocks = 100'000'001; }),
       "config.total_kv_blocks"},
      {"blocks x instances cap", with([](Case& c) {
         c.config.num_instances = 300;  // 300 x 1e6 default blocks > 2e8
       }),
       "config.total_kv_blocks"},
      {"block size", with([](Case& c) { c.config.block_size_tokens = 0; }),
       "config.block_size_tokens"},
      {"seqs", with([](Case& c) { c.config.max_num_seqs = 0; }), "config.max_num_seqs"},
      {"batched", with([](Case& c) { c.config.max_num_batched_tokens = -1; }),
       "config.max_num_batched_tokens"},
      {"long prefill", with([](Case& c) { c.config.long_prefill_token_threshold = -1; }),
       "config.long_prefill_token_threshold"},
      {"mml negative", with([](Case& c) { c.config.max_model_len = -1; }), "config.max_model_len"},
      {"mml blocks", with([](Case& c) {
         c.config.total_kv_blocks = 1000;
         c.config.max_model_len = 16001;  // ceil_div(16001, 16) = 1001 > 1000
       }),
       "config.max_model_len"},
      {"alpha nan", with([nan](Case& c) { c.config.alpha[1] = nan; }), "config.alpha[1]"},
      {"alpha negative", with([](Case& c) { c.config.alpha[0] = -1; }), "config.alpha[0]"},
      {"beta inf", with([inf](Case& c) { c.config.beta[2] = inf; }), "config.beta[2]"},
      {"overhead", with([](Case& c) { c.config.post_decode_fixed_overhead_us = -1; }),
       "config.post_decode_fixed_overhead_us"},
      {"admission", with([](Case& c) { c.config.admission_latency_us = -5; }),
       "config.admission_latency_us"},
      {"routing", with([](Case& c) { c.config.routing_latency_us = -5; }),
       "config.routing_latency_us"},
      {"prefill negative", with([](Case& c) { c.config.prefill_instances = -1; }),
       "config.prefill_instances"},
      {"pd needs decode", with([](Case& c) { c.config.decode_instances = 0; }, pd_case),
       "config.decode_instances"},
      {"pd needs prefill", with([](Case& c) { c.config.prefill_instances = 0; }, pd_case),
       "config.prefill_instances"},
      {"pools exceed", with([](Case& c) { c.config.prefill_instances = 3; }, pd_case),
       "config.prefill_instances"},
      {"decider without pools", with([](Case& c) { c.config.pd_decider = PdDecider::always; }),
       "config.pd_decider"},
      {"bandwidth nan", with([nan](Case& c) { c.config.pd_transfer_bandwidth_gbps = nan; }),
       "config.pd_transfer_bandwidth_gbps"},
      {"base latency", with([](Case& c) { c.config.pd_transfer_base_latency_ms = -0.5; }),
       "config.pd_transfer_base_latency_ms"},
      {"contention without pd", with([](Case& c) { c.config.pd_transfer_contention = true; }),
       "config.pd_transfer_contention"},
      {"kv bytes with pd", with([](Case& c) { c.config.kv_bytes_per_token = 0; }, pd_case),
       "config.kv_bytes_per_token"},
      {"standalone with 2", with([](Case& c) {
         c.config.driver = Driver::standalone;
         c.config.num_instances = 2;
       }),
       "config.driver"},
      {"standalone with pd", with([](Case& c) { c.config.driver = Driver::standalone; }, pd_case),
       "config.driver"},
      // §3 requests
      {"L = 0", with([](Case& c) { c.requests[1].input_len = 0; }), "requests[1].input_len"},
      {"N = 0", with([](Case& c) { c.requests[0].output_len = 0; }), "requests[0].output_len"},
      {"empty explicit input", with([](Case& c) {
         c.requests[0].input_fill = TokenFill::explicit_list;
         c.requests[0].input_len = 0;
       }),
       "requests[0].input"},
      {"negative token", with([](Case& c) {
         c.requests[0].output_fill = TokenFill::explicit_list;
         c.requests[0].output_len = 0;
         c.requests[0].output = {1, -2};
       }),
       "requests[0].output[1]"},
      {"duplicate id", with([](Case& c) { c.requests[1].id = "request_0"; }), "requests[1].id"},
      {"unsorted", with([](Case& c) { c.requests[0].arrival_us = 10; }), "requests[1].arrival_us"},
      {"negative arrival", with([](Case& c) { c.requests[0].arrival_us = -1; }),
       "requests[0].arrival_us"},
      {"negative deadline", with([](Case& c) { c.requests[1].deadline_us = -1; }),
       "requests[1].deadline_us"},
      {"negative budget", with([](Case& c) { c.requests[1].max_output_len = -1; }),
       "requests[1].max_output_len"},
      {"pd id collision",
       with(
           [](Case& c) {
             c.requests[0].id = "x";
             c.requests[1].id = "x_decode";
           },
           pd_case),
       "requests[0].id"},
      {"prefix length without group", with([](Case& c) { c.requests[0].prefix_length = 4; }),
       "requests[0].prefix_length"},
      {"prefix longer than input", with([](Case& c) {
         c.requests[0].prefix_group = "g";
         c.requests[0].prefix_length = 21;
       }),
       "requests[0].prefix_length"},
      {"group with zeros", with([](Case& c) {
         c.requests[0].prefix_group = "g";
         c.requests[0].prefix_length = 4;
         c.requests[0].input_fill = TokenFill::zeros;
       }),
       "requests[0].input_fill"},
      {"group lengths differ", with([](Case& c) {
         for (auto& r : c.requests) r.prefix_group = "g";
         c.requests[0].prefix_length = 4;
         c.requests[1].prefix_length = 5;
       }),
       "requests[1].prefix_length"},
      {"token cap", with([](Case& c) { c.requests[0].input_len = 500'000'000; }), "requests[0]"},
      // §12.3 generator
      {"both requests and workload",
       with([](Case& c) { c.requests = base_case().requests; }, generator_case), "requests"},
      {"rate", with([](Case& c) { c.workload->aggregate_rate = 0; }, generator_case),
       "workload.aggregate_rate"},
      {"max requests without horizon",
       with([](Case& c) { c.workload->max_requests = 0; }, generator_case),
       "workload.max_requests"},
      {"no clients", with([](Case& c) { c.workload->clients.clear(); }, generator_case),
       "workload.clients"},
      {"fraction sum",
       with([](Case& c) { c.workload->clients[0].rate_fraction = 0; }, generator_case),
       "workload.clients"},
      {"negative fraction",
       with([](Case& c) { c.workload->clients[0].rate_fraction = -1; }, generator_case),
       "workload.clients[0].rate_fraction"},
      {"gaussian sd",
       with(
           [](Case& c) {
             c.workload->clients[0].input_dist = LengthDist{LengthKind::gaussian, 1, 10, -1, 1, 5};
           },
           generator_case),
       "workload.clients[0].input_dist.sd"},
      {"gaussian min > max",
       with(
           [](Case& c) {
             c.workload->clients[0].output_dist = LengthDist{LengthKind::gaussian, 1, 10, 1, 6, 5};
           },
           generator_case),
       "workload.clients[0].output_dist.min"},
      {"exponential mean",
       with(
           [](Case& c) {
             c.workload->clients[0].input_dist = LengthDist{LengthKind::exponential, 1, 0, 0, 0, 0};
           },
           generator_case),
       "workload.clients[0].input_dist.mean"},
      {"constant fraction",
       with([](Case& c) { c.workload->clients[0].input_dist.value = 2.5; }, generator_case),
       "workload.clients[0].input_dist.value"},
      {"timeout", with([](Case& c) { c.workload->clients[0].timeout_us = -1; }, generator_case),
       "workload.clients[0].timeout_us"},
      {"client prefix length without group",
       with([](Case& c) { c.workload->clients[0].prefix_length = 3; }, generator_case),
       "workload.clients[0].prefix_length"},
      {"generator token cap",
       with(
           [](Case& c) {
             c.workload->max_requests = 1'000'000;  // 2e6 requests x (7000 + 7000) tokens
             c.workload->clients[0].input_dist = LengthDist{LengthKind::constant, 7000};
             c.workload->clients[0].output_dist = LengthDist{LengthKind::constant, 7000};
           },
           generator_case),
       "workload.clients"},
  };
  for (const Rule& rule : rules) {
    const auto error = validate_case(rule.make());
    ASSERT_TRUE(error.has_value()) << rule.name;
    EXPECT_EQ(error->field, rule.field) << rule.name << ": " << error->message;
    EXPECT_FALSE(error->message.empty()) << rule.name;
  }
}

TEST(ValidateCase, MessageNamesTheRuleAndValue) {
  Case c = pd_case();
  c.config.prefill_instances = 3;
  const auto error = validate_case(c);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->value, "3");
  EXPECT_EQ(error->message, "prefill + decode pools (4) exceed num_instances (2)");
}

}  // namespace
}  // namespace simcheck::model
