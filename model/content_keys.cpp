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

uint64_t ContentKeys::hash_after(uint64_t prev_hash, const Token* tokens) const {
  uint64_t h = prev_hash;
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
  return h;
}

bool ContentKeys::matches(int32_t id, int32_t prev, const Token* tokens) const {
  const Entry& e = entries_[id];
  return e.prev == prev && std::memcmp(e.tokens, tokens, block_size_ * sizeof(Token)) == 0;
}

int32_t ContentKeys::find(int32_t prev, const Token* tokens) const {
  const uint64_t hash = hash_after(hash_of_key(prev), tokens);
  const uint32_t h = hash32(hash);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const uint64_t v = table_[s];
    if (v == kEmpty) return kAbsent;
    if (slot_hash(v) == h && matches(slot_id(v), prev, tokens)) return slot_id(v);
  }
}

const Token* ContentKeys::copy_tokens(const Token* tokens, int32_t& slot) {
  if (!free_copy_slots_.empty()) {
    slot = free_copy_slots_.back();
    free_copy_slots_.pop_back();
  } else {
    slot = static_cast<int32_t>(copies_.size());
    copies_.push_back(std::make_unique_for_overwrite<Token[]>(static_cast<size_t>(block_size_)));
  }
  Token* at = copies_[slot].get();
  std::copy(tokens, tokens + block_size_, at);
  return at;
}

int32_t ContentKeys::intern_hashed(int32_t prev, const Token* tokens, uint64_t hash,
                                   Storage storage) {
  if (static_cast<uint64_t>(live_ + 1) * 2 > table_.size()) grow_table();
  const uint32_t h = hash32(hash);
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
  }
  Entry& e = entries_[id];
  e = Entry{prev, 0, kAbsent, -1, hash, tokens};
  if (storage == Storage::copied) e.tokens = copy_tokens(tokens, e.copy_slot);
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
    if (e.copy_slot >= 0) free_copy_slots_.push_back(e.copy_slot);
    e.copy_slot = -1;
    e.tokens = nullptr;
    free_ids_.push_back(id);
    live_ -= 1;
    id = prev;
  }
}

void ContentKeys::table_erase(int32_t id) {
  const uint32_t h = hash32(entries_[id].hash);
  const uint64_t target = slot_value(h, id);
  uint64_t i = h & mask_;
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
