// Spec §5.1, §5.2: blackbox step time, queueing time and output-token processing time.
#include "model/latency.h"

#include <algorithm>

#include "model/arith.h"

namespace simcheck::model {

int64_t step_time(const std::array<double, 3>& beta, int64_t prefill_tokens,
                  int64_t decode_tokens) {
  // Grouping exactly as written in §5.1 (binary64, no FMA: -ffp-contract=off).
  const double t = ((0.0 + beta[0]) + beta[1] * static_cast<double>(prefill_tokens)) +
                   beta[2] * static_cast<double>(decode_tokens);
  return std::max<int64_t>(1, trunc_to_int64(t));
}

int64_t empty_step_advance(EmptyStepRule rule, const std::array<double, 3>& beta) {
  switch (rule) {
    case EmptyStepRule::beta0:
      return std::max<int64_t>(1, trunc_to_int64(beta[0]));
    case EmptyStepRule::one:
      break;
  }
  return 1;
}

int64_t queueing_time(const std::array<double, 3>& alpha, int64_t input_len) {
  return trunc_to_int64(alpha[0] + alpha[1] * static_cast<double>(input_len));
}

int64_t output_token_processing_time(const std::array<double, 3>& alpha) {
  return trunc_to_int64(alpha[2]);
}

}  // namespace simcheck::model
