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

uint32_t ContentKeys::hash32(int32_t prev, const Token *tokens) const {
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

bool ContentKeys::same_tokens(int32_t id, const Token *tokens) const {
  return std::memcmp(entries_[id].tokens, tokens, block_size_ * sizeof(Token)) == 0;
}

int32_t ContentKeys::table_find(int32_t prev, const Token *tokens, uint32_t h) const {
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const uint64_t v = table_[s];
    if (v == kEmpty) return kAbsent;
    if (slot_hash(v) == h) {
      const int32_t id = slot_id(v);
      if (entries_[id].prev == prev && same_tokens(id, tokens)) return id;
    }
  }
}

int32_t ContentKeys::list_find(int32_t prev, const Token *tokens) const {
  for (int32_t c = entries_[prev].first_child; c != kNone; c = entries_[c].next_sibling) {
    if (same_tokens(c, tokens)) return c;
  }
  return kAbsent;
}

int32_t ContentKeys::find(int32_t prev, const Token *tokens) const {
  return in_table_of(prev) ? table_find(prev, tokens, hash32(prev, tokens))
                           : list_find(prev, tokens);
}

const Token *ContentKeys::copy_tokens(const Token *tokens, int32_t &slot) {
  if (!free_copy_slots_.empty()) {
    slot = free_copy_slots_.back();
    free_copy_slots_.pop_back();
  } else {
    slot = copy_slots_used_++;
    if (slot % kCopyChunk == 0) {
      copy_chunks_.push_back(
          std::make_unique_for_overwrite<Token[]>(static_cast<size_t>(kCopyChunk * block_size_)));
    }
  }
  Token *at = copy_at(slot);
  std::copy(tokens, tokens + block_size_, at);
  return at;
}

int32_t ContentKeys::intern(int32_t prev, const Token *tokens, Storage storage) {
  const bool table = in_table_of(prev);
  const uint32_t h = table ? hash32(prev, tokens) : 0;
  const int32_t found = table ? table_find(prev, tokens, h) : list_find(prev, tokens);
  if (found != kAbsent) return found;
  int32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<int32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry &e = entries_[id];
  e = Entry{};
  e.prev = prev;
  e.tokens = tokens;
  if (storage == Storage::copied) e.tokens = copy_tokens(tokens, e.copy_slot);
  if (prev != kRoot) add_ref(prev);  // a live key keeps its prefix chain alive
  live_ += 1;
  if (table) {
    table_insert(id, h);
  } else {
    list_insert(prev, id);
  }
  return id;
}

void ContentKeys::drop_ref(int32_t id) {
  while (id != kRoot) {
    Entry &e = entries_[id];
    e.refs -= 1;
    if (e.refs > 0) return;
    // Forgotten. Its children (none: each would hold a reference) need no care.
    const int32_t prev = e.prev;
    if (e.in_table) {
      table_erase(id);
    } else {
      list_erase(id);
    }
    e.indexed_block = kAbsent;
    if (e.copy_slot >= 0) free_copy_slots_.push_back(e.copy_slot);
    e.copy_slot = -1;
    e.tokens = nullptr;
    free_ids_.push_back(id);
    live_ -= 1;
    id = prev;
  }
}

// ---- children lists -----------------------------------------------------------------------------

void ContentKeys::list_insert(int32_t prev, int32_t id) {
  Entry &p = entries_[prev];
  if (p.child_count + 1 >= kWideChildren) {
    make_wide(prev);
    table_insert(id, hash32(prev, entries_[id].tokens));
    return;
  }
  Entry &e = entries_[id];
  e.next_sibling = p.first_child;
  p.first_child = id;
  p.child_count += 1;
}

void ContentKeys::list_erase(int32_t id) {
  Entry &e = entries_[id];
  Entry &p = entries_[e.prev];
  if (p.first_child == id) {
    p.first_child = e.next_sibling;
  } else {
    int32_t c = p.first_child;
    while (entries_[c].next_sibling != id) c = entries_[c].next_sibling;
    entries_[c].next_sibling = e.next_sibling;
  }
  e.next_sibling = kNone;
  p.child_count -= 1;
}

void ContentKeys::make_wide(int32_t id) {
  // Keys are unique under their parent, so the listed children go to the table as they are.
  int32_t c = entries_[id].first_child;
  while (c != kNone) {
    Entry &child = entries_[c];
    const int32_t next = child.next_sibling;
    child.next_sibling = kNone;
    table_insert(c, hash32(id, child.tokens));
    c = next;
  }
  Entry &e = entries_[id];
  e.first_child = kNone;
  e.child_count = 0;
  e.wide = true;  // until the key is forgotten (intern resets its entry)
}

// ---- hash table ---------------------------------------------------------------------------------

void ContentKeys::table_insert(int32_t id, uint32_t h) {
  if (static_cast<uint64_t>(in_table_ + 1) * 2 > table_.size()) grow_table();
  uint64_t s = h & mask_;
  while (table_[s] != kEmpty) s = (s + 1) & mask_;
  table_[s] = slot_value(h, id);
  Entry &e = entries_[id];
  e.hash32 = h;
  e.in_table = true;
  in_table_ += 1;
}

void ContentKeys::table_erase(int32_t id) {
  Entry &e = entries_[id];
  const uint32_t h = e.hash32;
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
  e.in_table = false;
  in_table_ -= 1;
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
