// Spec §12.2 (traces) and §12.3 (generator): model::materialise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "model/case_validation.h"
#include "model/rng.h"
#include "model/simulate.h"

namespace simcheck::model {
namespace {

TraceRequest by_length(int64_t arrival, int64_t L, int64_t N, TokenFill fill = TokenFill::random) {
  TraceRequest r;
  r.arrival_us = arrival;
  r.input_fill = fill;
  r.input_len = L;
  r.output_fill = fill;
  r.output_len = N;
  return r;
}

Trace checked_materialise(const Case& c) {
  const auto error = validate_case(c);
  EXPECT_FALSE(error.has_value()) << error->field << ": " << error->message;
  return materialise(c);
}

TEST(MaterialiseTrace, DefaultsIdsBudgetsAndDeadlines) {
  Case c;
  c.requests = {by_length(0, 3, 2), by_length(5, 1, 4), by_length(5, 2, 1)};
  c.requests[1].id = "mine";
  c.requests[2].max_output_len = 0;
  c.requests[2].deadline_us = 77;
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].id, "request_0");
  EXPECT_EQ(t[1].id, "mine");
  EXPECT_EQ(t[2].id, "request_2");    // position in the trace, not a counter of unnamed requests
  EXPECT_EQ(t[0].max_output_len, 2);  // default N
  EXPECT_EQ(t[1].max_output_len, 4);
  EXPECT_EQ(t[2].max_output_len, 0);  // explicit 0 = "no budget" is kept
  EXPECT_EQ(t[0].deadline, 0);
  EXPECT_EQ(t[2].deadline, 77);
  EXPECT_EQ(t[1].arrival, 5);
  EXPECT_EQ(t[0].input.size(), 3u);
  EXPECT_EQ(t[1].output.size(), 4u);
}

TEST(MaterialiseTrace, RandomFillDrawsInTraceOrderInputBeforeOutput) {
  Case c;
  c.seed = 7;
  c.requests = {by_length(0, 2, 1), by_length(0, 1, 2)};
  const Trace t = checked_materialise(c);
  // §12.2: U(128000) per token from stream "workload-gen", request 0 input, request 0 output,
  // request 1 input, request 1 output.
  Rng wg = stream(7, "workload-gen");
  std::vector<Token> expected;
  for (int k = 0; k < 6; ++k) expected.push_back(static_cast<Token>(wg.uniform(128000)));
  EXPECT_EQ(t[0].input, (std::vector<Token>{expected[0], expected[1]}));
  EXPECT_EQ(t[0].output, (std::vector<Token>{expected[2]}));
  EXPECT_EQ(t[1].input, (std::vector<Token>{expected[3]}));
  EXPECT_EQ(t[1].output, (std::vector<Token>{expected[4], expected[5]}));
  for (Token x : expected) EXPECT_LT(x, 128000);
}

TEST(MaterialiseTrace, ZeroFillAndExplicitLists) {
  Case c;
  c.requests = {by_length(0, 20, 3, TokenFill::zeros), by_length(1, 20, 3, TokenFill::zeros)};
  TraceRequest e;
  e.arrival_us = 2;
  e.input_fill = TokenFill::explicit_list;
  e.input = {5, 6, 7, 8};
  e.output_fill = TokenFill::explicit_list;
  e.output = {9};
  c.requests.push_back(e);
  const Trace t = checked_materialise(c);
  // Zero-filled prompts are equal, so they share their prefix-cache blocks (§6, §12.2).
  EXPECT_EQ(t[0].input, std::vector<Token>(20, 0));
  EXPECT_EQ(t[0].input, t[1].input);
  EXPECT_EQ(t[1].output, std::vector<Token>(3, 0));
  EXPECT_EQ(t[2].input, (std::vector<Token>{5, 6, 7, 8}));
  EXPECT_EQ(t[2].output, (std::vector<Token>{9}));
  EXPECT_EQ(t[2].max_output_len, 1);
}

