// The generated cases BLIS can express (docs/oracle.md "What BLIS can express"): the case
// generator's recipes (properties/gen/case_gen.h) with every knob that has no BLIS equivalent
// turned to its expressible value, so that shrinking a recipe keeps it expressible.
#pragma once

#include "model/case.h"
#include "properties/gen/case_gen.h"

namespace simcheck::sut {

struct BlisCaseOptions {
  // The model description BLIS runs with fixes this (sut::default_blis_args: llama-3.1-8b).
  double kv_bytes_per_token = 131072.0;
  // The default 10^6 blocks become this: 64 requests of at most 300 + 32 tokens fit even at one
  // token per block, and BLIS's start-up cost grows with the block count.
  int64_t max_kv_blocks = 32768;
};

// Idempotent: constant step time (alpha1 = beta1 = beta2 = 0), cluster driver, round-robin
// routing (BLIS breaks least-loaded ties with its own RNG, A8), empty steps of 1 µs, a positive
// transfer bandwidth, random or prefix-group tokens (BLIS draws its own token ids), and the
// output length as the budget.
gen::CaseRecipe blis_expressible(gen::CaseRecipe recipe);

// to_case of the expressible recipe, with the model's KV bytes per token.
model::Case blis_case(const gen::CaseRecipe& recipe, const gen::CaseGenOptions& gen,
                      const BlisCaseOptions& options);

}  // namespace simcheck::sut
