// Spec §6.1: interning of content keys KEY(prev, tokens) and the key → block index.
#include "model/content_keys.h"

#include <algorithm>
#include <cstring>

namespace simcheck::model {

namespace {
constexpr size_t kInitialTableSize = 64;
}  // namespace

ContentKeys::ContentKeys(int64_t block_size)
    : block_size_(block_size), table_(kInitialTableSize, kEmpty), mask_(kInitialTableSize - 1) {}

uint32_t ContentKeys::hash_of(int32_t prev, const Token* tokens) const {
  uint64_t h = 0x243F6A8885A308D3ULL ^ static_cast<uint32_t>(prev);
  for (int64_t i = 0; i < block_size_; ++i) {
    h ^= static_cast<uint32_t>(tokens[i]);
    h *= 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
  }
  // splitmix64 finaliser: every output bit depends on every input bit.
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return static_cast<uint32_t>(h >> 32);
}

bool ContentKeys::matches(int32_t id, int32_t prev, const Token* tokens) const {
  return entries_[id].prev == prev &&
         std::memcmp(tokens_.data() + id * block_size_, tokens, block_size_ * sizeof(Token)) == 0;
}

int32_t ContentKeys::find(int32_t prev, const Token* tokens) const {
  const uint32_t h = hash_of(prev, tokens);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const uint64_t v = table_[s];
    if (v == kEmpty) return kAbsent;
    if (slot_hash(v) == h && matches(slot_id(v), prev, tokens)) return slot_id(v);
  }
}

int32_t ContentKeys::intern(int32_t prev, const Token* tokens) {
  if (static_cast<uint64_t>(live_ + 1) * 2 > table_.size()) grow_table();
  const uint32_t h = hash_of(prev, tokens);
  uint64_t s = h & mask_;
  for (;; s = (s + 1) & mask_) {
    const uint64_t v = table_[s];
    if (v == kEmpty) break;
    if (slot_hash(v) == h && matches(slot_id(v), prev, tokens)) return slot_id(v);
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
  entries_[id] = Entry{prev, 0, kAbsent, h};
  std::copy(tokens, tokens + block_size_, tokens_.begin() + id * block_size_);
  if (prev != kRoot) add_ref(prev);  // a live key keeps its prefix chain alive
  table_[s] = slot_value(h, id);     // the empty slot that ended the probe
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

void ContentKeys::table_erase(int32_t id) {
  const uint64_t target = slot_value(entries_[id].hash32, id);
  uint64_t i = entries_[id].hash32 & mask_;
  while (table_[i] != target) i = (i + 1) & mask_;
  // Backward-shift deletion keeps every remaining key reachable from its home slot.
  for (uint64_t j = (i + 1) & mask_; table_[j] != kEmpty; j = (j + 1) & mask_) {
    const uint64_t home = slot_hash(table_[j]) & mask_;
    if (((j - home) & mask_) >= ((j - i) & mask_)) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i] = kEmpty;
}

void ContentKeys::grow_table() {
  std::vector<uint64_t> old;
  old.swap(table_);
  table_.assign(old.size() * 2, kEmpty);
  mask_ = table_.size() - 1;
  for (uint64_t v : old) {
    if (v == kEmpty) continue;
    uint64_t s = slot_hash(v) & mask_;
    while (table_[s] != kEmpty) s = (s + 1) & mask_;
    table_[s] = v;
  }
}

}  // namespace simcheck::model
