// The order of n ids, byte-wise (§0 "sorted"), as a permutation of their indices. FINALIZE sorts
// every instance's requests by id and the one-pass projection sorts the parents and their
// sub-requests; with 10^5 ids, comparison sorts spent most of their time in cache misses on the
// strings (and std::sort's heap-sort fallback on the zig-zag order of "request_<n>" ids).
//
// Ids usually share a long prefix ("request_…"). Each id is keyed by the 8 bytes after the common
// prefix (big-endian, padded with 0): a strict key order is the ids' order, so the keys are
// radix-sorted without touching the strings, and only runs of equal keys compare the ids.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/id_compare.h"

namespace simcheck::model {

struct KeyedIndex {
  uint64_t key = 0;
  int32_t index = 0;
};

// Sorts by key, stably (equal keys keep their order).
void sort_keyed_indices(std::vector<KeyedIndex>& v);

// Indices 0..n-1 ordered by id_of(i) (a std::string_view or what converts to one), byte-wise;
// equal ids in index order. The ids are read in index order; prefetch(i) is called a few indices
// ahead of id_of(i), for callers whose ids lie behind a pointer.
template <class IdOf, class Prefetch>
std::vector<int32_t> indices_in_id_order(size_t n, IdOf id_of, Prefetch prefetch) {
  constexpr size_t kAhead = 8;
  std::vector<int32_t> order;
  if (n == 0) return order;
  const std::string_view first = id_of(0);
  size_t common = first.size();
  for (size_t i = 1; i < n && common > 0; ++i) {
    if (i + kAhead < n) prefetch(i + kAhead);
    const std::string_view id = id_of(i);
    const size_t limit = std::min(common, id.size());
    size_t k = 0;
    while (k < limit && first[k] == id[k]) ++k;
    common = k;
  }
  std::vector<KeyedIndex> keyed(n);
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch(i + kAhead);
    const std::string_view id = id_of(i);
    uint64_t key = 0;
    for (size_t k = 0; k < 8; ++k) {
      const size_t at = common + k;
      key = (key << 8) | (at < id.size() ? static_cast<unsigned char>(id[at]) : 0u);
    }
    keyed[i] = KeyedIndex{key, static_cast<int32_t>(i)};
  }
  sort_keyed_indices(keyed);
  // Runs of equal keys: the ids decide, then the index (the radix sort kept index order).
  for (size_t lo = 0; lo < n;) {
    size_t hi = lo + 1;
    while (hi < n && keyed[hi].key == keyed[lo].key) ++hi;
    if (hi - lo > 1) {
      std::stable_sort(keyed.begin() + static_cast<std::ptrdiff_t>(lo),
                       keyed.begin() + static_cast<std::ptrdiff_t>(hi),
                       [&](const KeyedIndex& a, const KeyedIndex& b) {
                         return id_less(id_of(static_cast<size_t>(a.index)),
                                        id_of(static_cast<size_t>(b.index)));
                       });
    }
    lo = hi;
  }
  order.reserve(n);
  for (const KeyedIndex& k : keyed) order.push_back(k.index);
  return order;
}

template <class IdOf>
std::vector<int32_t> indices_in_id_order(size_t n, IdOf id_of) {
  return indices_in_id_order(n, id_of, [](size_t) {});
}

}  // namespace simcheck::model
