// The BLIS-expressible subset of generated cases (see blis_cases.h).
#include "sut/blis_cases.h"

namespace simcheck::sut {

gen::CaseRecipe blis_expressible(gen::CaseRecipe r) {
  r.alpha1_q = 0;  // BLIS's alpha1 is the post-decode overhead, not a per-token term
  r.beta1_q = 0;   // only a constant step time maps onto trained-physics
  r.beta2_q = 0;
  r.standalone = 0;        // the BLIS CLI always runs the cluster driver
  r.empty_step_beta0 = 0;  // BLIS charges 1 µs for an empty step
  r.routing = 0;           // round-robin: least-loaded ties use BLIS's RNG (A8)
  if (r.bandwidth == 1 || r.bandwidth == 2) r.bandwidth = 0;  // BLIS rejects bandwidth <= 0
  r.kv_bytes = 0;  // replaced by the model's value in blis_case
  for (gen::RequestRecipe& q : r.requests) {
    if (q.fill == 1 || q.fill == 3) q.fill = 0;  // BLIS draws its own token ids
    q.budget = 0;                                // replay's budget is the output length
    q.budget_extra = 0;
    q.token_pattern = 0;
    q.token_alphabet = 0;
    if (q.fill != 2) q.prefix_group = 0;
  }
  return r;
}

model::Case blis_case(const gen::CaseRecipe& recipe, const gen::CaseGenOptions& gen,
                      const BlisCaseOptions& options) {
  model::Case c = gen::to_case(blis_expressible(recipe), gen);
  if (c.config.pd_enabled()) c.config.kv_bytes_per_token = options.kv_bytes_per_token;
  // BLIS allocates every block of every instance up front (~0.3 s per instance at the default
  // 10^6); a generated case of <= 64 requests never needs more than this many.
  if (c.config.total_kv_blocks > options.max_kv_blocks) {
    c.config.total_kv_blocks = options.max_kv_blocks;
  }
  c.config.record_events = false;
  return c;
}

}  // namespace simcheck::sut
