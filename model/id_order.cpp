// See id_order.h.
#include "model/id_order.h"

#include <array>

namespace simcheck::model {

// LSD radix sort on bytes (a pass is skipped when every key has the same byte there, as the
// padding of short ids does); short lists use a comparison sort. Both are stable.
void sort_keyed_indices(std::vector<KeyedIndex>& v) {
  const size_t n = v.size();
  if (n < 1024) {
    std::stable_sort(v.begin(), v.end(),
                     [](const KeyedIndex& a, const KeyedIndex& b) { return a.key < b.key; });
    return;
  }
  std::array<std::array<uint32_t, 256>, 8> counts{};
  for (const KeyedIndex& x : v) {
    for (int d = 0; d < 8; ++d) counts[d][(x.key >> (8 * d)) & 0xFF] += 1;
  }
  std::vector<KeyedIndex> other(n);
  for (int d = 0; d < 8; ++d) {
    if (counts[d][(v[0].key >> (8 * d)) & 0xFF] == n) continue;  // one byte value: no-op pass
    std::array<uint32_t, 256> start{};
    uint32_t at = 0;
    for (size_t b = 0; b < 256; ++b) {
      start[b] = at;
      at += counts[d][b];
    }
    for (const KeyedIndex& x : v) other[start[(x.key >> (8 * d)) & 0xFF]++] = x;
    v.swap(other);
  }
}

}  // namespace simcheck::model
