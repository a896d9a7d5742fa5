// Spec §6.1 content keys: an injective encoding of KEY(prev, tokens) by interning (prev id, the B
// tokens) pairs, plus the §6.1 `index` (key → block id) stored on the key itself.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/case.h"
#include "model/chunked_vector.h"

namespace simcheck::model {

// Two keys are equal iff their `prev` and `tokens` are equal (§6.1); interning gives every distinct
// pair one id, so key equality is id equality. A key stays interned while some block holds it or
// some other live key uses it as `prev`; otherwise it is forgotten, which cannot change any
// observable result: an un-held key is not in the index (the index only ever points to blocks
// holding their own key), so LOOKUP stops at it whether or not it is interned, and re-interning the
// same pair later gives a fresh id that nothing else refers to.
//
// The keys form a forest by `prev`. Most keys have at most one child (a request's blocks chain one
// after the other), and a child is only ever searched for under a known parent (LOOKUP walks from
// ROOT). So the children of a key are a short linked list on the key itself, compared token by
// token without hashing; only the children of ROOT, and of a key that has gained many children (a
// shared prefix), live in a hash table. Per fresh block that is a few touches of entries that are
// already in cache, instead of a hash of B tokens and a random table probe per insertion and per
// erasure.
class ContentKeys {
 public:
  static constexpr int32_t kRoot = -1;    // `prev` of a first block (or after a keyless block)
  static constexpr int32_t kAbsent = -1;  // "no such key" / "not in the index"

  // How intern() keeps a new key's tokens: `borrowed` stores the pointer (the caller guarantees
  // that the B tokens stay alive and unchanged as long as this object: a request's input list);
  // `copied` copies them (a scratch buffer).
  enum class Storage { borrowed, copied };

  explicit ContentKeys(int64_t block_size);

  // The id of KEY(prev, tokens[0..B)) if interned, else kAbsent. Pure.
  int32_t find(int32_t prev, const Token *tokens) const;
  // The id of KEY(prev, tokens[0..B)), interning it if needed. A new key starts unheld; the caller
  // must add_ref it (by storing it on a block) before the next drop_ref of anything.
  int32_t intern(int32_t prev, const Token *tokens, Storage storage);

  void add_ref(int32_t id) { entries_[id].refs += 1; }
  // Forgets the key once nothing holds it, cascading to its `prev`.
  void drop_ref(int32_t id);

  // §6.1 index[key]: the block the key maps to, or kAbsent.
  int32_t indexed_block(int32_t id) const { return entries_[id].indexed_block; }
  void set_indexed_block(int32_t id, int32_t block) { entries_[id].indexed_block = block; }

  int64_t live_count() const { return live_; }

 private:
  static constexpr int32_t kNone = -1;
  // A key with this many listed children moves them to the hash table (and adds later ones there),
  // so that a search under a shared prefix stays O(1) instead of scanning every continuation.
  static constexpr int32_t kWideChildren = 8;

  struct Entry {
    int32_t prev = kRoot;
    int32_t refs = 0;
    int32_t indexed_block = kAbsent;
    int32_t copy_slot = -1;         // slot of the copied tokens in the copy pool, or -1 (borrowed)
    const Token *tokens = nullptr;  // B tokens
    // Children list (keys whose prev is this one) while this key is narrow.
    int32_t first_child = kNone;
    // The next sibling under the same narrow parent. The list is singly linked: erasing walks
    // from the parent, fewer than kWideChildren steps (usually none), and the entry stays at 40
    // bytes instead of 48.
    int32_t next_sibling = kNone;
    uint32_t hash32 = 0;      // upper hash bits, for a key that lives in the table
    uint8_t child_count = 0;  // < kWideChildren
    bool in_table = false;    // this key is in the table (prev is ROOT or a wide key)
    bool wide = false;        // this key's children are in the table
  };

  // A table slot holds (upper 32 bits of the hash) << 32 | (id + 1); 0 = empty. The home slot is
  // derived from the stored hash bits, so probing, erasing and growing never touch the entries.
  static constexpr uint64_t kEmpty = 0;
  static uint64_t slot_value(uint32_t h32, int32_t id) {
    return (static_cast<uint64_t>(h32) << 32) | static_cast<uint32_t>(id + 1);
  }
  static uint32_t slot_hash(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  static int32_t slot_id(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)) - 1; }

  bool in_table_of(int32_t prev) const { return prev == kRoot || entries_[prev].wide; }
  uint32_t hash32(int32_t prev, const Token *tokens) const;
  bool same_tokens(int32_t id, const Token *tokens) const;
  int32_t table_find(int32_t prev, const Token *tokens, uint32_t h) const;
  int32_t list_find(int32_t prev, const Token *tokens) const;
  const Token *copy_tokens(const Token *tokens, int32_t &slot);
  void table_insert(int32_t id, uint32_t h);
  void table_erase(int32_t id);
  void list_insert(int32_t prev, int32_t id);
  void list_erase(int32_t id);
  void make_wide(int32_t id);
  void grow_table();

  int64_t block_size_;
  ChunkedVector<Entry> entries_;
  std::vector<int32_t> free_ids_;
  // Copied token lists, B tokens per slot, kCopyChunk slots per allocation (addresses never
  // move); slots are reused once their key is forgotten. Only keys of blocks filled from a tail
  // buffer are copied (about two per request), so a pool saves a heap allocation per copy.
  static constexpr int32_t kCopyChunk = 256;
  Token *copy_at(int32_t slot) {
    return copy_chunks_[slot / kCopyChunk].get() + (slot % kCopyChunk) * block_size_;
  }
  std::vector<std::unique_ptr<Token[]>> copy_chunks_;
  int32_t copy_slots_used_ = 0;
  std::vector<int32_t> free_copy_slots_;
  // Open addressing with linear probing, load ≤ 1/2.
  std::vector<uint64_t> table_;
  uint64_t mask_ = 0;
  int64_t in_table_ = 0;
  int64_t live_ = 0;
};

}  // namespace simcheck::model
