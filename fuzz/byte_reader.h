// docs/fuzzing.md "Structured decoding": a tiny consumer of fuzzer bytes shared by the libFuzzer
// targets (clang) and the corpus replay test (g++).
//
// Why not clang's FuzzedDataProvider: the replay test must decode every seed file into exactly
// the same case in the g++ build, on machines without clang's resource directory; a 30-line
// reader of our own guarantees one decoding everywhere.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace simcheck::fuzz {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  // A value in [0, hi] (hi >= 0): reads the fewest little-endian bytes that can express `hi`
  // and reduces them modulo hi + 1. Bytes past the end read as 0, so a short input decodes to
  // knobs at 0 ("feature off / default"), and an empty input is the simplest case.
  int64_t take(int64_t hi) {
    if (hi <= 0) return 0;
    uint64_t value = 0;
    int shift = 0;
    for (uint64_t span = static_cast<uint64_t>(hi); span != 0; span >>= 8, shift += 8) {
      const uint64_t byte = position_ < bytes_.size() ? bytes_[position_] : 0;
      if (position_ < bytes_.size()) ++position_;
      value |= byte << shift;
    }
    return static_cast<int64_t>(value % (static_cast<uint64_t>(hi) + 1));
  }

  // One weighted alternative of a mixture: with relative `weight`, a value in [lo, hi].
  struct Band {
    int weight;
    int64_t lo, hi;
  };

  // A value from a mixture of bands, with the band chosen in proportion to its weight, so that
  // uniform bytes reproduce the mixture's distribution (a generator's bands, see decode_case).
  // Fixed layout whatever the band: one selector byte, scaled to the weights (not reduced
  // modulo their sum, which would favour the first bands), then take(widest band's hi - lo),
  // reduced modulo the chosen band's width. All-zero bytes give the first band's lo.
  int64_t take_banded(std::initializer_list<Band> bands) {
    int64_t total = 0;
    int64_t widest = 0;
    for (const Band& b : bands) {
      total += b.weight;
      widest = std::max(widest, b.hi - b.lo);
    }
    int64_t pick = take(255) * total / 256;
    const int64_t raw = take(widest);
    for (const Band& b : bands) {
      if (pick < b.weight) return b.lo + raw % (b.hi - b.lo + 1);
      pick -= b.weight;
    }
    return 0;  // unreachable: pick < total
  }

  bool exhausted() const { return position_ >= bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  std::size_t position_ = 0;
};

}  // namespace simcheck::fuzz
