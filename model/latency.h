// Spec §5: the blackbox latency model (step time, queueing time, output-token processing time).
#pragma once

#include <array>
#include <cstdint>

#include "model/config.h"

namespace simcheck::model {

// §5.1 STEP_TIME for a batch with `prefill_tokens` (P) cache-miss prefill tokens and
// `decode_tokens` (D) decode tokens: max(1, trunc(((0.0 + β0) + β1·P) + β2·D)).
int64_t step_time(const std::array<double, 3>& beta, int64_t prefill_tokens, int64_t decode_tokens);

// §5.1 advance of a step whose scheduled set S is empty: `one` → 1, `beta0` → max(1, trunc(β0)).
int64_t empty_step_advance(EmptyStepRule rule, const std::array<double, 3>& beta);

// §5.2 QT(r) = trunc(α0 + α1·L): delay from ARRIVAL to QUEUED (may be 0).
int64_t queueing_time(const std::array<double, 3>& alpha, int64_t input_len);

// §5.2 OTP = trunc(α2): added to every ITL entry and to the first-token time, never to the clock.
int64_t output_token_processing_time(const std::array<double, 3>& alpha);

}  // namespace simcheck::model
