// Spec §12.1: named random streams, checked against hand-derived and published reference values.
#include "model/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace simcheck::model {
namespace {

TEST(Fnv1a64, PublishedValues) {
  // The empty string hashes to the offset basis; "a": (basis ^ 0x61) * prime mod 2^64, the
  // published FNV-1a test vector.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Splitmix64, PublishedOutputsFromSeedZero) {
  uint64_t x = 0;
  EXPECT_EQ(splitmix64_next(x), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64_next(x), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64_next(x), 0x06c45d188009454fULL);
  EXPECT_EQ(splitmix64_next(x), 0xf88bb8a8724c81ecULL);
}

TEST(Rng, SeedingUsesFourSplitmixOutputs) {
  const Rng r(0);
  const std::array<uint64_t, 4> want{0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL,
                                     0x06c45d188009454fULL, 0xf88bb8a8724c81ecULL};
  EXPECT_EQ(r.state(), want);
}

// xoshiro256** by hand from state {1, 2, 3, 4}:
//   out1 = rotl(2*5, 7) * 9 = 1280 * 9 = 11520
//   update: t = 2<<17 = 262144; s2 = 3^1 = 2; s3 = 4^2 = 6; s1 = 2^2 = 0; s0 = 1^6 = 7;
//           s2 = 2^262144 = 262146; s3 = rotl(6, 45) = 6<<45
//   out2 = rotl(0*5, 7) * 9 = 0
//   update: t = 0; s2 = 262146^7 = 262149; s3 = 6<<45 ^ 0; s1 = 0^262149 = 262149;
//           s0 = 7 ^ (6<<45); s3 = rotl(6<<45, 45): bits 46,47 -> 91,92 mod 64 = 27,28, i.e. 3<<27
//   out3 = rotl(262149*5, 7) * 9 = (1310745 << 7) * 9 = 167775360 * 9 = 1509978240
TEST(Rng, Xoshiro256StarStarByHand) {
  Rng r = Rng::from_state({1, 2, 3, 4});
  EXPECT_EQ(r.next(), 11520u);
  const std::array<uint64_t, 4> after1{7, 0, 262146, 6ULL << 45};
  EXPECT_EQ(r.state(), after1);
  EXPECT_EQ(r.next(), 0u);
  const std::array<uint64_t, 4> after2{7 ^ (6ULL << 45), 262149, 262149, 3ULL << 27};
  EXPECT_EQ(r.state(), after2);
  EXPECT_EQ(r.next(), 1509978240u);
}

TEST(Rng, DrawHelpersFromKnownOutputs) {
  // First output 11520: 11520 >> 11 = 5, so u01 = 5 * 2^-53; second output 0 gives u01 = 0.
  const double u_first = 5.0 * 0x1.0p-53;
  {
    Rng r = Rng::from_state({1, 2, 3, 4});
    EXPECT_EQ(r.u01(), u_first);
    EXPECT_EQ(r.u01(), 0.0);
  }
  {
    Rng r = Rng::from_state({1, 2, 3, 4});
    EXPECT_EQ(r.int63(), 5760);  // 11520 >> 1
  }
  {
    // U(n) = min(n-1, trunc(5 * 2^-53 * n)) = 0 for any n < 2^50; third output
    // 1509978240 >> 11 = 737294, u01 = 737294 * 2^-53, times 2^53 gives 737294.
    Rng r = Rng::from_state({1, 2, 3, 4});
    EXPECT_EQ(r.uniform(128000), 0u);
    EXPECT_EQ(r.uniform(128000), 0u);
    EXPECT_EQ(r.uniform(1ULL << 53), 737294u);
  }
  {
    Rng r = Rng::from_state({1, 2, 3, 4});
    EXPECT_EQ(r.exp1(), -std::log(1.0 - u_first));
  }
  {
    // norm: u1 = 5 * 2^-53, u2 = 0, so cos(0) = 1 and the value is sqrt(-2 log(1 - u1)).
    Rng r = Rng::from_state({1, 2, 3, 4});
    EXPECT_EQ(r.norm(), std::sqrt(-2.0 * std::log(1.0 - u_first)));
    EXPECT_EQ(r.next(), 1509978240u);  // exactly two draws were consumed
  }
}

TEST(StreamSeed, LegacyNameKeepsSeedOthersXorHash) {
  EXPECT_EQ(stream_seed(42, "workload"), 42);
  // fnv1a64("a") = 0xaf63dc4c8601ec8c; 0xaf63dc4c8601ec8c ^ 1 = 0xaf63dc4c8601ec8d.
  EXPECT_EQ(static_cast<uint64_t>(stream_seed(1, "a")), 0xaf63dc4c8601ec8dULL);
  EXPECT_EQ(stream(7, "workload").state(), Rng(7).state());
  EXPECT_EQ(stream(0, "a").state(), Rng(static_cast<int64_t>(0xaf63dc4c8601ec8cULL)).state());
}

}  // namespace
}  // namespace simcheck::model
