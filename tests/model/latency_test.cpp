// Spec §5 and §0: step time, empty-step advance, QT, OTP and trunc.
#include "model/latency.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/arith.h"

namespace simcheck::model {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(Arith, TruncTowardZeroAndSaturation) {
  EXPECT_EQ(trunc_to_int64(0.0), 0);
  EXPECT_EQ(trunc_to_int64(1.9999), 1);
  EXPECT_EQ(trunc_to_int64(99999.99999999999), 99999);
  EXPECT_EQ(trunc_to_int64(std::nan("")), kMax);
  EXPECT_EQ(trunc_to_int64(9223372036854775808.0), kMax);  // 2^63
  EXPECT_EQ(trunc_to_int64(1e300), kMax);
  EXPECT_EQ(trunc_to_int64(std::numeric_limits<double>::infinity()), kMax);
  // The largest double below 2^63 converts exactly.
  EXPECT_EQ(trunc_to_int64(9223372036854774784.0), 9223372036854774784LL);
}

TEST(Arith, CeilDiv) {
  EXPECT_EQ(ceil_div(0, 16), 0);
  EXPECT_EQ(ceil_div(1, 16), 1);
  EXPECT_EQ(ceil_div(16, 16), 1);
  EXPECT_EQ(ceil_div(17, 16), 2);
  // No overflow of a + b − 1 near INT64_MAX.
  EXPECT_EQ(ceil_div(kMax, 2), int64_t{1} << 62);
  EXPECT_EQ(ceil_div(kMax, kMax), 1);
}

TEST(Latency, StepTimeAppendixB) {
  // B.1: β = [1000, 2, 50]; prefill of 20 tokens: 1000 + 2·20 = 1040; one decode: 1050.
  const std::array<double, 3> beta{1000, 2, 50};
  EXPECT_EQ(step_time(beta, 20, 0), 1040);
  EXPECT_EQ(step_time(beta, 0, 1), 1050);
  // B.3: β = [100, 1, 10]: 8 prefill tokens → 108; 2 decode tokens → 120.
  const std::array<double, 3> beta3{100, 1, 10};
  EXPECT_EQ(step_time(beta3, 8, 0), 108);
  EXPECT_EQ(step_time(beta3, 0, 2), 120);
  EXPECT_EQ(step_time(beta3, 3, 2), 123);
}

TEST(Latency, StepTimeIsAtLeastOneAndTruncates) {
  EXPECT_EQ(step_time({0, 0, 0}, 5, 5), 1);
  EXPECT_EQ(step_time({0.4, 0.3, 0}, 1, 0), 1);     // 0.7 → 0 → max(1, 0)
  EXPECT_EQ(step_time({0.5, 0.75, 0.1}, 4, 3), 3);  // 0.5 + 3 + 0.30000000000000004 = 3.8 → 3
  EXPECT_EQ(step_time({1e300, 1e300, 0}, 1, 0), kMax);
}

TEST(Latency, StepTimeEvaluationOrder) {
  // ((0.0 + β0) + β1·P) + β2·D in binary64: 1e16 + 1 is rounded away before adding 1 again.
  // (1e16 + 1) + 1 = 1e16 (each +1 is a tie that rounds to even) whereas 1e16 + 2 is exact.
  EXPECT_EQ(step_time({1e16, 1, 1}, 1, 1), 10000000000000000LL);
}

TEST(Latency, EmptyStepRule) {
  EXPECT_EQ(empty_step_advance(EmptyStepRule::one, {500, 1, 1}), 1);
  EXPECT_EQ(empty_step_advance(EmptyStepRule::beta0, {500.9, 1, 1}), 500);
  EXPECT_EQ(empty_step_advance(EmptyStepRule::beta0, {0.2, 1, 1}), 1);
}

TEST(Latency, QueueingTimeAndOtp) {
  EXPECT_EQ(queueing_time({100, 1, 10}, 20), 120);  // B.1
  EXPECT_EQ(queueing_time({0, 0, 0}, 20), 0);
  EXPECT_EQ(queueing_time({0.5, 0.25, 0}, 3), 1);  // 0.5 + 0.75 = 1.25 → 1
  EXPECT_EQ(output_token_processing_time({100, 1, 10}), 10);
  EXPECT_EQ(output_token_processing_time({0, 0, 9.99}), 9);
}

}  // namespace
}  // namespace simcheck::model
