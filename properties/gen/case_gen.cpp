// Spec §2, §3, §12.2: drawing, mapping and shrinking of generated cases (see case_gen.h).
#include "properties/gen/case_gen.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

namespace simcheck::gen {
namespace {

// splitmix64: a tiny, fast, well-mixed generator. One rc::Random draw seeds it, so generation
// costs a few hundred nanoseconds instead of one rc::Random::next per knob.
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (inclusive). The modulo bias is irrelevant for test generation.
  int64_t uniform(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool percent(int p) { return uniform(0, 99) < p; }
};

// One weighted alternative: with `weight` (percent), a value uniform in [lo, hi].
struct Band {
  int weight;
  int64_t lo, hi;
};

// Draws from a mixture of bands; the weights need not sum to 100 (they are relative).
int64_t draw_bands(SplitMix& rng, std::initializer_list<Band> bands) {
  int total = 0;
  for (const Band& b : bands) total += b.weight;
  int64_t pick = rng.uniform(0, total - 1);
  for (const Band& b : bands) {
    if (pick < b.weight) return rng.uniform(b.lo, b.hi);
    pick -= b.weight;
  }
  return 0;  // unreachable: pick < total
}

uint64_t mix64(uint64_t x) { return SplitMix{x}.next(); }

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// How long past the last arrival a run that might idle-spin forever is allowed to go. An idle
// spin advances 1 µs per step under empty_step_rule = one, max(1, trunc(beta0)) under beta0;
// the window keeps the number of spinning steps (and so the run time) small.
int64_t safety_window_us(const model::Config& cfg) {
  const bool long_spins = cfg.empty_step_rule == model::EmptyStepRule::beta0 && cfg.beta[0] >= 10.0;
  return long_spins ? 20000 : 2000;
}

// Every configuration knob, for generic shrinking. Order = shrink order: the knobs whose
// removal simplifies a case most come first.
constexpr std::array<int64_t CaseRecipe::*, 30> kCaseKnobs = {
    &CaseRecipe::pd_mode,
    &CaseRecipe::horizon,
    &CaseRecipe::instances_extra,
    &CaseRecipe::prefill_extra,
    &CaseRecipe::decode_extra,
    &CaseRecipe::standalone,
    &CaseRecipe::contention,
    &CaseRecipe::kv_blocks,
    &CaseRecipe::block_size,
    &CaseRecipe::max_num_seqs,
    &CaseRecipe::max_batched_tokens,
    &CaseRecipe::long_prefill,
    &CaseRecipe::max_model_len,
    &CaseRecipe::admission_latency,
    &CaseRecipe::routing_latency,
    &CaseRecipe::routing,
    &CaseRecipe::bandwidth,
    &CaseRecipe::base_latency,
    &CaseRecipe::kv_bytes,
    &CaseRecipe::post_decode_overhead,
    &CaseRecipe::empty_step_beta0,
    &CaseRecipe::alpha0_q,
    &CaseRecipe::alpha1_q,
    &CaseRecipe::alpha2_q,
    &CaseRecipe::beta0_q,
    &CaseRecipe::beta1_q,
    &CaseRecipe::beta2_q,
    &CaseRecipe::group0_prefix,
    &CaseRecipe::group1_prefix,
    &CaseRecipe::group2_prefix,
};
// case_seed is deliberately not shrunk: it only selects random token contents, and shrinking
// it rarely simplifies anything while doubling the candidates to try.

constexpr std::array<int64_t RequestRecipe::*, 10> kRequestKnobs = {
    &RequestRecipe::fill,           &RequestRecipe::deadline_offset, &RequestRecipe::budget,
    &RequestRecipe::budget_extra,   &RequestRecipe::input_extra,     &RequestRecipe::output_extra,
    &RequestRecipe::arrival_gap,    &RequestRecipe::prefix_group,    &RequestRecipe::token_pattern,
    &RequestRecipe::token_alphabet,
};

constexpr std::array<int64_t, 5> kBlockSizes = {16, 1, 2, 4, 8};
constexpr std::array<double, 5> kKvBytesPerToken = {512.0, 1.0, 64.0, 4096.0, 131072.0};

RequestRecipe draw_request(SplitMix& rng) {
  RequestRecipe r;
  r.arrival_gap = draw_bands(rng, {{40, 0, 0}, {40, 1, 200}, {20, 201, 5000}});
  r.input_extra = draw_bands(rng, {{70, 0, 31}, {20, 32, 95}, {10, 96, 299}});
  r.output_extra = draw_bands(rng, {{30, 0, 0}, {20, 1, 1}, {40, 2, 7}, {10, 8, 31}});
  r.fill = draw_bands(rng, {{45, 0, 0}, {25, 1, 1}, {15, 2, 2}, {15, 3, 3}});
  r.prefix_group = rng.uniform(0, 2);
  r.token_pattern = rng.uniform(0, 7);
  r.token_alphabet = rng.uniform(0, 3);
  r.deadline_offset = draw_bands(rng, {{70, 0, 0}, {20, 1, 5000}, {10, 5001, 50000}});
  r.budget = draw_bands(rng, {{80, 0, 0}, {10, 1, 1}, {10, 2, 2}});
  r.budget_extra = rng.uniform(0, 64);
  return r;
}

// Explicit token ids of pattern `p` over an alphabet of `a` symbols, positions [from, to).
// Requests sharing (p, a) share every common prefix, so explicit lists produce repeats, shared
// prefixes and identical prompts (zero-new-token admissions, §7.4).
std::vector<model::Token> pattern_tokens(int64_t p, int64_t a, int64_t from, int64_t to) {
  std::vector<model::Token> out;
  out.reserve(static_cast<size_t>(to - from));
  for (int64_t i = from; i < to; ++i) {
    uint64_t h = mix64(static_cast<uint64_t>(p) * 0x100000001B3ull + static_cast<uint64_t>(i));
    out.push_back(static_cast<model::Token>(h % static_cast<uint64_t>(a)));
  }
  return out;
}

// What bounds a request's lengths besides its own knobs.
struct LengthLimits {
  std::array<int64_t, 3> group_prefix;  // prefix length of groups g0..g2
  int64_t kv_tokens;                    // T * B
  int64_t max_model_len;                // MML (0 = unlimited)
};

model::TraceRequest to_trace_request(const RequestRecipe& r, int64_t arrival,
                                     const LengthLimits& limits) {
  model::TraceRequest t;
  t.arrival_us = arrival;
  const int64_t group = std::clamp<int64_t>(r.prefix_group, 0, 2);
  int64_t input_len = 1 + std::max<int64_t>(r.input_extra, 0);
  // A grouped request holds at least the group's shared prefix (§12.2: prefix_length <= L).
  if (r.fill == 2) input_len = std::max(input_len, limits.group_prefix[static_cast<size_t>(group)]);
  int64_t output_len = 1 + std::max<int64_t>(r.output_extra, 0);
  // Termination: without a length cap (MML = 0), an admitted request (L <= T*B) whose
  // L + N - 1 tokens exceed T*B can never finish: it preempts itself, re-prefills and repeats
  // forever (§7.4), and the run would only stop at the horizon. Cap N so that it fits alone.
  // (With MML > 0 guard 3 and the proactive cap already bound every admitted request.)
  if (limits.max_model_len == 0 && input_len <= limits.kv_tokens) {
    output_len = std::min(output_len, limits.kv_tokens - input_len + 1);
  }
  switch (r.fill) {
    case 1:
      t.input_fill = model::TokenFill::zeros;
      t.output_fill = model::TokenFill::zeros;
      t.input_len = input_len;
      t.output_len = output_len;
      break;
    case 2:
      t.input_fill = model::TokenFill::random;
      t.output_fill = model::TokenFill::random;
      t.input_len = input_len;
      t.output_len = output_len;
      t.prefix_group = "g" + std::to_string(group);
      t.prefix_length = limits.group_prefix[static_cast<size_t>(group)];
      break;
    case 3: {
      const int64_t alphabet = 1 + std::clamp<int64_t>(r.token_alphabet, 0, 3);
      const int64_t pattern = std::max<int64_t>(r.token_pattern, 0);
      t.input_fill = model::TokenFill::explicit_list;
      t.output_fill = model::TokenFill::explicit_list;
      t.input = pattern_tokens(pattern, alphabet, 0, input_len);
      t.output = pattern_tokens(pattern, alphabet, input_len, input_len + output_len);
      break;
    }
    default:
      t.input_fill = model::TokenFill::random;
      t.output_fill = model::TokenFill::random;
      t.input_len = input_len;
      t.output_len = output_len;
      break;
  }
  if (r.budget == 1) t.max_output_len = 0;
  if (r.budget >= 2) t.max_output_len = output_len + std::max<int64_t>(r.budget_extra, 0);
  if (r.deadline_offset > 0) t.deadline_us = std::max<int64_t>(1, arrival + r.deadline_offset - 1);
  return t;
}

// seq::map over the shrinks of one knob, rebuilding the whole value.
template <class Whole>
rc::Seq<Whole> shrink_knob(const Whole& whole, int64_t Whole::*knob) {
  return rc::seq::map(rc::shrink::towards<int64_t>(whole.*knob, 0), [whole, knob](int64_t v) {
    Whole copy = whole;
    copy.*knob = v;
    return copy;
  });
}

rc::Seq<RequestRecipe> shrink_request(const RequestRecipe& r) {
  return rc::seq::mapcat(rc::seq::range<size_t>(0, kRequestKnobs.size()),
                         [r](size_t i) { return shrink_knob(r, kRequestKnobs[i]); });
}

}  // namespace

CaseRecipe draw_recipe(uint64_t seed, int size, const CaseGenOptions& options) {
  SplitMix rng{seed};
  CaseRecipe c;
  const int64_t max_extra = std::max(options.max_instances, 1) - 1;
  c.case_seed = rng.uniform(0, (int64_t{1} << 31) - 1);
  c.instances_extra = max_extra == 0 ? 0 : draw_bands(rng, {{25, 0, 0}, {75, 1, max_extra}});
  c.pd_mode = options.allow_pd ? draw_bands(rng, {{45, 0, 0}, {45, 1, 1}, {10, 2, 2}}) : 0;
  c.prefill_extra = draw_bands(rng, {{60, 0, 0}, {40, 1, 3}});
  c.decode_extra = draw_bands(rng, {{60, 0, 0}, {40, 1, 3}});
  c.kv_blocks = draw_bands(rng, {{40, 0, 0}, {35, 1, 8}, {25, 9, 64}});
  c.block_size = draw_bands(rng, {{40, 0, 0}, {60, 1, 4}});
  c.max_num_seqs = draw_bands(rng, {{60, 0, 0}, {40, 1, 8}});
  c.max_batched_tokens = draw_bands(rng, {{60, 0, 0}, {40, 1, 64}});
  c.long_prefill = draw_bands(rng, {{70, 0, 0}, {30, 1, 32}});
  c.max_model_len = draw_bands(rng, {{65, 0, 0}, {35, 1, 128}});
  c.alpha0_q = draw_bands(rng, {{40, 0, 0}, {60, 1, 2000}});
  c.alpha1_q = draw_bands(rng, {{50, 0, 0}, {50, 1, 16}});
  c.alpha2_q = draw_bands(rng, {{40, 0, 0}, {60, 1, 200}});
  c.beta0_q = draw_bands(rng, {{15, 0, 0}, {85, 1, 8000}});
  c.beta1_q = draw_bands(rng, {{40, 0, 0}, {60, 1, 40}});
  c.beta2_q = draw_bands(rng, {{40, 0, 0}, {60, 1, 400}});
  c.post_decode_overhead = draw_bands(rng, {{60, 0, 0}, {40, 1, 500}});
  c.empty_step_beta0 = rng.percent(30) ? 1 : 0;
  c.admission_latency = draw_bands(rng, {{70, 0, 0}, {30, 1, 1000}});
  c.routing_latency = draw_bands(rng, {{70, 0, 0}, {30, 1, 1000}});
  c.routing = draw_bands(rng, {{50, 0, 0}, {30, 1, 1}, {20, 2, 2}});
  c.bandwidth = draw_bands(rng, {{40, 0, 0}, {10, 1, 1}, {5, 2, 2}, {45, 3, 5000}});
  c.base_latency = draw_bands(rng, {{40, 0, 0}, {10, 1, 1}, {50, 2, 2001}});
  c.contention = rng.percent(50) ? 1 : 0;
  c.kv_bytes = draw_bands(rng, {{40, 0, 0}, {60, 1, 4}});
  c.horizon = draw_bands(rng, {{80, 0, 0}, {20, 1, 20000}});
  c.standalone = rng.percent(10) ? 1 : 0;
  c.group0_prefix = rng.uniform(0, 63);
  c.group1_prefix = rng.uniform(0, 63);
  c.group2_prefix = rng.uniform(0, 63);

  const int clamped_size = std::clamp(size, 0, rc::kNominalSize);
  const int64_t max_requests = std::max<int64_t>(
      1, int64_t{std::max(options.max_requests, 1)} * clamped_size / rc::kNominalSize);
  const int64_t count = rng.uniform(1, max_requests);
  c.requests.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) c.requests.push_back(draw_request(rng));
  return c;
}

