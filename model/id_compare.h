// Byte-wise comparison of request ids (§0 "sorted" = byte-wise lexicographic), inlined. Ids are
// short (tens of bytes) and the run output compares millions of them while merging its sorted
// maps; comparing eight bytes at a time in registers avoids a library call per comparison.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace simcheck::model {

// <0, 0 or >0 as a is byte-wise before, equal to or after b (as std::string_view::compare).
inline int compare_ids(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = 0;
    uint64_t y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      // The first differing byte decides: compare the words as big-endian numbers.
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
      return x < y ? -1 : 1;
    }
  }
  for (; i < n; ++i) {
    const unsigned char x = static_cast<unsigned char>(a[i]);
    const unsigned char y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

inline bool id_less(std::string_view a, std::string_view b) { return compare_ids(a, b) < 0; }

}  // namespace simcheck::model
