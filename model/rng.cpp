// Spec §12.1: named random streams (fnv1a64 partitioning, splitmix64 seeding, xoshiro256**).
#include "model/rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace simcheck::model {
namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;  // unsigned arithmetic: the product is taken modulo 2^64
  }
  return h;
}

uint64_t splitmix64_next(uint64_t& x) {
  x += 0x9E3779B97F4A7C15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Rng::Rng(int64_t seed) {
  uint64_t x = static_cast<uint64_t>(seed);
  for (auto& word : state_) word = splitmix64_next(x);
}

Rng Rng::from_state(const std::array<uint64_t, 4>& state) {
  Rng r;
  r.state_ = state;
  return r;
}

uint64_t Rng::next() {
  auto& s = state_;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double Rng::u01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t Rng::uniform(uint64_t n) {
  // u01() * n < n mathematically, but rounding of the product can reach n; hence the min.
  const double scaled = u01() * static_cast<double>(n);
  return std::min(n - 1, static_cast<uint64_t>(scaled));
}

int64_t Rng::int63() { return static_cast<int64_t>(next() >> 1); }

double Rng::exp1() { return -std::log(1.0 - u01()); }

double Rng::norm() {
  const double u1 = u01();
  const double u2 = u01();
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

int64_t stream_seed(int64_t seed, std::string_view name) {
  if (name == "workload") return seed;
  return static_cast<int64_t>(static_cast<uint64_t>(seed) ^ fnv1a64(name));
}

Rng stream(int64_t seed, std::string_view name) { return Rng(stream_seed(seed, name)); }

}  // namespace simcheck::model
