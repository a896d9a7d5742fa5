// docs/fuzzing.md "Structured decoding": the byte layout of fuzz::ByteReader and
// fuzz::decode_recipe, and the decoder's promise that every input is a valid case.
#include "fuzz/decode_case.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "fuzz/byte_reader.h"
#include "model/case_validation.h"

namespace simcheck::fuzz {
namespace {

// Bytes of the configuration block. A banded knob takes one selector byte plus the bytes of
// take(widest band's hi - lo); a uniform knob the bytes of take(hi).
//   1 byte:  pd_mode, empty_step_beta0, routing, contention, standalone (single-value bands),
//            group0..2 prefixes (63)                                            8 knobs  =  8
//   2 bytes: instances (6), prefill (2), decode (2), kv_blocks (55), block_size (3),
//            max_num_seqs (7), batched tokens (63), long_prefill (31), MML (127), alpha1 (15),
//            alpha2 (199), beta1 (39), kv_bytes (3)                            13 knobs = 26
//   3 bytes: alpha0 (1999), beta0 (7999), beta2 (399), P (499), admission and routing
//            latency (999), bandwidth (4997), base latency (1999), horizon (19999)
//                                                                               9 knobs = 27
//   4 bytes: case seed (2^31 - 1)                                                         4
// 8 + 26 + 27 + 4 = 65.
constexpr size_t kConfigBytes = 65;
// One request: arrival gap 1 + 2 (4799), input 1 + 1 (203), output 1 + 1 (23), fill 1,
// prefix group 1, token pattern 1, alphabet 1, deadline 1 + 2 (44999), budget 1, budget
// extra 1: 3 + 2 + 2 + 1 + 1 + 1 + 1 + 3 + 1 + 1 = 16.
constexpr size_t kRequestBytes = 16;

TEST(ByteReader, ReadsFewestLittleEndianBytesModuloRange) {
  const std::vector<uint8_t> bytes = {0x10, 0x27, 5, 200};
  ByteReader in(bytes);
  EXPECT_EQ(in.take(5000), 4999);  // 0x2710 = 10000; 10000 mod 5001 = 4999
  EXPECT_EQ(in.take(2), 2);        // 5 mod 3
  EXPECT_EQ(in.take(255), 200);
  EXPECT_TRUE(in.exhausted());
  EXPECT_EQ(in.take(1000), 0);  // past the end: zeros
  EXPECT_EQ(in.take(0), 0);
}

TEST(ByteReader, BandSelectorScalesToTheWeights) {
  // Bands {40: 0}, {40: 1..200}, {20: 201..5000}: pick = byte * 100 / 256, then a value of
  // take(4799) (two bytes) modulo the band's width.
  //   byte 102: 102 * 100 / 256 = 39 -> band 0, value 0 (bytes 0x05 0x00 are still consumed)
  //   byte 103: 103 * 100 / 256 = 40 -> band 1, raw 0x0105 = 261, 1 + 261 mod 200 = 62
  //   byte 205: 205 * 100 / 256 = 80 -> band 2, raw 57, 201 + 57 mod 4800 = 258
  const std::vector<uint8_t> bytes = {102, 0x05, 0x00, 103, 0x05, 0x01, 205, 57, 0};
  ByteReader in(bytes);
  const auto take_gap = [&in] {
    return in.take_banded({{40, 0, 0}, {40, 1, 200}, {20, 201, 5000}});
  };
  EXPECT_EQ(take_gap(), 0);
  EXPECT_EQ(take_gap(), 62);
  EXPECT_EQ(take_gap(), 258);
  EXPECT_TRUE(in.exhausted());
  EXPECT_EQ(take_gap(), 0);  // past the end: the first band's lo
}

TEST(DecodeCase, EmptyInputIsTheSimplestCase) {
  const model::Case c = decode_case({}, fuzz_case_options());
  EXPECT_EQ(c.config.num_instances, 1);
  EXPECT_FALSE(c.config.pd_enabled());
  EXPECT_EQ(c.config.total_kv_blocks, 1'000'000);
  EXPECT_EQ(c.config.block_size_tokens, 16);
  EXPECT_EQ(c.config.horizon_us, model::kNoHorizon);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].arrival_us, 0);
  EXPECT_EQ(c.requests[0].input_len, 1);
  EXPECT_EQ(c.requests[0].output_len, 1);
  EXPECT_EQ(c.requests[0].deadline_us, 0);
}

