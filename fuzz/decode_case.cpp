// Spec §2, §3, §12.2 (via properties/gen): fuzzer bytes -> recipe -> valid case (decode_case.h).
#include "fuzz/decode_case.h"

#include <algorithm>

#include "fuzz/byte_reader.h"

namespace simcheck::fuzz {
namespace {

// The upper ends below mirror the bands of gen::draw_recipe (properties/gen/case_gen.cpp), which
// keeps them private; gen::to_case clamps to the same limits, so a drift here would only skew
// the distribution, never produce an invalid case.
gen::RequestRecipe decode_request(ByteReader& in) {
  gen::RequestRecipe r;
  r.arrival_gap = in.take(5000);
  r.input_extra = in.take(299);
  r.output_extra = in.take(31);
  r.fill = in.take(3);
  r.prefix_group = in.take(2);
  r.token_pattern = in.take(7);
  r.token_alphabet = in.take(3);
  r.deadline_offset = in.take(50000);
  r.budget = in.take(2);
  r.budget_extra = in.take(64);
  return r;
}

}  // namespace

gen::CaseGenOptions fuzz_case_options() { return gen::CaseGenOptions{}; }

gen::CaseRecipe decode_recipe(std::span<const uint8_t> bytes, const gen::CaseGenOptions& options) {
  ByteReader in(bytes);
  gen::CaseRecipe c;
  // Knobs whose change alters the case most come first, so that short inputs (and the
  // fuzzer's early, short mutations) already reach PD and small KV caches.
  c.pd_mode = options.allow_pd ? in.take(2) : 0;
  c.instances_extra = in.take(std::max(options.max_instances, 1) - 1);
  c.prefill_extra = in.take(3);
  c.decode_extra = in.take(3);
  c.kv_blocks = in.take(64);
  c.block_size = in.take(4);
  c.max_num_seqs = in.take(8);
  c.max_batched_tokens = in.take(64);
  c.long_prefill = in.take(32);
  c.max_model_len = in.take(128);
  c.alpha0_q = in.take(2000);
  c.alpha1_q = in.take(16);
  c.alpha2_q = in.take(200);
  c.beta0_q = in.take(8000);
  c.beta1_q = in.take(40);
  c.beta2_q = in.take(400);
  c.post_decode_overhead = in.take(500);
  c.empty_step_beta0 = in.take(1);
  c.admission_latency = in.take(1000);
  c.routing_latency = in.take(1000);
  c.routing = in.take(2);
  c.bandwidth = in.take(5000);
  c.base_latency = in.take(2001);
  c.contention = in.take(1);
  c.kv_bytes = in.take(4);
  c.horizon = in.take(20000);
  c.standalone = in.take(1);
  c.group0_prefix = in.take(63);
  c.group1_prefix = in.take(63);
  c.group2_prefix = in.take(63);
  c.case_seed = in.take((int64_t{1} << 31) - 1);
  const auto max_requests = static_cast<size_t>(std::max(options.max_requests, 1));
  do {
    c.requests.push_back(decode_request(in));
  } while (!in.exhausted() && c.requests.size() < max_requests);
  return c;
}

model::Case decode_case(std::span<const uint8_t> bytes, const gen::CaseGenOptions& options) {
  return gen::to_case(decode_recipe(bytes, options), options);
}

}  // namespace simcheck::fuzz
