// A map keyed by request id, stored as one sorted vector. The run output's per-request maps
// (§10.1 MetricMaps, InstanceOutput::final_states) must list their keys in byte-wise order (§0,
// §10.6). They used to be std::maps: one heap node per entry, about 40 per simulated request,
// and building, walking and freeing those trees took about half of simulate()'s time. The
// producers emit keys in increasing order, so a sorted vector gets them by push_back, iterates
// contiguously and frees in one go.
//
// The subset of std::map's interface the code base uses, with the same meaning (an insert that
// finds the key leaves the map alone, operator[] value-initialises, at() throws
// std::out_of_range). Differences: iterators are the vector's (random access), and inserting or
// erasing invalidates them all; inserting a key that is not greater than the last one, or erasing,
// moves the tail of the vector (O(n)). Code that inserts many keys in arbitrary order (readers of
// external files) collects them first and calls from_entries(), which sorts once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "model/id.h"
#include "model/id_compare.h"

namespace simcheck::model {

template <class V>
class IdMap {
 public:
  using key_type = Id;
  using mapped_type = V;
  using value_type = std::pair<Id, V>;
  using size_type = std::size_t;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  IdMap() = default;
  // Entries in any order; the first of equal keys is kept, as std::map's constructor does.
  IdMap(std::initializer_list<value_type> init)
      : IdMap(from_entries(std::vector<value_type>(init))) {}

  // Bulk build from entries in any order: a stable sort, then the FIRST entry of each key is kept
  // (what inserting them one by one with emplace/insert does). O(n log n), O(n) when the entries
  // are already strictly increasing.
  static IdMap from_entries(std::vector<value_type> entries) {
    IdMap m;
    const auto key_less = [](const value_type& a, const value_type& b) {
      return a.first < b.first;
    };
    const bool strictly_increasing =
        std::adjacent_find(entries.begin(), entries.end(),
                           [](const value_type& a, const value_type& b) {
                             return !(a.first < b.first);
                           }) == entries.end();
    if (!strictly_increasing) {
      std::stable_sort(entries.begin(), entries.end(), key_less);
      const auto same_key = [](const value_type& a, const value_type& b) {
        return a.first == b.first;
      };
      entries.erase(std::unique(entries.begin(), entries.end(), same_key), entries.end());
    }
    m.v_ = std::move(entries);
    return m;
  }

  iterator begin() { return v_.begin(); }
  iterator end() { return v_.end(); }
  const_iterator begin() const { return v_.begin(); }
  const_iterator end() const { return v_.end(); }
  const_iterator cbegin() const { return v_.cbegin(); }
  const_iterator cend() const { return v_.cend(); }

  size_type size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  void clear() { v_.clear(); }
  void reserve(size_type n) { v_.reserve(n); }

  // Lookups take a string_view so that a std::string, a literal or a view all work without a copy;
  // string_view compares byte-wise like std::string (§0).
  iterator lower_bound(std::string_view key) { return v_.begin() + lower_index(key); }
  const_iterator lower_bound(std::string_view key) const { return v_.begin() + lower_index(key); }
  iterator find(std::string_view key) {
    auto it = lower_bound(key);
    return it != v_.end() && it->first == key ? it : v_.end();
  }
  const_iterator find(std::string_view key) const {
    auto it = lower_bound(key);
    return it != v_.end() && it->first == key ? it : v_.end();
  }
  bool contains(std::string_view key) const { return find(key) != v_.end(); }
  size_type count(std::string_view key) const { return contains(key) ? 1 : 0; }
  V& at(std::string_view key) {
    auto it = find(key);
    if (it == v_.end()) throw std::out_of_range("IdMap::at: no key " + std::string(key));
    return it->second;
  }
  const V& at(std::string_view key) const {
    auto it = find(key);
    if (it == v_.end()) throw std::out_of_range("IdMap::at: no key " + std::string(key));
    return it->second;
  }

  V& operator[](std::string_view key) { return try_emplace(key).first->second; }

  // Inserts (key, V(args...)) unless the key is present; the value is built only if inserted.
  template <class... Args>
  std::pair<iterator, bool> try_emplace(std::string_view key, Args&&... args) {
    if (v_.empty() || id_less(v_.back().first, key)) {  // the hot path: keys arrive in order
      v_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                      std::forward_as_tuple(std::forward<Args>(args)...));
      return {v_.end() - 1, true};
    }
    auto it = lower_bound(key);
    if (it != v_.end() && it->first == key) return {it, false};
    it = v_.emplace(it, std::piecewise_construct, std::forward_as_tuple(key),
                    std::forward_as_tuple(std::forward<Args>(args)...));
    return {it, true};
  }
  // Like std::map::emplace(key, value...), but always as (key, mapped-value arguments).
  template <class... Args>
  std::pair<iterator, bool> emplace(std::string_view key, Args&&... args) {
    return try_emplace(key, std::forward<Args>(args)...);
  }
  // The hint is not needed: appending at the end is already the fast path.
  template <class... Args>
  iterator emplace_hint(const_iterator /*hint*/, std::string_view key, Args&&... args) {
    return try_emplace(key, std::forward<Args>(args)...).first;
  }
  std::pair<iterator, bool> insert(const value_type& kv) {
    return try_emplace(kv.first, kv.second);
  }
  std::pair<iterator, bool> insert(value_type&& kv) {
    return try_emplace(kv.first, std::move(kv.second));
  }
  template <class M>
  std::pair<iterator, bool> insert_or_assign(std::string_view key, M&& value) {
    auto [it, inserted] = try_emplace(key, std::forward<M>(value));
    if (!inserted) it->second = std::forward<M>(value);
    return {it, inserted};
  }

  size_type erase(std::string_view key) {
    auto it = find(key);
    if (it == v_.end()) return 0;
    v_.erase(it);
    return 1;
  }
  iterator erase(const_iterator pos) { return v_.erase(pos); }

  friend bool operator==(const IdMap& a, const IdMap& b) { return a.v_ == b.v_; }

 private:
  size_type lower_index(std::string_view key) const {
    auto it = std::lower_bound(v_.begin(), v_.end(), key,
                               [](const value_type& e, std::string_view k) { return e.first < k; });
    return static_cast<size_type>(it - v_.begin());
  }

  std::vector<value_type> v_;  // strictly increasing keys
};

}  // namespace simcheck::model