TEST(DecodeCase, FirstByteSwitchesPdOn) {
  // pd_mode bands {45: off}, {45: decider always}, {10: decider never}; 116 * 100 / 256 = 45.
  // Pools of 1 + 0 each, so 2 instances.
  model::Case c = decode_case(std::vector<uint8_t>{116}, fuzz_case_options());
  EXPECT_EQ(c.config.pd_decider, model::PdDecider::always);
  EXPECT_EQ(c.config.prefill_instances, 1);
  EXPECT_EQ(c.config.decode_instances, 1);
  EXPECT_EQ(c.config.num_instances, 2);
  c = decode_case(std::vector<uint8_t>{115}, fuzz_case_options());  // 115 * 100 / 256 = 44
  EXPECT_FALSE(c.config.pd_enabled());
  c = decode_case(std::vector<uint8_t>{231}, fuzz_case_options());  // 231 * 100 / 256 = 90
  EXPECT_EQ(c.config.pd_decider, model::PdDecider::never);
}

TEST(DecodeCase, RequestsFollowTheConfigurationBlock) {
  std::vector<uint8_t> bytes(kConfigBytes + kRequestBytes, 0);
  // First request: arrival gap band 2 (selector 205 -> 80), raw 57 -> 201 + 57 = 258 µs;
  // input_extra band 0 (selector 0), raw 9 -> L = 10; output_extra selector 128 ->
  // 128 * 100 / 256 = 50, band {40: 2..7} (picks 50..89), raw 1 -> 2 + 1 = 3, N = 4.
  bytes[kConfigBytes + 0] = 205;
  bytes[kConfigBytes + 1] = 57;
  bytes[kConfigBytes + 4] = 9;
  bytes[kConfigBytes + 5] = 128;
  bytes[kConfigBytes + 6] = 1;
  model::Case c = decode_case(bytes, fuzz_case_options());
  ASSERT_EQ(c.requests.size(), 1u);  // input ends exactly after one request
  EXPECT_EQ(c.requests[0].arrival_us, 258);
  EXPECT_EQ(c.requests[0].input_len, 10);
  EXPECT_EQ(c.requests[0].output_len, 4);

  // One more byte starts a second request: selector 103 -> 40, band {40: 1..200}, raw 0 ->
  // gap 1 (the rest reads as zeros).
  bytes.push_back(103);
  c = decode_case(bytes, fuzz_case_options());
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[1].arrival_us, 258 + 1);
}

TEST(DecodeCase, RequestCountIsCapped) {
  const std::vector<uint8_t> bytes(kConfigBytes + 200 * kRequestBytes, 0x5a);
  const gen::CaseRecipe r = decode_recipe(bytes, fuzz_case_options());
  EXPECT_EQ(r.requests.size(), static_cast<size_t>(fuzz_case_options().max_requests));
}

// A fixed xorshift64 stream (the tests below are deterministic): each call returns the next word.
auto xorshift(uint64_t seed) {
  return [x = seed]() mutable {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
}

// The decoder's contract: whatever the bytes, validate_case accepts the case. 2000 inputs of
// pseudo-random length and content (a fixed xorshift stream, so the test is deterministic).
TEST(DecodeCase, EveryInputDecodesToAValidCase) {
  auto next = xorshift(0x9E3779B97F4A7C15ull);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bytes(next() % 300);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(next());
    const model::Case c = decode_case(bytes, fuzz_case_options());
    const auto error = model::validate_case(c);
    ASSERT_FALSE(error.has_value())
        << "input " << i << ": " << error->field << " = " << error->value << ": " << error->message;
  }
}