TEST(MaterialiseTrace, PrefixGroupsShareOnlyTheirPrefix) {
  Case c;
  c.requests = {by_length(0, 5, 2), by_length(1, 4, 3), by_length(2, 6, 1), by_length(3, 3, 2),
                by_length(4, 7, 2)};
  c.requests[0].prefix_group = "g1";
  c.requests[0].prefix_length = 3;
  c.requests[1].prefix_group = "g1";
  c.requests[1].prefix_length = 3;
  c.requests[2].prefix_group = "g2";
  c.requests[2].prefix_length = 2;
  // Request 3 is random-filled; request 4 is an explicit list with a large token id.
  c.requests[4].input_fill = TokenFill::explicit_list;
  c.requests[4].input_len = 0;
  c.requests[4].input = {200000, 1, 2};
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t[0].input.size(), 5u);
  ASSERT_EQ(t[1].input.size(), 4u);
  ASSERT_EQ(t[2].input.size(), 6u);
  // Group g1 shares exactly its first 3 tokens.
  EXPECT_TRUE(std::equal(t[0].input.begin(), t[0].input.begin() + 3, t[1].input.begin()));
  // Every other token of a grouped request is distinct from every token of every other request
  // (and from the other tokens of its own request).
  auto tokens_of = [&](size_t i, size_t skip_prefix) {
    std::vector<Token> out(t[i].input.begin() + static_cast<long>(skip_prefix), t[i].input.end());
    out.insert(out.end(), t[i].output.begin(), t[i].output.end());
    return out;
  };
  std::vector<std::vector<Token>> own = {tokens_of(0, 3), tokens_of(1, 3), tokens_of(2, 0)};
  std::vector<std::vector<Token>> all = {tokens_of(0, 0), tokens_of(1, 0), tokens_of(2, 0),
                                         tokens_of(3, 0), tokens_of(4, 0)};
  for (size_t i = 0; i < own.size(); ++i) {
    for (size_t j = 0; j < all.size(); ++j) {
      if (i == j) continue;
      for (Token x : own[i]) {
        EXPECT_EQ(std::count(all[j].begin(), all[j].end(), x), 0)
            << "token " << x << " of request " << i << " also in request " << j;
      }
    }
    std::set<Token> unique(own[i].begin(), own[i].end());
    EXPECT_EQ(unique.size(), own[i].size());
  }
  // Grouped tokens lie above every random draw and above the largest explicit id (200000).
  for (size_t i = 0; i < 3; ++i) {
    for (Token x : tokens_of(i, 0)) EXPECT_GT(x, 200000);
  }
}

// §12.3 generator cases.
Case generator_case(double rate, int64_t max_requests) {
  Case c;
  c.workload = Workload{};
  c.workload->aggregate_rate = rate;
  c.workload->max_requests = max_requests;
  Client cl;
  cl.input_dist.kind = LengthKind::constant;
  cl.input_dist.value = 4;
  cl.output_dist.kind = LengthKind::constant;
  cl.output_dist.value = 2;
  c.workload->clients = {cl};
  return c;
}

TEST(MaterialiseGenerator, ConstantArrivalsRate10) {
  // rate = 10 * (1 / 1) / 1e6 = 1e-5 per µs; IAT = max(1, trunc(1.0 / 1e-5)) =
  // trunc(99999.99999999999) = 99999 (the note of §12.3). The first request arrives at its first
  // IAT; the loop emits up to 2 * 3 requests, the first 3 after sorting are kept.
  Case c = generator_case(10, 3);
  c.workload->clients[0].timeout_us = 500;
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].arrival, 99999);
  EXPECT_EQ(t[1].arrival, 199998);
  EXPECT_EQ(t[2].arrival, 299997);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t[i].id, "request_" + std::to_string(i));
    EXPECT_EQ(t[i].input.size(), 4u);
    EXPECT_EQ(t[i].output.size(), 2u);
    EXPECT_EQ(t[i].max_output_len, 2);
    EXPECT_EQ(t[i].deadline, t[i].arrival + 500);
  }
}

TEST(MaterialiseGenerator, HorizonStopsTheLoop) {
  // IAT 99999 (as above). Horizon 300000: arrivals 99999, 199998, 299997; the next would be
  // 399996 >= horizon. Horizon 299997: the third arrival equals the horizon, so it is not emitted.
  Case c = generator_case(10, 0);
  c.config.horizon_us = 300000;
  EXPECT_EQ(checked_materialise(c).size(), 3u);
  c.config.horizon_us = 299997;
  EXPECT_EQ(checked_materialise(c).size(), 2u);
}

