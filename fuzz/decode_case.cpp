// Spec §2, §3, §12.2 (via properties/gen): fuzzer bytes -> recipe -> valid case (decode_case.h).
#include "fuzz/decode_case.h"

#include <algorithm>

#include "fuzz/byte_reader.h"

namespace simcheck::fuzz {
namespace {

// The bands below are gen::draw_recipe's (properties/gen/case_gen.cpp, which keeps them
// private), in the same order, so that uniformly random bytes decode to the generator's
// distribution, not merely to its ranges: e.g. 40 % of cases keep the default 1'000'000 KV
// blocks and 80 % have no horizon, as in the property tests. A percent(p) draw is written as
// the bands {100 - p: 0, p: 1}, so that a zero byte still means "off". gen::to_case clamps to
// the same limits, so a drift here only skews the distribution, never produces an invalid case;
// tests/corpus/decode_case_test.cpp compares the two distributions knob by knob.
gen::RequestRecipe decode_request(ByteReader& in) {
  gen::RequestRecipe r;
  r.arrival_gap = in.take_banded({{40, 0, 0}, {40, 1, 200}, {20, 201, 5000}});
  r.input_extra = in.take_banded({{70, 0, 31}, {20, 32, 95}, {10, 96, 299}});
  r.output_extra = in.take_banded({{30, 0, 0}, {20, 1, 1}, {40, 2, 7}, {10, 8, 31}});
  r.fill = in.take_banded({{45, 0, 0}, {25, 1, 1}, {15, 2, 2}, {15, 3, 3}});
  r.prefix_group = in.take(2);
  r.token_pattern = in.take(7);
  r.token_alphabet = in.take(3);
  r.deadline_offset = in.take_banded({{70, 0, 0}, {20, 1, 5000}, {10, 5001, 50000}});
  r.budget = in.take_banded({{80, 0, 0}, {10, 1, 1}, {10, 2, 2}});
  r.budget_extra = in.take(64);
  return r;
}

}  // namespace

gen::CaseGenOptions fuzz_case_options() { return gen::CaseGenOptions{}; }

gen::CaseRecipe decode_recipe(std::span<const uint8_t> bytes, const gen::CaseGenOptions& options) {
  ByteReader in(bytes);
  gen::CaseRecipe c;
  const int64_t max_extra = std::max(options.max_instances, 1) - 1;
  // Knobs whose change alters the case most come first, so that short inputs (and the
  // fuzzer's early, short mutations) already reach PD and small KV caches.
  c.pd_mode = in.take_banded({{45, 0, 0}, {45, 1, 1}, {10, 2, 2}});
  if (!options.allow_pd) c.pd_mode = 0;
  // Read with the same bytes whatever max_instances is (1 instance: always 0), so that the
  // layout never depends on the options.
  c.instances_extra =
      std::min(in.take_banded({{25, 0, 0}, {75, 1, std::max<int64_t>(max_extra, 1)}}), max_extra);
  c.prefill_extra = in.take_banded({{60, 0, 0}, {40, 1, 3}});
  c.decode_extra = in.take_banded({{60, 0, 0}, {40, 1, 3}});
  c.kv_blocks = in.take_banded({{40, 0, 0}, {35, 1, 8}, {25, 9, 64}});
  c.block_size = in.take_banded({{40, 0, 0}, {60, 1, 4}});
  c.max_num_seqs = in.take_banded({{60, 0, 0}, {40, 1, 8}});
  c.max_batched_tokens = in.take_banded({{60, 0, 0}, {40, 1, 64}});
  c.long_prefill = in.take_banded({{70, 0, 0}, {30, 1, 32}});
  c.max_model_len = in.take_banded({{65, 0, 0}, {35, 1, 128}});
  c.alpha0_q = in.take_banded({{40, 0, 0}, {60, 1, 2000}});
  c.alpha1_q = in.take_banded({{50, 0, 0}, {50, 1, 16}});
  c.alpha2_q = in.take_banded({{40, 0, 0}, {60, 1, 200}});
  c.beta0_q = in.take_banded({{15, 0, 0}, {85, 1, 8000}});
  c.beta1_q = in.take_banded({{40, 0, 0}, {60, 1, 40}});
  c.beta2_q = in.take_banded({{40, 0, 0}, {60, 1, 400}});
  c.post_decode_overhead = in.take_banded({{60, 0, 0}, {40, 1, 500}});
  c.empty_step_beta0 = in.take_banded({{70, 0, 0}, {30, 1, 1}});
  c.admission_latency = in.take_banded({{70, 0, 0}, {30, 1, 1000}});
  c.routing_latency = in.take_banded({{70, 0, 0}, {30, 1, 1000}});
  c.routing = in.take_banded({{50, 0, 0}, {30, 1, 1}, {20, 2, 2}});
  c.bandwidth = in.take_banded({{40, 0, 0}, {10, 1, 1}, {5, 2, 2}, {45, 3, 5000}});
  c.base_latency = in.take_banded({{40, 0, 0}, {10, 1, 1}, {50, 2, 2001}});
  c.contention = in.take_banded({{50, 0, 0}, {50, 1, 1}});
  c.kv_bytes = in.take_banded({{40, 0, 0}, {60, 1, 4}});
  c.horizon = in.take_banded({{80, 0, 0}, {20, 1, 20000}});
  c.standalone = in.take_banded({{90, 0, 0}, {10, 1, 1}});
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
