// Spec §6.1 content keys: an injective encoding of KEY(prev, tokens) by interning (prev id, the B
// tokens) pairs, plus the §6.1 `index` (key → block id) stored on the key itself.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/case.h"

namespace simcheck::model {

// Two keys are equal iff their `prev` and `tokens` are equal (§6.1); interning gives every distinct
// pair one id, so key equality is id equality. A key stays interned while some block holds it or
// some other live key uses it as `prev`; otherwise it is forgotten, which cannot change any
// observable result: an un-held key is not in the index (the index only ever points to blocks
// holding their own key), so LOOKUP stops at it whether or not it is interned, and re-interning
// the same pair later gives a fresh id that nothing else refers to.
//
// The hash of a key chains the hash of its `prev` key with its tokens (hash(ROOT) is a constant),
// so the hashes of a run of consecutive blocks are known from their tokens alone, before any of
// them is interned: a caller can compute them first and prefetch their table slots.
class ContentKeys {
 public:
  static constexpr int32_t kRoot = -1;    // `prev` of a first block (or after a keyless block)
  static constexpr int32_t kAbsent = -1;  // "no such key" / "not in the index"

  // How intern() keeps a new key's tokens: `borrowed` stores the pointer (the caller guarantees
  // that the B tokens stay alive and unchanged as long as this object: a request's input list);
  // `copied` copies them (a scratch buffer).
  enum class Storage { borrowed, copied };

  explicit ContentKeys(int64_t block_size);

  // Hash of KEY(prev, tokens[0..B)) given the hash of `prev` (root_hash() for kRoot).
  uint64_t hash_after(uint64_t prev_hash, const Token* tokens) const;
  static constexpr uint64_t root_hash() { return 0x243F6A8885A308D3ULL; }
  uint64_t hash_of_key(int32_t id) const { return id == kRoot ? root_hash() : entries_[id].hash; }
  // Hint: the table slot where a key of this hash starts its probe will be read soon.
  void prefetch(uint64_t hash) const { __builtin_prefetch(&table_[home_of(hash)]); }

  // The id of KEY(prev, tokens[0..B)) if interned, else kAbsent. Pure.
  int32_t find(int32_t prev, const Token* tokens) const;
  // The id of KEY(prev, tokens[0..B)), interning it if needed. A new key starts unheld; the caller
  // must add_ref it (by storing it on a block) before the next drop_ref of anything.
  int32_t intern(int32_t prev, const Token* tokens, Storage storage) {
    return intern_hashed(prev, tokens, hash_after(hash_of_key(prev), tokens), storage);
  }
  // As intern(), with `hash` = hash_after(hash_of_key(prev), tokens) computed by the caller.
  int32_t intern_hashed(int32_t prev, const Token* tokens, uint64_t hash, Storage storage);

  void add_ref(int32_t id) { entries_[id].refs += 1; }
  // Forgets the key once nothing holds it, cascading to its `prev`.
  void drop_ref(int32_t id);

  // §6.1 index[key]: the block the key maps to, or kAbsent.
  int32_t indexed_block(int32_t id) const { return entries_[id].indexed_block; }
  void set_indexed_block(int32_t id, int32_t block) { entries_[id].indexed_block = block; }

  int64_t live_count() const { return live_; }

 private:
  struct Entry {
    int32_t prev = kRoot;
    int32_t refs = 0;
    int32_t indexed_block = kAbsent;
    int32_t copy_slot = -1;  // slot of the copied tokens in copies_, or -1 (borrowed)
    uint64_t hash = 0;
    const Token* tokens = nullptr;  // B tokens
  };

  // A table slot holds (upper 32 bits of the hash) << 32 | (id + 1); 0 = empty. The home slot is
  // derived from the stored hash bits, so probing, erasing and growing never touch the entries
  // (one random memory access per probe instead of two).
  static constexpr uint64_t kEmpty = 0;
  static uint32_t hash32(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
  static uint64_t slot_value(uint32_t h32, int32_t id) {
    return (static_cast<uint64_t>(h32) << 32) | static_cast<uint32_t>(id + 1);
  }
  static uint32_t slot_hash(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  static int32_t slot_id(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)) - 1; }
  uint64_t home_of(uint64_t hash) const { return hash32(hash) & mask_; }

  bool matches(int32_t id, int32_t prev, const Token* tokens) const;
  const Token* copy_tokens(const Token* tokens, int32_t& slot);
  void table_erase(int32_t id);
  void grow_table();

  int64_t block_size_;
  std::vector<Entry> entries_;
  std::vector<int32_t> free_ids_;
  // Copied token lists, one B-token array per slot (addresses never move); slots are reused once
  // their key is forgotten. Only keys of blocks filled from a tail buffer are copied.
  std::vector<std::unique_ptr<Token[]>> copies_;
  std::vector<int32_t> free_copy_slots_;
  // Open addressing with linear probing, load ≤ 1/2.
  std::vector<uint64_t> table_;
  uint64_t mask_ = 0;
  int64_t live_ = 0;
};

}  // namespace simcheck::model
