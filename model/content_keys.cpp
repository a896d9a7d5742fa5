// Spec §6.1: interning of content keys KEY(prev, tokens) and the key → block index.
#include "model/content_keys.h"

#include <algorithm>
#include <cstring>

namespace simcheck::model {

namespace {
constexpr size_t kInitialTableSize = 64;
}  // namespace

ContentKeys::ContentKeys(int64_t block_size)
    : block_size_(block_size), table_(kInitialTableSize, -1), mask_(kInitialTableSize - 1) {}

uint64_t ContentKeys::hash_of(int32_t prev, const Token* tokens) const {
  uint64_t h = 0x243F6A8885A308D3ULL ^ static_cast<uint32_t>(prev);
  for (int64_t i = 0; i < block_size_; ++i) {
    h ^= static_cast<uint32_t>(tokens[i]);
    h *= 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
  }
  // splitmix64 finaliser: spreads the bits used by the table mask.
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return h;
}

bool ContentKeys::matches(int32_t id, int32_t prev, const Token* tokens) const {
  return entries_[id].prev == prev &&
         std::memcmp(tokens_.data() + id * block_size_, tokens, block_size_ * sizeof(Token)) == 0;
}

int32_t ContentKeys::find(int32_t prev, const Token* tokens) const {
  const uint64_t h = hash_of(prev, tokens);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const int32_t id = table_[s];
    if (id < 0) return kAbsent;
    if (entries_[id].hash == h && matches(id, prev, tokens)) return id;
  }
}

int32_t ContentKeys::intern(int32_t prev, const Token* tokens) {
  const uint64_t h = hash_of(prev, tokens);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const int32_t id = table_[s];
    if (id < 0) break;
    if (entries_[id].hash == h && matches(id, prev, tokens)) return id;
  }
  int32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<int32_t>(entries_.size());
    entries_.emplace_back();
    tokens_.resize(tokens_.size() + block_size_);
  }
  entries_[id] = Entry{h, prev, 0, kAbsent};
  std::copy(tokens, tokens + block_size_, tokens_.begin() + id * block_size_);
  if (prev != kRoot) add_ref(prev);  // a live key keeps its prefix chain alive
  if (static_cast<uint64_t>(live_ + 1) * 2 > table_.size()) grow_table();
  table_insert(id);
  live_ += 1;
  return id;
}

void ContentKeys::drop_ref(int32_t id) {
  while (id != kRoot) {
    Entry& e = entries_[id];
    e.refs -= 1;
    if (e.refs > 0) return;
    const int32_t prev = e.prev;
    table_erase(id);
    e.indexed_block = kAbsent;
    free_ids_.push_back(id);
    live_ -= 1;
    id = prev;
  }
}

void ContentKeys::table_insert(int32_t id) {
  uint64_t s = entries_[id].hash & mask_;
  while (table_[s] >= 0) s = (s + 1) & mask_;
  table_[s] = id;
}

void ContentKeys::table_erase(int32_t id) {
  uint64_t i = entries_[id].hash & mask_;
  while (table_[i] != id) i = (i + 1) & mask_;
  // Backward-shift deletion keeps every remaining key reachable from its home slot.
  for (uint64_t j = (i + 1) & mask_; table_[j] >= 0; j = (j + 1) & mask_) {
    const uint64_t home = entries_[table_[j]].hash & mask_;
    if (((j - home) & mask_) >= ((j - i) & mask_)) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i] = -1;
}

void ContentKeys::grow_table() {
  std::vector<int32_t> old;
  old.swap(table_);
  table_.assign(old.size() * 2, -1);
  mask_ = table_.size() - 1;
  for (int32_t id : old) {
    if (id >= 0) table_insert(id);
  }
}

}  // namespace simcheck::model
