// docs/fuzzing.md "Structured decoding": a tiny consumer of fuzzer bytes shared by the libFuzzer
// targets (clang) and the corpus replay test (g++).
//
// Why not clang's FuzzedDataProvider: the replay test must decode every seed file into exactly
// the same case in the g++ build, on machines without clang's resource directory; a 30-line
// reader of our own guarantees one decoding everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
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

  bool exhausted() const { return position_ >= bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  std::size_t position_ = 0;
};

}  // namespace simcheck::fuzz