TEST(MaterialiseGenerator, VanishingRateEmitsNothingWithoutOverflow) {
  // rate = 1e-300 / 1e6 = 1e-306; 1 / rate = 1e306 >= 2^63, so IAT = trunc(...) = INT64_MAX,
  // which already reaches the (infinite) horizon: no request.
  const Case c = generator_case(1e-300, 5);
  EXPECT_TRUE(checked_materialise(c).empty());
}

TEST(MaterialiseGenerator, StableSortKeepsClientOrderOnTies) {
  // Two clients with rate_fraction 1 each: rate = 20 * (1 / 2) / 1e6 = 1e-5, IAT 99999 for both.
  // Emitted: A at 99999, 199998, ...; B at the same times. Stable sort: A1, B1, A2, B2, ...
  Case c = generator_case(20, 3);
  Client b = c.workload->clients[0];
  b.input_dist.value = 7;
  c.workload->clients.push_back(b);
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].arrival, 99999);
  EXPECT_EQ(t[1].arrival, 99999);
  EXPECT_EQ(t[2].arrival, 199998);
  EXPECT_EQ(t[0].input.size(), 4u);  // client A
  EXPECT_EQ(t[1].input.size(), 7u);  // client B
  EXPECT_EQ(t[2].input.size(), 4u);
}

TEST(MaterialiseGenerator, ZeroFractionClientIsSkippedButItsGroupStillDrawsAPrefix) {
  // Client 0 has rate_fraction 0 and names group "g" without a length (50 tokens); client 1
  // names the same group with prefix_length 10, which is ignored: the first client in list order
  // fixes the length (§12.3).
  Case c = generator_case(10, 2);
  Client silent = c.workload->clients[0];
  silent.rate_fraction = 0;
  silent.prefix_group = "g";
  Client loud = c.workload->clients[0];
  loud.prefix_group = "g";
  loud.prefix_length = 10;
  c.workload->clients = {silent, loud};
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].input.size(), 54u);  // 50 prefix + 4
  EXPECT_TRUE(std::equal(t[0].input.begin(), t[0].input.begin() + 50, t[1].input.begin()));
  // The prefix is the first 50 draws of the workload-gen stream.
  Rng wg = stream(c.seed, "workload-gen");
  for (size_t k = 0; k < 50; ++k) EXPECT_EQ(t[0].input[k], static_cast<Token>(wg.uniform(128000)));
}

TEST(MaterialiseGenerator, DrawOrderOfTheFirstPoissonRequest) {
  // Replays §12.3 by hand for one client: wg -> crng seed = wg.int63(); IAT = max(1,
  // trunc(exp1 / rate)); then input length (gaussian: one norm() = two u01 draws), output
  // length (exponential: one exp1), then the input tokens and the output tokens.
  Case c = generator_case(1000, 1);
  c.seed = 12345;
  Client& cl = c.workload->clients[0];
  cl.arrival = ArrivalProcess::poisson;
  cl.input_dist = LengthDist{LengthKind::gaussian, 1, 30, 10, 2, 100};
  cl.output_dist = LengthDist{LengthKind::exponential, 1, 8, 0, 0, 0};
  const Trace t = checked_materialise(c);
  ASSERT_EQ(t.size(), 1u);

  Rng wg = stream(12345, "workload-gen");
  Rng crng(wg.int63());
  const double rate = 1000 * (1.0 / 1.0) / 1e6;
  const int64_t iat = std::max<int64_t>(1, static_cast<int64_t>(crng.exp1() / rate));
  const int64_t L = std::max<int64_t>(
      1, static_cast<int64_t>(std::round(std::min(100.0, std::max(2.0, crng.norm() * 10 + 30)))));
  const int64_t N = std::max<int64_t>(1, static_cast<int64_t>(std::round(crng.exp1() * 8)));
  std::vector<Token> input, output;
  for (int64_t k = 0; k < L; ++k) input.push_back(static_cast<Token>(crng.uniform(128000)));
  for (int64_t k = 0; k < N; ++k) output.push_back(static_cast<Token>(crng.uniform(128000)));
  EXPECT_EQ(t[0].arrival, iat);
  EXPECT_EQ(t[0].input, input);
  EXPECT_EQ(t[0].output, output);
  EXPECT_EQ(t[0].max_output_len, N);
}