model::Case to_case(const CaseRecipe& r, const CaseGenOptions& options) {
  auto knob = [](int64_t v, int64_t hi) { return std::clamp<int64_t>(v, 0, hi); };
  model::Case c;
  c.seed = knob(r.case_seed, (int64_t{1} << 31) - 1);
  model::Config& cfg = c.config;
  const int max_instances = std::clamp(options.max_instances, 1, 8);

  cfg.num_instances = 1 + static_cast<int>(knob(r.instances_extra, max_instances - 1));
  const bool pd = options.allow_pd && max_instances >= 2 && (r.pd_mode == 1 || r.pd_mode == 2);
  if (pd) {
    // Pools of 1..4 instances each, within max_instances; instances beyond both pools keep
    // no role (§2) and never receive traffic.
    int prefill = 1 + static_cast<int>(knob(r.prefill_extra, 3));
    int decode = 1 + static_cast<int>(knob(r.decode_extra, 3));
    prefill = std::min(prefill, max_instances - 1);
    decode = std::min(decode, max_instances - prefill);
    cfg.prefill_instances = prefill;
    cfg.decode_instances = decode;
    cfg.num_instances = std::max(cfg.num_instances, prefill + decode);
    cfg.pd_decider = r.pd_mode == 1 ? model::PdDecider::always : model::PdDecider::never;
    const int64_t bw = r.bandwidth;
    cfg.pd_transfer_bandwidth_gbps = bw <= 0   ? 25.0
                                     : bw == 1 ? 0.0
                                     : bw == 2 ? -1.0
                                               : static_cast<double>(knob(bw, 5000)) / 100.0;
    cfg.pd_transfer_base_latency_ms =
        r.base_latency <= 0 ? 0.05 : static_cast<double>(knob(r.base_latency, 2001) - 1) / 1000.0;
    cfg.pd_transfer_contention = r.contention != 0;
    cfg.kv_bytes_per_token = kKvBytesPerToken[static_cast<size_t>(knob(r.kv_bytes, 4))];
  }

  cfg.total_kv_blocks = r.kv_blocks > 0 ? knob(r.kv_blocks, 64) : 1'000'000;
  cfg.block_size_tokens = kBlockSizes[static_cast<size_t>(knob(r.block_size, 4))];
  cfg.max_num_seqs = r.max_num_seqs > 0 ? knob(r.max_num_seqs, 8) : 256;
  cfg.max_num_batched_tokens = r.max_batched_tokens > 0 ? knob(r.max_batched_tokens, 64) : 2048;
  cfg.long_prefill_token_threshold = knob(r.long_prefill, 32);
  // §2: ceil_div(MML, B) <= T, i.e. MML <= T * B.
  cfg.max_model_len =
      std::min(knob(r.max_model_len, 128), cfg.total_kv_blocks * cfg.block_size_tokens);
  cfg.alpha = {static_cast<double>(knob(r.alpha0_q, 2000)) / 4.0,
               static_cast<double>(knob(r.alpha1_q, 16)) / 4.0,
               static_cast<double>(knob(r.alpha2_q, 200)) / 4.0};
  cfg.beta = {static_cast<double>(knob(r.beta0_q, 8000)) / 4.0,
              static_cast<double>(knob(r.beta1_q, 40)) / 4.0,
              static_cast<double>(knob(r.beta2_q, 400)) / 4.0};
  cfg.post_decode_fixed_overhead_us = knob(r.post_decode_overhead, 500);
  cfg.empty_step_rule =
      r.empty_step_beta0 != 0 ? model::EmptyStepRule::beta0 : model::EmptyStepRule::one;
  cfg.admission_latency_us = knob(r.admission_latency, 1000);
  cfg.routing_latency_us = knob(r.routing_latency, 1000);
  if (r.routing == 1 || r.routing == 2) {
    cfg.routing_policy = model::RoutingPolicy::least_loaded;
    cfg.least_loaded_tiebreak =
        r.routing == 2 ? model::LeastLoadedTiebreak::random : model::LeastLoadedTiebreak::first;
  }
  cfg.horizon_us = r.horizon > 0 ? knob(r.horizon, 20000) : model::kNoHorizon;
  if (r.standalone != 0 && cfg.num_instances == 1 && !pd) cfg.driver = model::Driver::standalone;
  cfg.record_events = options.record_events;
  cfg.projection = options.projection;
  // mixed: one bit of case_seed, which is never shrunk, so a case keeps its profile while it
  // shrinks; faithful draws nothing, so the faithful campaign's cases are unchanged.
  const bool causal = options.profile == ProfileMix::causal ||
                      (options.profile == ProfileMix::mixed && ((r.case_seed >> 17) & 1) != 0);
  if (causal) {
    cfg.time_profile = model::TimeProfile::causal;
    cfg.projection = model::ProjectionEra::current;  // the causal projection is Δ7's (validation)
  }

  const LengthLimits limits{
      {1 + knob(r.group0_prefix, 63), 1 + knob(r.group1_prefix, 63), 1 + knob(r.group2_prefix, 63)},
      cfg.total_kv_blocks * cfg.block_size_tokens,
      cfg.max_model_len};
  int64_t arrival = 0;
  c.requests.reserve(r.requests.size());
  for (const RequestRecipe& rr : r.requests) {
    arrival += knob(rr.arrival_gap, 5000);
    c.requests.push_back(to_trace_request(rr, arrival, limits));
  }
  if (c.requests.empty()) c.requests.push_back(to_trace_request(RequestRecipe{}, 0, limits));

  // Termination of disaggregated runs: reserved-but-waiting decode sub-requests hold KV on a
  // decode pod while nothing runs there; if the head of its queue then needs a fresh block, the
  // pod idle-spins until the horizon (§7.7, §9.8). Safe when the pod can hold every reservation
  // plus the largest request at once; otherwise a finite horizon bounds the run.
  if (pd && cfg.pd_decider == model::PdDecider::always && cfg.horizon_us == model::kNoHorizon) {
    int64_t reserved = 0, largest = 0;
    for (const model::TraceRequest& t : c.requests) {
      const int64_t L = t.input_fill == model::TokenFill::explicit_list
                            ? static_cast<int64_t>(t.input.size())
                            : t.input_len;
      const int64_t N = t.output_fill == model::TokenFill::explicit_list
                            ? static_cast<int64_t>(t.output.size())
                            : t.output_len;
      reserved += ceil_div(L, cfg.block_size_tokens);
      largest = std::max(largest, ceil_div(L + N, cfg.block_size_tokens));
    }
    if (reserved + largest > cfg.total_kv_blocks) {
      cfg.horizon_us =
          arrival + cfg.admission_latency_us + cfg.routing_latency_us + safety_window_us(cfg);
    }
  }
  return c;
}

