// Spec §8.5 routing policies and §8.6 in-flight accounting (unit level; the cluster-level A6
// behaviour is in cluster_test.cpp).
#include "model/routing.h"

#include <gtest/gtest.h>

#include "model/rng.h"

namespace simcheck::model {
namespace {

InstanceLoad load(int64_t q, int64_t b, int64_t f) { return InstanceLoad{q, b, f}; }

UniformIndexDraw no_draw() {
  return [](int64_t) -> int64_t {
    ADD_FAILURE() << "no random draw expected";
    return 0;
  };
}

TEST(RoundRobin, OneCounterAcrossCandidateLists) {
  Router r(RoutingPolicy::round_robin, LeastLoadedTiebreak::first, no_draw());
  auto any = [](int) { return InstanceLoad{}; };
  const std::vector<int> decode_pool{2, 3};
  const std::vector<int> prefill_pool{0, 1};
  // c = 0: decode[0 mod 2] = 2; c = 1: prefill[1 mod 2] = 1; c = 2: decode[0] = 2; c = 3:
  // prefill[1] = 1 — with a shared counter and alternating decisions each pool always gets
  // the same member (⚑ A6).
  EXPECT_EQ(r.choose(decode_pool, any), 2);
  EXPECT_EQ(r.choose(prefill_pool, any), 1);
  EXPECT_EQ(r.choose(decode_pool, any), 2);
  EXPECT_EQ(r.choose(prefill_pool, any), 1);
  EXPECT_EQ(r.round_robin_counter(), 4);
  // Three candidates: c = 4 → 4 mod 3 = 1.
  EXPECT_EQ(r.choose({5, 6, 7}, any), 6);
}

TEST(LeastLoaded, LoadIsQueuePlusBatchPlusInFlight) {
  Router r(RoutingPolicy::least_loaded, LeastLoadedTiebreak::first, no_draw());
  // loads: i0 = 1+1+1 = 3, i1 = 0+0+2 = 2, i2 = 2+0+0 = 2 → min 2, first tied = i1.
  auto loads = [](int i) {
    return i == 0 ? load(1, 1, 1) : i == 1 ? load(0, 0, 2) : load(2, 0, 0);
  };
  EXPECT_EQ(r.choose({0, 1, 2}, loads), 1);
  EXPECT_EQ(r.choose({2, 0}, loads), 2);  // candidate order, not index order, breaks the tie
  EXPECT_EQ(r.round_robin_counter(), 0);  // least-loaded has no counter use
}

TEST(LeastLoaded, RandomTieBreakUsesRouterStream) {
  Rng stream_copy = stream(42, "router");
  Rng router_stream = stream(42, "router");
  int draws = 0;
  Router r(RoutingPolicy::least_loaded, LeastLoadedTiebreak::random, [&](int64_t n) {
    ++draws;
    return static_cast<int64_t>(router_stream.uniform(static_cast<uint64_t>(n)));
  });
  auto loads = [](int i) { return i == 1 ? load(5, 0, 0) : load(0, 0, 0); };
  // Candidates 0, 1, 2, 3: load 0 for 0, 2, 3 → tied = [0, 2, 3]; choice = tied[U(3)].
  const std::vector<int> tied{0, 2, 3};
  for (int k = 0; k < 20; ++k) {
    const int expected = tied[stream_copy.uniform(3)];
    EXPECT_EQ(r.choose({0, 1, 2, 3}, loads), expected);
  }
  EXPECT_EQ(draws, 20);
  // A unique minimum draws nothing.
  auto unique_min = [](int i) { return load(i, 0, 0); };
  EXPECT_EQ(r.choose({3, 1, 2}, unique_min), 1);
  EXPECT_EQ(draws, 20);
}

TEST(InFlight, DispatchAndEventDeltas) {
  InFlightCounters f(2);
  f.on_dispatch(1);
  f.on_dispatch(1);
  EXPECT_EQ(f[1], 2);
  EXPECT_TRUE(f.on_event(1, 0));
  EXPECT_TRUE(f.on_event(1, 1));
  EXPECT_EQ(f[1], 1);
  EXPECT_FALSE(f.on_event(1, 3));  // would be −2: clamped, caller warns
  EXPECT_EQ(f[1], 0);
  EXPECT_EQ(f[0], 0);
}

}  // namespace
}  // namespace simcheck::model