TEST(MaterialiseGenerator, GaussianWithMinEqualMaxDrawsNothing) {
  // gaussian(min == max == 4) returns 4 without a draw, so the token draws are those of the
  // constant-4 case.
  Case constant = generator_case(10, 3);
  constant.workload->clients[0].arrival = ArrivalProcess::poisson;
  Case gaussian = generator_case(10, 3);
  gaussian.workload->clients[0].arrival = ArrivalProcess::poisson;
  gaussian.workload->clients[0].input_dist = LengthDist{LengthKind::gaussian, 1, 50, 20, 4, 4};
  const Trace a = checked_materialise(constant);
  const Trace b = checked_materialise(gaussian);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].arrival, b[i].arrival);
    EXPECT_EQ(a[i].input, b[i].input);
    EXPECT_EQ(a[i].output, b[i].output);
  }
}

TEST(MaterialiseGenerator, ExponentialClampsToMinAndMax) {
  Case c = generator_case(10, 4);
  // mean 1e-9: round(exp1 * 1e-9) = 0 for every realistic draw, raised to min = 3.
  c.workload->clients[0].input_dist = LengthDist{LengthKind::exponential, 1, 1e-9, 0, 3, 0};
  // mean 1e6 with max 10: k >= 10 unless exp1 < 1e-5; the seed-42 draws are all far above.
  c.workload->clients[0].output_dist = LengthDist{LengthKind::exponential, 1, 1e6, 0, 0, 10};
  for (const Request& r : checked_materialise(c)) {
    EXPECT_EQ(r.input.size(), 3u);
    EXPECT_EQ(r.output.size(), 10u);
  }
}

TEST(MaterialiseGenerator, DeterministicPerSeed) {
  Case c = generator_case(500, 20);
  c.workload->clients[0].arrival = ArrivalProcess::poisson;
  c.workload->clients[0].input_dist = LengthDist{LengthKind::gaussian, 1, 40, 20, 2, 200};
  const Trace a = checked_materialise(c);
  const Trace b = checked_materialise(c);
  ASSERT_EQ(a.size(), 20u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].arrival, b[i].arrival);
    EXPECT_EQ(a[i].input, b[i].input);
    if (i > 0) {
      EXPECT_GE(a[i].arrival, a[i - 1].arrival);
    }
  }
  c.seed = 43;
  const Trace other = checked_materialise(c);
  EXPECT_NE(other[0].input, a[0].input);
}

}  // namespace
}  // namespace simcheck::model

namespace simcheck::model {
namespace {

TEST(MaterialiseTrace, ZeroFilledPromptsShareCacheBlocksRandomOnesDoNot) {
  // Two 40-token prompts (2 full blocks of 16 + 8 tokens) on one instance; the second arrives
  // long after the first completed. Zero-filled prompts are equal, so the second finds the
  // first's two full blocks in the prefix cache (§6.2) and claims them (§6.3, cache_hits += 2);
  // random-filled prompts share nothing. (A block-aligned prompt would hit A7 instead: fully
  // cached, admitted with zero new tokens, nothing claimed.)
  auto run = [](TokenFill fill) {
    Case c;
    c.config.alpha = {0, 0, 0};
    c.config.beta = {10, 1, 1};
    c.requests = {by_length(0, 40, 2, fill), by_length(1'000'000, 40, 2, fill)};
    EXPECT_FALSE(validate_case(c).has_value());
    return simulate(c);
  };
  const RunOutput zeros = run(TokenFill::zeros);
  const RunOutput random = run(TokenFill::random);
  ASSERT_TRUE(zeros.aggregate.counters.cache_hits.has_value());
  ASSERT_TRUE(random.aggregate.counters.cache_hits.has_value());
  EXPECT_EQ(*zeros.aggregate.counters.cache_hits, 2);
  EXPECT_EQ(*random.aggregate.counters.cache_hits, 0);
  EXPECT_EQ(zeros.aggregate.counters.completed, 2);
}

}  // namespace
}  // namespace simcheck::model
