// Spec §2, §3, §12.2: RapidCheck generator of valid v1 cases (explicit traces) and its shrinking.
//
// A case is generated in two stages. First a `CaseRecipe` is drawn: a bag of small integer
// "knobs", each of which means "feature off / default / smallest" at 0. Then `to_case` turns a
// recipe into a model::Case, clamping every value into the ranges of spec §2/§3, so that *any*
// recipe — in particular any shrunk one — maps to a case that model::validate_case accepts.
// Shrinking works on the recipe (fewer requests, knobs towards 0) and therefore yields small,
// valid cases with features switched off.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "model/case.h"

namespace simcheck::gen {

// Which time profile (Addendum C) the generated cases use; mixed draws one per case.
enum class ProfileMix { faithful, causal, mixed };

// Bounds of the generated space. The defaults are the "default case size".
struct CaseGenOptions {
  int max_instances = 8;  // 1..8
  int max_requests = 64;  // at generation size kNominalSize (100); scaled linearly by size
  bool allow_pd = true;   // false: never enable prefill/decode disaggregation
  bool record_events = true;
  // Config::projection of every case (Appendix A eras, for historical hunting).
  model::ProjectionEra projection = model::ProjectionEra::current;
  ProfileMix profile = ProfileMix::faithful;
};

// One request's knobs. 0 everywhere = one request, arrival together with the previous one,
// 1 input token, 1 output token, random (non-colliding) fill, no deadline, default budget.
struct RequestRecipe {
  int64_t arrival_gap = 0;      // µs after the previous request (0 = simultaneous)
  int64_t input_extra = 0;      // L = 1 + input_extra
  int64_t output_extra = 0;     // N = 1 + output_extra
  int64_t fill = 0;             // 0 random, 1 zeros, 2 prefix group, 3 explicit tokens
  int64_t prefix_group = 0;     // group index 0..2 (fill 2); L is raised to the group's length
  int64_t token_pattern = 0;    // explicit tokens: which pseudo-random pattern (fill 3)
  int64_t token_alphabet = 0;   // explicit tokens: alphabet = 1 + token_alphabet (repeats)
  int64_t deadline_offset = 0;  // 0 = none; else deadline = arrival + offset - 1 (>= 1)
  int64_t budget = 0;           // 0 default (N), 1 max_output_len = 0 ("no budget"), 2 N+extra
  int64_t budget_extra = 0;     // budget 2: max_output_len = N + budget_extra
  friend bool operator==(const RequestRecipe&, const RequestRecipe&) = default;
};

// Configuration knobs (spec §2 names, encoded so that 0 = the §2 default or "off").
struct CaseRecipe {
  int64_t case_seed = 0;           // Case::seed (random fill, router stream)
  int64_t instances_extra = 0;     // num_instances = 1 + instances_extra (raised to fit PD pools)
  int64_t pd_mode = 0;             // 0 off, 1 decider always, 2 decider never
  int64_t prefill_extra = 0;       // prefill_instances = 1 + prefill_extra
  int64_t decode_extra = 0;        // decode_instances = 1 + decode_extra
  int64_t kv_blocks = 0;           // 0: 1'000'000 (default); else T = kv_blocks
  int64_t block_size = 0;          // index into {16 (default), 1, 2, 4, 8}
  int64_t max_num_seqs = 0;        // 0: 256; else this value
  int64_t max_batched_tokens = 0;  // 0: 2048; else this value
  int64_t long_prefill = 0;        // long_prefill_token_threshold (0 = no cap)
  int64_t max_model_len = 0;       // 0 unlimited; clamped so that ceil_div(MML, B) <= T
  int64_t alpha0_q = 0, alpha1_q = 0, alpha2_q = 0;  // alpha[i] = knob / 4 (quarter µs)
  int64_t beta0_q = 0, beta1_q = 0, beta2_q = 0;     // beta[i] = knob / 4
  int64_t post_decode_overhead = 0;                  // P (µs)
  int64_t empty_step_beta0 = 0;                      // 1 = empty_step_rule beta0
  int64_t admission_latency = 0;
  int64_t routing_latency = 0;
  int64_t routing = 0;       // 0 round-robin, 1 least-loaded/first, 2 least-loaded/random
  int64_t bandwidth = 0;     // 0: 25 GB/s; 1: 0 ("latency only"); 2: -1; else knob/100
  int64_t base_latency = 0;  // 0: 0.05 ms; else (knob - 1) / 1000 ms
  int64_t contention = 0;    // 1 = pd_transfer_contention
  int64_t kv_bytes = 0;      // index into {512, 1, 64, 4096, 131072} bytes/token
  int64_t horizon = 0;       // 0 = none (to_case adds one if the run could spin forever)
  int64_t standalone = 0;    // 1 = standalone driver (only for 1 instance without PD)
  // Shared prefix length of prefix groups g0..g2 = 1 + knob (validation wants one length per
  // group, so it lives here and not in the requests).
  int64_t group0_prefix = 0, group1_prefix = 0, group2_prefix = 0;
  std::vector<RequestRecipe> requests;  // never empty
  friend bool operator==(const CaseRecipe&, const CaseRecipe&) = default;
};

// Draws a recipe from a 64-bit seed. `size` in [0, 100] scales the request count.
CaseRecipe draw_recipe(uint64_t seed, int size, const CaseGenOptions& options);

// The case a recipe stands for. Total: every recipe (drawn or shrunk) maps to a valid case.
// Bounded: without a length cap N is capped so that no admitted request can outgrow the KV cache
// (it would preempt itself forever, §7.4), and a disaggregated case whose decode pods could fill
// with waiting reservations (idle spin until the horizon, §7.7) gets a finite horizon
// (docs/usage.md "Termination guards").
model::Case to_case(const CaseRecipe& recipe, const CaseGenOptions& options);

// Candidate simplifications of a recipe, simplest first: remove chunks of requests, then move
// each configuration knob towards 0, then each request knob towards 0.
rc::Seq<CaseRecipe> shrink_recipe(const CaseRecipe& recipe);

// Sum of the absolute values of every knob except case_seed: each shrink of shrink_recipe either
// removes requests or keeps them and lowers this sum, so shrinking terminates and always
// simplifies.
int64_t recipe_weight(const CaseRecipe& recipe);

// The value gen_case(options)(random, size) holds, without building its shrink tree (the
// campaign's hot path).
model::Case generate_case(const rc::Random& random, int size, const CaseGenOptions& options);

// The generators. `gen_recipe` draws with draw_recipe (one 64-bit seed taken from the rc::Random)
// and shrinks with shrink_recipe; `gen_case` maps it through to_case. Both are pure functions of
// (Random, size): no global state, no gen::exec, safe to use from several threads.
rc::Gen<CaseRecipe> gen_recipe(CaseGenOptions options = {});
rc::Gen<model::Case> gen_case(CaseGenOptions options = {});

}  // namespace simcheck::gen