int64_t recipe_weight(const CaseRecipe& recipe) {
  int64_t w = 0;
  for (auto knob : kCaseKnobs) w += std::abs(recipe.*knob);
  for (const RequestRecipe& r : recipe.requests) {
    for (auto knob : kRequestKnobs) w += std::abs(r.*knob);
  }
  return w;
}

rc::Seq<CaseRecipe> shrink_recipe(const CaseRecipe& recipe) {
  // 1. Fewer requests (never none).
  rc::Seq<CaseRecipe> fewer;
  if (recipe.requests.size() > 1) {
    fewer = rc::seq::map(
        rc::seq::filter(rc::shrink::removeChunks(recipe.requests),
                        [](const std::vector<RequestRecipe>& rs) { return !rs.empty(); }),
        [recipe](std::vector<RequestRecipe> rs) {
          CaseRecipe copy = recipe;
          copy.requests = std::move(rs);
          return copy;
        });
  }
  // 2. Configuration knobs towards 0 (features off, defaults).
  auto knobs = rc::seq::mapcat(rc::seq::range<size_t>(0, kCaseKnobs.size()),
                               [recipe](size_t i) { return shrink_knob(recipe, kCaseKnobs[i]); });
  // 3. Each request's knobs towards 0.
  auto each = rc::seq::map(rc::shrink::eachElement(recipe.requests, &shrink_request),
                           [recipe](std::vector<RequestRecipe> rs) {
                             CaseRecipe copy = recipe;
                             copy.requests = std::move(rs);
                             return copy;
                           });
  return rc::seq::concat(std::move(fewer), std::move(knobs), std::move(each));
}

namespace {
// The one 64-bit seed a generated case is drawn from.
uint64_t recipe_seed(const rc::Random& random) {
  rc::Random own = random;
  return own.next();
}
}  // namespace

model::Case generate_case(const rc::Random& random, int size, const CaseGenOptions& options) {
  return to_case(draw_recipe(recipe_seed(random), size, options), options);
}

rc::Gen<CaseRecipe> gen_recipe(CaseGenOptions options) {
  return rc::Gen<CaseRecipe>([options](const rc::Random& random, int size) {
    CaseRecipe recipe = draw_recipe(recipe_seed(random), size, options);
    return rc::shrinkable::shrinkRecur(std::move(recipe), &shrink_recipe);
  });
}

rc::Gen<model::Case> gen_case(CaseGenOptions options) {
  return rc::gen::map(gen_recipe(options),
                      [options](const CaseRecipe& r) { return to_case(r, options); });
}

}  // namespace simcheck::gen
