// properties/gen/case_gen: every generated or shrunk case is valid (spec §2, §3, §12.2), shrinking
// simplifies, generation is a pure function of (Random, size), the generator reaches every corner
// of the v1 configuration space, and the reference model passes the catalogue on generated cases.
// Case counts: base counts below times SIMCHECK_RC_SCALE (rc_support.h).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "io/case_writer.h"
#include "model/case_validation.h"
#include "model/simulate.h"
#include "properties/gen/campaign.h"
#include "properties/gen/case_gen.h"
#include "properties/gen/minimise.h"
#include "tests/properties/rc_support.h"

namespace simcheck {
namespace {

using gen::CaseRecipe;
using gen::RequestRecipe;
using testing::check_property;

std::string describe(const std::vector<properties::Violation>& violations) {
  std::string s;
  for (const auto& v : violations) s += v.invariant + " [" + v.subject + "] " + v.detail + "\n";
  return s;
}

int64_t input_len(const model::TraceRequest& r) {
  return r.input_fill == model::TokenFill::explicit_list ? static_cast<int64_t>(r.input.size())
                                                         : r.input_len;
}
int64_t output_len(const model::TraceRequest& r) {
  return r.output_fill == model::TokenFill::explicit_list ? static_cast<int64_t>(r.output.size())
                                                          : r.output_len;
}

TEST(CaseGen, EveryGeneratedCaseIsValid) {
  check_property(
      [] {
        const model::Case c = *gen::gen_case();
        if (const auto error = model::validate_case(c)) {
          RC_FAIL(error->field + " = " + error->value + ": " + error->message);
        }
        RC_ASSERT(!c.requests.empty());
        RC_ASSERT(c.requests.size() <= 64u);
        RC_ASSERT(c.config.num_instances >= 1 && c.config.num_instances <= 8);
        RC_ASSERT(c.config.record_events);
      },
      500);
}

TEST(CaseGen, RestrictedOptionsAreHonoured) {
  check_property(
      [] {
        gen::CaseGenOptions options;
        options.allow_pd = false;
        options.max_instances = 3;
        options.max_requests = 5;
        options.projection = model::ProjectionEra::pre_931;
        const model::Case c = *gen::gen_case(options);
        RC_ASSERT(!model::validate_case(c));
        RC_ASSERT(!c.config.pd_enabled());
        RC_ASSERT(c.config.num_instances <= 3);
        RC_ASSERT(c.requests.size() <= 5u);
        RC_ASSERT(c.config.projection == model::ProjectionEra::pre_931);
      },
      200);
}

// Walks random paths down the shrink tree: every shrink on the way maps to a valid case, and
// every shrink either drops requests or keeps them and lowers the knob weight (so shrinking
// terminates and simplifies).
TEST(CaseGen, ShrinksStayValidAndSimplify) {
  check_property(
      [] {
        const auto seed = *rc::gen::arbitrary<uint64_t>();
        const int size = *rc::gen::inRange(0, rc::kNominalSize + 1);
        const auto path = *rc::gen::container<std::vector<int>>(12, rc::gen::inRange(0, 1 << 20));
        const gen::CaseGenOptions options;
        rc::Shrinkable<CaseRecipe> node = gen::gen_recipe(options)(rc::Random(seed), size);
        for (int choice : path) {
          const CaseRecipe parent = node.value();
          std::vector<rc::Shrinkable<CaseRecipe>> kids;
          auto shrinks = node.shrinks();
          while (kids.size() < 40) {
            auto kid = shrinks.next();
            if (!kid) break;
            kids.push_back(std::move(*kid));
          }
          if (kids.empty()) break;
          for (const auto& kid : kids) {
            const CaseRecipe r = kid.value();
            RC_ASSERT(!r.requests.empty());
            const bool fewer = r.requests.size() < parent.requests.size();
            const bool lighter = r.requests.size() == parent.requests.size() &&
                                 gen::recipe_weight(r) < gen::recipe_weight(parent);
            RC_ASSERT(fewer || lighter);
            if (const auto error = model::validate_case(gen::to_case(r, options))) {
              RC_FAIL("shrunk case invalid: " + error->field + ": " + error->message);
            }
          }
          node = kids[static_cast<size_t>(choice) % kids.size()];
        }
      },
      100);
}

TEST(CaseGen, GenerationIsAPureFunctionOfRandomAndSize) {
  check_property(
      [] {
        const auto seed = *rc::gen::arbitrary<uint64_t>();
        const int size = *rc::gen::inRange(0, rc::kNominalSize + 1);
        const rc::Random random(seed);
        const std::string direct = io::write_case(gen::generate_case(random, size, {}));
        RC_ASSERT(io::write_case(gen::gen_case()(random, size).value()) == direct);
        RC_ASSERT(io::write_case(gen::gen_case()(random, size).value()) == direct);
        RC_ASSERT(gen::gen_recipe()(random, size).value() ==
                  gen::gen_recipe()(random, size).value());
      },
      200);
}

// The reference model against the whole catalogue, current projection, default options: no
// gating violation. On failure RapidCheck prints the shrunk case's violations.
TEST(CaseGen, SimulateAndCheckHoldsForTheCurrentProjection) {
  check_property(
      [] {
        const model::Case c = *gen::gen_case();
        const gen::CaseVerdict v = gen::evaluate_case(c, /*strict=*/false, {});
        if (v.failed()) RC_FAIL(describe(v.failing) + io::write_case(c));
      },
      300);
}

// ---- shrinking reaches the simplest case that keeps a property ----

CaseRecipe simplest_recipe(int64_t case_seed, size_t requests) {
  CaseRecipe r;
  r.case_seed = case_seed;
  r.requests.assign(requests, RequestRecipe{});
  return r;
}

TEST(CaseGenShrinking, AnAlwaysFailingPropertyShrinksToTheSimplestCase) {
  const auto start = gen::gen_recipe()(rc::Random(99), rc::kNominalSize);
  ASSERT_GT(start.value().requests.size(), 1u);
  const auto m = gen::minimise(
      start, [](const CaseRecipe&) { return true; }, 1'000'000);
  EXPECT_FALSE(m.exhausted);
  EXPECT_EQ(m.value, simplest_recipe(start.value().case_seed, 1));
  // ... which is spec §2's default configuration with one request L = N = 1.
  const model::Case c = gen::to_case(m.value, {});
  EXPECT_EQ(c.config.num_instances, 1);
  EXPECT_FALSE(c.config.pd_enabled());
  EXPECT_EQ(c.config.total_kv_blocks, 1'000'000);
  EXPECT_EQ(c.config.block_size_tokens, 16);
  EXPECT_EQ(c.config.max_num_seqs, 256);
  EXPECT_EQ(c.config.max_num_batched_tokens, 2048);
  EXPECT_EQ(c.config.max_model_len, 0);
  EXPECT_EQ(c.config.horizon_us, model::kNoHorizon);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(input_len(c.requests[0]), 1);
  EXPECT_EQ(output_len(c.requests[0]), 1);
  EXPECT_EQ(c.requests[0].deadline_us, 0);
}

TEST(CaseGenShrinking, KeepsExactlyWhatThePropertyNeeds) {
  auto start = gen::gen_recipe()(rc::Random(7), rc::kNominalSize);
  for (uint64_t s = 8; start.value().requests.size() <= 3; ++s) {
    start = gen::gen_recipe()(rc::Random(s), rc::kNominalSize);
  }
  const auto three = gen::minimise(
      start, [](const CaseRecipe& r) { return r.requests.size() >= 3; }, 1'000'000);
  EXPECT_EQ(three.value, simplest_recipe(start.value().case_seed, 3));

  // A property of the mapped case: "PD is enabled" keeps the smallest PD configuration.
  auto pd_start = gen::gen_case()(rc::Random(3), rc::kNominalSize);
  for (uint64_t s = 4; !pd_start.value().config.pd_enabled(); ++s) {
    pd_start = gen::gen_case()(rc::Random(s), rc::kNominalSize);
  }
  const auto pd = gen::minimise(
      pd_start, [](const model::Case& c) { return c.config.pd_enabled(); }, 1'000'000);
  EXPECT_EQ(pd.value.config.prefill_instances, 1);
  EXPECT_EQ(pd.value.config.decode_instances, 1);
  EXPECT_EQ(pd.value.config.num_instances, 2);
  EXPECT_EQ(pd.value.config.pd_decider, model::PdDecider::always);
  EXPECT_EQ(pd.value.requests.size(), 1u);
  EXPECT_FALSE(model::validate_case(pd.value));
}

TEST(CaseGenShrinking, StopsAtTheTryBudget) {
  const auto start = gen::gen_recipe()(rc::Random(5), rc::kNominalSize);
  const auto m = gen::minimise(
      start, [](const CaseRecipe&) { return false; }, 3);
  EXPECT_TRUE(m.exhausted);
  EXPECT_EQ(m.tried, 3);
  EXPECT_EQ(m.accepted, 0);
  EXPECT_EQ(m.value, start.value());
}

// ---- the generator reaches every corner of the configuration space ----

TEST(CaseGen, ReachesEveryFeatureOfTheConfigurationSpace) {
  using Pred = std::function<bool(const model::Case&)>;
  auto any_request = [](std::function<bool(const model::Config&, const model::TraceRequest&)> p) {
    return [p](const model::Case& c) {
      for (const auto& r : c.requests) {
        if (p(c.config, r)) return true;
      }
      return false;
    };
  };
  const std::map<std::string, Pred> features = {
      {"pd decider always",
       [](const model::Case& c) { return c.config.pd_decider == model::PdDecider::always; }},
      {"pd decider never",
       [](const model::Case& c) {
         return c.config.pd_enabled() && c.config.pd_decider == model::PdDecider::never;
       }},
      {"8 instances", [](const model::Case& c) { return c.config.num_instances == 8; }},
      {"instances without a role",
       [](const model::Case& c) {
         return c.config.pd_enabled() &&
                c.config.prefill_instances + c.config.decode_instances < c.config.num_instances;
       }},
      {"tiny KV (T <= 4)", [](const model::Case& c) { return c.config.total_kv_blocks <= 4; }},
      {"block size 1", [](const model::Case& c) { return c.config.block_size_tokens == 1; }},
      {"max_num_seqs 1", [](const model::Case& c) { return c.config.max_num_seqs == 1; }},
      {"tight token budget",
       [](const model::Case& c) { return c.config.max_num_batched_tokens <= 8; }},
      {"chunked prefill",
       [](const model::Case& c) { return c.config.long_prefill_token_threshold > 0; }},
      {"max_model_len", [](const model::Case& c) { return c.config.max_model_len > 0; }},
      {"fractional alpha/beta",
       [](const model::Case& c) {
         return c.config.beta[0] != static_cast<double>(static_cast<int64_t>(c.config.beta[0]));
       }},
      {"post-decode overhead",
       [](const model::Case& c) { return c.config.post_decode_fixed_overhead_us > 0; }},
      {"empty step rule beta0",
       [](const model::Case& c) {
         return c.config.empty_step_rule == model::EmptyStepRule::beta0;
       }},
      {"admission and routing latency",
       [](const model::Case& c) {
         return c.config.admission_latency_us > 0 && c.config.routing_latency_us > 0;
       }},
      {"least-loaded random tie-break",
       [](const model::Case& c) {
         return c.config.routing_policy == model::RoutingPolicy::least_loaded &&
                c.config.least_loaded_tiebreak == model::LeastLoadedTiebreak::random;
       }},
      {"bandwidth 0 (latency only)",
       [](const model::Case& c) {
         return c.config.pd_enabled() && c.config.pd_transfer_bandwidth_gbps == 0.0;
       }},
      {"negative bandwidth",
       [](const model::Case& c) {
         return c.config.pd_enabled() && c.config.pd_transfer_bandwidth_gbps < 0.0;
       }},
      {"zero base latency",
       [](const model::Case& c) {
         return c.config.pd_enabled() && c.config.pd_transfer_base_latency_ms == 0.0;
       }},
      {"contention", [](const model::Case& c) { return c.config.pd_transfer_contention; }},
      {"finite horizon",
       [](const model::Case& c) { return c.config.horizon_us != model::kNoHorizon; }},
      {"standalone driver",
       [](const model::Case& c) { return c.config.driver == model::Driver::standalone; }},
      {"simultaneous arrivals",
       [](const model::Case& c) {
         return c.requests.size() >= 3 && c.requests[1].arrival_us == c.requests[0].arrival_us &&
                c.requests[2].arrival_us == c.requests[0].arrival_us;
       }},
      {"output length 1", any_request([](const model::Config&, const model::TraceRequest& r) {
         return output_len(r) == 1;
       })},
      {"output length 2", any_request([](const model::Config&, const model::TraceRequest& r) {
         return output_len(r) == 2;
       })},
      {"prompt beyond KV capacity",
       any_request([](const model::Config& cfg, const model::TraceRequest& r) {
         return input_len(r) > cfg.total_kv_blocks * cfg.block_size_tokens;
       })},
      {"prompt >= max_model_len",
       any_request([](const model::Config& cfg, const model::TraceRequest& r) {
         return cfg.max_model_len > 0 && input_len(r) >= cfg.max_model_len;
       })},
      {"zero fill", any_request([](const model::Config&, const model::TraceRequest& r) {
         return r.input_fill == model::TokenFill::zeros;
       })},
      {"prefix group", any_request([](const model::Config&, const model::TraceRequest& r) {
         return !r.prefix_group.empty();
       })},
      {"explicit tokens with repeats",
       any_request([](const model::Config&, const model::TraceRequest& r) {
         return r.input.size() >= 2 && r.input[0] == r.input[1];
       })},
      {"deadline", any_request([](const model::Config&, const model::TraceRequest& r) {
         return r.deadline_us > 0;
       })},
      {"max_output_len 0 (no budget)",
       any_request([](const model::Config&, const model::TraceRequest& r) {
         return r.max_output_len == 0;
       })},
      {"max_output_len above N",
       any_request([](const model::Config&, const model::TraceRequest& r) {
         return r.max_output_len && *r.max_output_len > output_len(r);
       })},
  };
  std::map<std::string, int> seen;
  constexpr int kCases = 2000;
  for (int i = 0; i < kCases; ++i) {
    const model::Case c = gen::generate_case(gen::case_random(11, i), gen::case_size(11, i), {});
    for (const auto& [name, pred] : features) seen[name] += pred(c) ? 1 : 0;
  }
  for (const auto& [name, pred] : features) {
    EXPECT_GT(seen[name], 0) << "no generated case has: " << name;
  }
}

// Termination guard of to_case: without a length cap no admitted request can outgrow the KV
// cache (it would preempt itself forever, §7.4), and a disaggregated case whose decode pods could
// fill up with waiting reservations gets a finite horizon.
TEST(CaseGen, GeneratedRunsAreBounded) {
  for (int i = 0; i < 2000; ++i) {
    const model::Case c = gen::generate_case(gen::case_random(13, i), gen::case_size(13, i), {});
    const model::Config& cfg = c.config;
    const int64_t kv_tokens = cfg.total_kv_blocks * cfg.block_size_tokens;
    int64_t reserved = 0, largest = 0;
    for (const auto& r : c.requests) {
      const int64_t L = input_len(r), N = output_len(r);
      if (cfg.max_model_len == 0 && L <= kv_tokens) {
        EXPECT_LE(L + N - 1, kv_tokens) << "case " << i;
      }
      reserved += (L + cfg.block_size_tokens - 1) / cfg.block_size_tokens;
      largest = std::max(largest, (L + N + cfg.block_size_tokens - 1) / cfg.block_size_tokens);
    }
    if (cfg.pd_enabled() && cfg.pd_decider == model::PdDecider::always &&
        reserved + largest > cfg.total_kv_blocks) {
      EXPECT_NE(cfg.horizon_us, model::kNoHorizon) << "case " << i;
    }
  }
}

}  // namespace
}  // namespace simcheck