// Uniformly random bytes must decode to gen::draw_recipe's distribution, not only to its
// ranges: for every knob, the share of recipes where it is 0 ("feature off / default") is the
// same within 3 percentage points (20'000 draws each: the standard error of a share is below
// 0.4 points). A band added to or reweighted in case_gen.cpp without the same change in
// decode_case.cpp fails here.
TEST(DecodeCase, RandomBytesFollowTheGeneratorsDistribution) {
  constexpr int kDraws = 20000;
  auto next = xorshift(0x2545F4914F6CDD1Dull);
  const gen::CaseGenOptions options = fuzz_case_options();
  const std::array<std::pair<const char*, int64_t gen::CaseRecipe::*>, 30> case_knobs = {{
      {"pd_mode", &gen::CaseRecipe::pd_mode},
      {"instances_extra", &gen::CaseRecipe::instances_extra},
      {"prefill_extra", &gen::CaseRecipe::prefill_extra},
      {"decode_extra", &gen::CaseRecipe::decode_extra},
      {"kv_blocks", &gen::CaseRecipe::kv_blocks},
      {"block_size", &gen::CaseRecipe::block_size},
      {"max_num_seqs", &gen::CaseRecipe::max_num_seqs},
      {"max_batched_tokens", &gen::CaseRecipe::max_batched_tokens},
      {"long_prefill", &gen::CaseRecipe::long_prefill},
      {"max_model_len", &gen::CaseRecipe::max_model_len},
      {"alpha0_q", &gen::CaseRecipe::alpha0_q},
      {"alpha1_q", &gen::CaseRecipe::alpha1_q},
      {"alpha2_q", &gen::CaseRecipe::alpha2_q},
      {"beta0_q", &gen::CaseRecipe::beta0_q},
      {"beta1_q", &gen::CaseRecipe::beta1_q},
      {"beta2_q", &gen::CaseRecipe::beta2_q},
      {"post_decode_overhead", &gen::CaseRecipe::post_decode_overhead},
      {"empty_step_beta0", &gen::CaseRecipe::empty_step_beta0},
      {"admission_latency", &gen::CaseRecipe::admission_latency},
      {"routing_latency", &gen::CaseRecipe::routing_latency},
      {"routing", &gen::CaseRecipe::routing},
      {"bandwidth", &gen::CaseRecipe::bandwidth},
      {"base_latency", &gen::CaseRecipe::base_latency},
      {"contention", &gen::CaseRecipe::contention},
      {"kv_bytes", &gen::CaseRecipe::kv_bytes},
      {"horizon", &gen::CaseRecipe::horizon},
      {"standalone", &gen::CaseRecipe::standalone},
      {"group0_prefix", &gen::CaseRecipe::group0_prefix},
      {"group1_prefix", &gen::CaseRecipe::group1_prefix},
      {"group2_prefix", &gen::CaseRecipe::group2_prefix},
  }};
  const std::array<std::pair<const char*, int64_t gen::RequestRecipe::*>, 10> request_knobs = {{
      {"arrival_gap", &gen::RequestRecipe::arrival_gap},
      {"input_extra", &gen::RequestRecipe::input_extra},
      {"output_extra", &gen::RequestRecipe::output_extra},
      {"fill", &gen::RequestRecipe::fill},
      {"prefix_group", &gen::RequestRecipe::prefix_group},
      {"token_pattern", &gen::RequestRecipe::token_pattern},
      {"token_alphabet", &gen::RequestRecipe::token_alphabet},
      {"deadline_offset", &gen::RequestRecipe::deadline_offset},
      {"budget", &gen::RequestRecipe::budget},
      {"budget_extra", &gen::RequestRecipe::budget_extra},
  }};
  std::array<int, 30> decoded_zero{}, drawn_zero{};
  std::array<int, 10> decoded_request_zero{}, drawn_request_zero{};
  for (int i = 0; i < kDraws; ++i) {
    std::vector<uint8_t> bytes(kConfigBytes + kRequestBytes);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(next() >> 24);
    const gen::CaseRecipe decoded = decode_recipe(bytes, options);
    const gen::CaseRecipe drawn = gen::draw_recipe(next(), rc::kNominalSize, options);
    for (size_t k = 0; k < case_knobs.size(); ++k) {
      decoded_zero[k] += decoded.*case_knobs[k].second == 0;
      drawn_zero[k] += drawn.*case_knobs[k].second == 0;
    }
    for (size_t k = 0; k < request_knobs.size(); ++k) {
      decoded_request_zero[k] += decoded.requests.front().*request_knobs[k].second == 0;
      drawn_request_zero[k] += drawn.requests.front().*request_knobs[k].second == 0;
    }
  }
  const auto share = [](int count) { return 100.0 * count / kDraws; };
  for (size_t k = 0; k < case_knobs.size(); ++k) {
    EXPECT_NEAR(share(decoded_zero[k]), share(drawn_zero[k]), 3.0)
        << case_knobs[k].first << ": % of recipes at 0, decoded vs drawn";
  }
  for (size_t k = 0; k < request_knobs.size(); ++k) {
    EXPECT_NEAR(share(decoded_request_zero[k]), share(drawn_request_zero[k]), 3.0)
        << request_knobs[k].first << ": % of first requests at 0, decoded vs drawn";
  }
}

}  // namespace
}  // namespace simcheck::fuzz
