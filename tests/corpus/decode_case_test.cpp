// docs/fuzzing.md "Structured decoding": the byte layout of fuzz::ByteReader and
// fuzz::decode_recipe, and the decoder's promise that every input is a valid case.
#include "fuzz/decode_case.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "fuzz/byte_reader.h"
#include "model/case_validation.h"

namespace simcheck::fuzz {
namespace {

// Bytes of the configuration block: one byte for each knob whose range fits in a byte, two for
// alpha0 (2000), beta0 (8000), beta2 (400), P (500), admission and routing latency (1000),
// bandwidth (5000), base latency (2001) and horizon (20000), four for the seed (2^31 - 1):
// 21 one-byte knobs + 9 two-byte knobs * 2 + 4 = 43.
constexpr size_t kConfigBytes = 43;
// One request: arrival gap (5000) 2, input (299) 2, deadline (50000) 2, seven one-byte knobs.
constexpr size_t kRequestBytes = 13;

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
  // pd_mode = 1 mod 3 = 1: decider always, pools of 1 + 0 each, so 2 instances.
  const std::vector<uint8_t> bytes = {1};
  const model::Case c = decode_case(bytes, fuzz_case_options());
  EXPECT_EQ(c.config.pd_decider, model::PdDecider::always);
  EXPECT_EQ(c.config.prefill_instances, 1);
  EXPECT_EQ(c.config.decode_instances, 1);
  EXPECT_EQ(c.config.num_instances, 2);
}

TEST(DecodeCase, RequestsFollowTheConfigurationBlock) {
  std::vector<uint8_t> bytes(kConfigBytes + kRequestBytes, 0);
  // First request: arrival gap 0x0102 = 258 µs, input_extra 9 (L = 10), output_extra 3 (N = 4).
  bytes[kConfigBytes + 0] = 0x02;
  bytes[kConfigBytes + 1] = 0x01;
  bytes[kConfigBytes + 2] = 9;
  bytes[kConfigBytes + 4] = 3;
  model::Case c = decode_case(bytes, fuzz_case_options());
  ASSERT_EQ(c.requests.size(), 1u);  // input ends exactly after one request
  EXPECT_EQ(c.requests[0].arrival_us, 258);
  EXPECT_EQ(c.requests[0].input_len, 10);
  EXPECT_EQ(c.requests[0].output_len, 4);

  bytes.push_back(7);  // one more byte starts a second request (arrival gap 7, rest zero)
  c = decode_case(bytes, fuzz_case_options());
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[1].arrival_us, 258 + 7);
}

TEST(DecodeCase, RequestCountIsCapped) {
  const std::vector<uint8_t> bytes(kConfigBytes + 200 * kRequestBytes, 0x5a);
  const gen::CaseRecipe r = decode_recipe(bytes, fuzz_case_options());
  EXPECT_EQ(r.requests.size(), static_cast<size_t>(fuzz_case_options().max_requests));
}

// The decoder's contract: whatever the bytes, validate_case accepts the case. 2000 inputs of
// pseudo-random length and content (a fixed xorshift stream, so the test is deterministic).
TEST(DecodeCase, EveryInputDecodesToAValidCase) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bytes(next() % 300);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(next());
    const model::Case c = decode_case(bytes, fuzz_case_options());
    const auto error = model::validate_case(c);
    ASSERT_FALSE(error.has_value())
        << "input " << i << ": " << error->field << " = " << error->value << ": " << error->message;
  }
}

}  // namespace
}  // namespace simcheck::fuzz
