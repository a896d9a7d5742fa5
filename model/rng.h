// Spec §12.1: named random streams (fnv1a64 partitioning, splitmix64 seeding, xoshiro256**).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace simcheck::model {

// FNV-1a, 64-bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3 (§12.1).
uint64_t fnv1a64(std::string_view bytes);

// One step of splitmix64 on `x` (advances `x`, returns the output).
uint64_t splitmix64_next(uint64_t& x);

// A xoshiro256** generator with the draw helpers of §12.1. A value type: copying it forks the
// stream, which the tests use to predict draws.
class Rng {
 public:
  // §12.1 "seed a stream with s": state = four successive splitmix64 outputs from x = (uint64)s.
  explicit Rng(int64_t seed);
  // Raw state, for tests that hand-derive outputs from a tiny state.
  static Rng from_state(const std::array<uint64_t, 4>& state);

  uint64_t next();               // xoshiro256**
  double u01();                  // [0, 1): (next() >> 11) * 2^-53
  uint64_t uniform(uint64_t n);  // U(n): min(n - 1, (uint64)(u01() * n)); n > 0
  int64_t int63();               // next() >> 1
  double exp1();                 // -log(1 - u01())
  double norm();                 // sqrt(-2 log(1 - u1)) * cos(2 pi u2), u1 drawn before u2

  const std::array<uint64_t, 4>& state() const { return state_; }

 private:
  Rng() = default;
  std::array<uint64_t, 4> state_{};
};

// Stream seed for a subsystem: `seed` itself for the legacy name "workload", otherwise
// seed XOR fnv1a64(name) (§12.1).
int64_t stream_seed(int64_t seed, std::string_view name);

// The generator of the named stream.
Rng stream(int64_t seed, std::string_view name);

}  // namespace simcheck::model
