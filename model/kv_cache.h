// Spec §6: the single-tier block KV cache of one instance (state, LOOKUP, ALLOCATE, RELEASE,
// derived values).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/case.h"
#include "model/chunked_vector.h"
#include "model/content_keys.h"
#include "model/sim_request.h"

namespace simcheck::model {

using BlockId = int32_t;
// Dense per-instance handle for one request's owner entry (§6.1 owner[request]); the instance
// gives each request that reaches it one OwnerId, so the hot path never hashes a request id.
using OwnerId = int32_t;

class KvCache {
 public:
  struct Options {
    // Quirks::empty_range_claims_nothing (§6.3 "Empty range", A7).
    bool empty_range_claims_nothing = true;
    // Quirks::decode_topup_block_keyed (§6.3 NOTE, A17).
    bool decode_topup_block_keyed = true;
  };

  KvCache(int64_t total_blocks, int64_t block_size, Options options);

  // §6.2 LOOKUP: the blocks of the longest indexed prefix of full B-token chunks of `tokens`.
  // Pure. `out` is cleared first (a reusable buffer keeps admissions allocation-free).
  void lookup(std::span<const Token> tokens, std::vector<BlockId>& out) const;
  std::vector<BlockId> lookup(std::span<const Token> tokens) const;

  // §6.3 ALLOCATE(r, start, end, cached); the mode is fixed by r.pi at call time (PREFILL iff
  // r.pi < L). Preconditions: PREFILL 0 ≤ start ≤ end ≤ L; DECODE L ≤ start < L + N. Returns false
  // (with no state change) when the pre-check fails. The keys of full prefill blocks point into
  // r.input: every request's input list must stay alive and unchanged as long as the cache.
  bool allocate(OwnerId owner, const SimRequest& r, int64_t start, int64_t end,
                std::span<const BlockId> cached);

  // §6.4 RELEASE: drops the owner entry, returning unreferenced blocks to the free-list tail in
  // reverse ownership order. No-op for an owner that holds nothing.
  void release(OwnerId owner);

  // §6.5 derived values and the INV-4 quantities the event log reports.
  int64_t total_blocks() const { return total_blocks_; }
  int64_t block_size() const { return block_size_; }
  int64_t free_count() const { return (total_blocks_ - virgin_next_) + free_listed_; }
  int64_t used() const { return total_blocks_ - free_count(); }
  int64_t in_use_count() const { return in_use_count_; }  // |{b : in_use}|, counted separately
  int64_t ref_sum() const { return ref_sum_; }            // Σ_b ref(b)
  int64_t owned_sum() const { return owned_sum_; }        // Σ_r |owner[r]|
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }
  double hit_rate() const;  // hits / (hits + misses), 0 if no block was ever claimed or allocated

  int64_t owned_count(OwnerId owner) const;
  // Inspection (tests, diagnostics).
  std::vector<BlockId> owned_blocks(OwnerId owner) const;
  std::vector<BlockId> free_list() const;  // head → tail; O(T)
  int64_t block_ref(BlockId b) const;
  bool block_in_use(BlockId b) const;
  int64_t block_token_count(BlockId b) const;
  // An opaque id of the block's content key (equal ids ⇔ equal keys), or nullopt if keyless.
  std::optional<int32_t> block_key(BlockId b) const;
  // index[key of b]: the block the index maps b's key to, or nullopt (b keyless or key erased).
  std::optional<BlockId> index_of_block_key(BlockId b) const;
  // index[KEY(key of prev_block or ROOT, tokens)] without interning; nullopt if absent.
  std::optional<BlockId> index_lookup(std::optional<BlockId> prev_block,
                                      std::span<const Token> tokens) const;

 private:
  static constexpr int32_t kNone = -1;
  struct Block {
    int32_t ref = 0;  // in_use(b) ⇔ ref(b) > 0: every claim adds a reference, RELEASE frees at 0
    int32_t key = ContentKeys::kAbsent;
    int32_t len = 0;            // |tokens|
    int32_t prev_free = kNone;  // explicit free-list links
    int32_t next_free = kNone;
  };
  // owner[r] (§6.1): its blocks in order, and the tokens of its last block while that block is
  // partial (only an owned partial last block is ever read — top-up and its key — and a partial
  // block is never shared: only full blocks carry keys, so the tail holds exactly `len` tokens of
  // the partial last block). Both live in pools shared by all owners, so an owner costs no heap
  // allocation of its own and the whole cache is freed in a few frees.
  struct Owner {
    int64_t at = 0;        // its block ids: owned_pool_[at, at + size)
    int32_t size = 0;      // |owner[r]|
    int32_t capacity = 0;  // slots reserved at `at`
    int64_t tail_at = -1;  // its B-token tail buffer in tail_pool_, or -1 before its first use
    bool empty() const { return size == 0; }
  };

  Owner& owner_entry(OwnerId owner);
  BlockId owned_at(const Owner& o, int64_t i) const { return owned_pool_[o.at + i]; }
  BlockId last_owned(const Owner& o) const { return owned_pool_[o.at + o.size - 1]; }
  void push_owned(Owner& o, BlockId b);
  void reserve_owned(Owner& o, int64_t capacity);  // moves the owner's ids to a larger slot
  Token* tail_of(Owner& o);                        // its tail buffer, made on first use
  BlockId pop_free_head();
  void remove_from_free_list(BlockId b);
  void push_free_tail(BlockId b);
  void claim_cached(Owner& o, std::span<const BlockId> cached);
  // Appends `take` tokens to the owner's partial last block `last` (and to its tail); once the
  // block is full, keys it (unless A17 is off for a decode top-up) from the tail tokens.
  void top_up(Owner& o, Block& last, const Token* tokens, int64_t take, bool prefill_mode);
  void set_key(BlockId b, int32_t key);
  int32_t key_or_root(BlockId b) const;

  int64_t total_blocks_;
  int64_t block_size_;
  Options options_;
  // The free list is [virgin blocks virgin_next_ .. T−1 in id order] ++ [explicit list]: released
  // blocks are appended at the tail, after every virgin block, and only keyed (hence used) blocks
  // are removed from the middle. Blocks are materialised on first use, so T may be huge.
  ChunkedVector<Block> blocks_;  // size == virgin_next_
  int64_t virgin_next_ = 0;
  int32_t free_head_ = kNone;
  int32_t free_tail_ = kNone;
  int64_t free_listed_ = 0;
  int64_t in_use_count_ = 0;
  int64_t ref_sum_ = 0;
  int64_t owned_sum_ = 0;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
  std::vector<Owner> owners_;
  std::vector<BlockId> owned_pool_;  // owners' block lists (a grown list moves to the end)
  std::vector<Token> tail_pool_;     // owners' tail buffers, B tokens each
  ContentKeys keys_;
};

}  // namespace simcheck::model
