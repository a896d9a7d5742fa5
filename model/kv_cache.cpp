// Spec §6: KV cache state (§6.1), LOOKUP (§6.2), ALLOCATE (§6.3), RELEASE (§6.4), derived values
// (§6.5).
#include "model/kv_cache.h"

#include <algorithm>

#include "model/arith.h"

namespace simcheck::model {

KvCache::KvCache(int64_t total_blocks, int64_t block_size, Options options)
    : total_blocks_(total_blocks), block_size_(block_size), options_(options), keys_(block_size) {}

double KvCache::hit_rate() const {
  const int64_t lookups = hits_ + misses_;
  return lookups == 0 ? 0.0 : static_cast<double>(hits_) / static_cast<double>(lookups);
}

KvCache::Owner& KvCache::owner_entry(OwnerId owner) {
  if (static_cast<size_t>(owner) >= owners_.size()) owners_.resize(owner + 1);
  return owners_[owner];
}

int64_t KvCache::owned_count(OwnerId owner) const {
  return static_cast<size_t>(owner) < owners_.size() ? owners_[owner].size : 0;
}

std::vector<BlockId> KvCache::owned_blocks(OwnerId owner) const {
  if (static_cast<size_t>(owner) >= owners_.size()) return {};
  const Owner& o = owners_[owner];
  const auto first = owned_pool_.begin() + o.at;
  return std::vector<BlockId>(first, first + o.size);
}

void KvCache::reserve_owned(Owner& o, int64_t capacity) {
  if (capacity <= o.capacity) return;
  const int64_t at = static_cast<int64_t>(owned_pool_.size());
  owned_pool_.resize(static_cast<size_t>(at + capacity));
  std::copy_n(owned_pool_.begin() + o.at, o.size, owned_pool_.begin() + at);
  o.at = at;
  o.capacity = static_cast<int32_t>(capacity);
}

void KvCache::push_owned(Owner& o, BlockId b) {
  if (o.size == o.capacity) reserve_owned(o, std::max<int64_t>(4, 2 * int64_t{o.capacity}));
  owned_pool_[o.at + o.size] = b;
  o.size += 1;
}

Token* KvCache::tail_of(Owner& o) {
  if (o.tail_at < 0) {
    o.tail_at = static_cast<int64_t>(tail_pool_.size());
    tail_pool_.resize(tail_pool_.size() + static_cast<size_t>(block_size_));
  }
  return tail_pool_.data() + o.tail_at;
}

// ---- free list -------------------------------------------------------------------------------

BlockId KvCache::pop_free_head() {
  if (virgin_next_ < total_blocks_) {  // virgin blocks precede every released block
    blocks_.emplace_back();
    return static_cast<BlockId>(virgin_next_++);
  }
  const BlockId b = free_head_;
  remove_from_free_list(b);
  return b;
}

void KvCache::remove_from_free_list(BlockId b) {
  Block& blk = blocks_[b];
  if (blk.prev_free != kNone) {
    blocks_[blk.prev_free].next_free = blk.next_free;
  } else {
    free_head_ = blk.next_free;
  }
  if (blk.next_free != kNone) {
    blocks_[blk.next_free].prev_free = blk.prev_free;
  } else {
    free_tail_ = blk.prev_free;
  }
  blk.prev_free = blk.next_free = kNone;
  free_listed_ -= 1;
}

void KvCache::push_free_tail(BlockId b) {
  Block& blk = blocks_[b];
  blk.prev_free = free_tail_;
  blk.next_free = kNone;
  if (free_tail_ != kNone) {
    blocks_[free_tail_].next_free = b;
  } else {
    free_head_ = b;
  }
  free_tail_ = b;
  free_listed_ += 1;
}

std::vector<BlockId> KvCache::free_list() const {
  std::vector<BlockId> out;
  for (int64_t b = virgin_next_; b < total_blocks_; ++b) out.push_back(static_cast<BlockId>(b));
  for (int32_t b = free_head_; b != kNone; b = blocks_[b].next_free) out.push_back(b);
  return out;
}

// ---- block inspection --------------------------------------------------------------------------

int64_t KvCache::block_ref(BlockId b) const {
  return static_cast<size_t>(b) < blocks_.size() ? blocks_[b].ref : 0;
}
bool KvCache::block_in_use(BlockId b) const {
  return static_cast<size_t>(b) < blocks_.size() && blocks_[b].ref > 0;
}
int64_t KvCache::block_token_count(BlockId b) const {
  return static_cast<size_t>(b) < blocks_.size() ? blocks_[b].len : 0;
}
std::optional<int32_t> KvCache::block_key(BlockId b) const {
  if (static_cast<size_t>(b) >= blocks_.size() || blocks_[b].key == ContentKeys::kAbsent) {
    return std::nullopt;
  }
  return blocks_[b].key;
}
std::optional<BlockId> KvCache::index_of_block_key(BlockId b) const {
  const std::optional<int32_t> k = block_key(b);
  if (!k) return std::nullopt;
  const int32_t target = keys_.indexed_block(*k);
  if (target == ContentKeys::kAbsent) return std::nullopt;
  return target;
}
std::optional<BlockId> KvCache::index_lookup(std::optional<BlockId> prev_block,
                                             std::span<const Token> tokens) const {
  const int32_t prev = prev_block ? key_or_root(*prev_block) : ContentKeys::kRoot;
  const int32_t k = keys_.find(prev, tokens.data());
  if (k == ContentKeys::kAbsent || keys_.indexed_block(k) == ContentKeys::kAbsent) {
    return std::nullopt;
  }
  return keys_.indexed_block(k);
}

// ---- §6.2 LOOKUP -------------------------------------------------------------------------------

void KvCache::lookup(std::span<const Token> tokens, std::vector<BlockId>& out) const {
  out.clear();
  const int64_t n = static_cast<int64_t>(tokens.size()) / block_size_;
  int32_t k = ContentKeys::kRoot;
  for (int64_t i = 0; i < n; ++i) {
    // A pair that was never interned (or was forgotten) is not in the index either.
    k = keys_.find(k, tokens.data() + i * block_size_);
    if (k == ContentKeys::kAbsent) break;
    const int32_t b = keys_.indexed_block(k);
    if (b == ContentKeys::kAbsent) break;
    out.push_back(b);
  }
}

std::vector<BlockId> KvCache::lookup(std::span<const Token> tokens) const {
  std::vector<BlockId> out;
  lookup(tokens, out);
  return out;
}

// ---- §6.3 ALLOCATE -----------------------------------------------------------------------------

int32_t KvCache::key_or_root(BlockId b) const {
  // "A block whose key is absent acts as ROOT when it is used as prev" (§6.1).
  return blocks_[b].key == ContentKeys::kAbsent ? ContentKeys::kRoot : blocks_[b].key;
}

void KvCache::set_key(BlockId b, int32_t key) {
  blocks_[b].key = key;
  keys_.add_ref(key);
  keys_.set_indexed_block(key, b);  // re-points an existing entry to the newer block
}

void KvCache::claim_cached(Owner& o, std::span<const BlockId> cached) {
  for (BlockId b : cached) {
    Block& blk = blocks_[b];
    const bool was_free = blk.ref == 0;
    blk.ref += 1;
    ref_sum_ += 1;
    if (was_free) {
      in_use_count_ += 1;
      remove_from_free_list(b);
    }
    hits_ += 1;
    push_owned(o, b);
    owned_sum_ += 1;
  }
}

void KvCache::top_up(Owner& o, Block& last, const Token* tokens, int64_t take, bool prefill_mode) {
  Token* tail = tail_of(o);
  if (take == 1) {
    tail[last.len] = *tokens;  // a decode token: a store, not a library copy call
  } else {
    std::copy_n(tokens, take, tail + last.len);
  }
  last.len += static_cast<int32_t>(take);
  // ⚑ A17: this also keys a block filled by decode tokens (quirk switch).
  if (last.len == block_size_ && (prefill_mode || options_.decode_topup_block_keyed)) {
    const int32_t prev = o.size >= 2 ? key_or_root(owned_at(o, o.size - 2)) : ContentKeys::kRoot;
    // The tail is a scratch buffer: the key keeps a copy of its tokens.
    set_key(last_owned(o), keys_.intern(prev, tail, ContentKeys::Storage::copied));
  }
}

bool KvCache::allocate(OwnerId owner, const SimRequest& r, int64_t start, int64_t end,
                       std::span<const BlockId> cached) {
  const int64_t B = block_size_;
  const int64_t L = r.L();
  const bool prefill_mode = r.pi < L;
  if (!prefill_mode && static_cast<size_t>(owner) < owners_.size()) {
    // The common DECODE call, one token into a partial last block: no block is taken, so the
    // pre-check cannot fail; this is the general path below with everything known skipped.
    Owner& o = owners_[owner];
    if (!o.empty()) {
      Block& blk = blocks_[last_owned(o)];
      if (0 < blk.len && blk.len < B) {
        top_up(o, blk, &r.output()[static_cast<size_t>(start - L)], 1, /*prefill_mode=*/false);
        return true;
      }
    }
  }
  Owner& o = owner_entry(owner);
  if (o.capacity == 0) {
    // A request holds at most ceil_div(L + N, B) blocks: one reservation instead of a doubling
    // series (only a hint; the list still grows if ever needed).
    reserve_owned(o, ceil_div(L + r.N(), B));
  }

  // The tokens to place: input[start, end) or the single output token at position `start`.
  Token decode_token = 0;
  std::span<const Token> fresh;
  if (prefill_mode) {
    fresh = std::span<const Token>(r.input().data() + start, static_cast<size_t>(end - start));
  } else {
    decode_token = r.output()[static_cast<size_t>(start - L)];
    fresh = std::span<const Token>(&decode_token, 1);
  }

  // Pre-check: no state changes when it fails.
  const int64_t last_len = o.empty() ? 0 : blocks_[last_owned(o)].len;
  if (prefill_mode) {
    int64_t eff = end - start;
    if (0 < last_len && last_len < B) eff -= std::min(B - last_len, eff);
    const int64_t need = eff > 0 ? ceil_div(eff, B) : 0;
    int64_t from_free = 0;
    for (BlockId b : cached) from_free += blocks_[b].ref > 0 ? 0 : 1;
    if (need + from_free > free_count()) return false;
  } else if (o.empty() ? free_count() == 0 : (last_len == B && free_count() == 0)) {
    return false;
  }

  const int64_t n = static_cast<int64_t>(fresh.size());
  // Quirk switch off (causal alternative to A7): an empty PREFILL range still claims the cached
  // prefix, so a fully cached prompt holds its blocks from admission on.
  if (n == 0 && !options_.empty_range_claims_nothing && o.empty()) {
    claim_cached(o, cached);
  }

  int64_t i = 0;
  while (i < n) {
    if (o.empty()) claim_cached(o, cached);  // first allocation for r
    const BlockId last = o.empty() ? kNone : last_owned(o);
    if (last != kNone && 0 < blocks_[last].len && blocks_[last].len < B) {
      // Top up the partial last block.
      Block& blk = blocks_[last];
      const int64_t take = std::min<int64_t>(B - blk.len, n - i);
      top_up(o, blk, fresh.data() + i, take, prefill_mode);
      i += take;
    } else {
      // Allocate fresh blocks.
      const int64_t m = ceil_div(n - i, B);
      int32_t prev = last == kNone ? ContentKeys::kRoot : key_or_root(last);
      for (int64_t j = 0; j < m; ++j) {
        const BlockId b = pop_free_head();  // cannot fail after the pre-check
        Block& blk = blocks_[b];
        if (blk.key != ContentKeys::kAbsent) {
          // Lazy deletion ends here: erase index[key] whatever block it maps to.
          const int32_t old = blk.key;
          blk.key = ContentKeys::kAbsent;
          keys_.set_indexed_block(old, ContentKeys::kAbsent);
          keys_.drop_ref(old);
        }
        const int64_t count = std::min(B, n - i);
        blk.len = static_cast<int32_t>(count);
        blk.ref = 1;
        ref_sum_ += 1;
        in_use_count_ += 1;
        misses_ += 1;
        const Token* toks = fresh.data() + i;
        if (count == B) {
          if (prefill_mode) {
            // Input tokens outlive the cache (the run's trace): the key borrows them.
            const int32_t k = keys_.intern(prev, toks, ContentKeys::Storage::borrowed);
            set_key(b, k);
            prev = k;
          }
        } else {
          std::copy_n(toks, count, tail_of(o));  // tops up to B later
        }
        push_owned(o, b);
        owned_sum_ += 1;
        i += count;
      }
    }
  }
  return true;
}

// ---- §6.4 RELEASE ------------------------------------------------------------------------------

void KvCache::release(OwnerId owner) {
  if (static_cast<size_t>(owner) >= owners_.size()) return;
  Owner& o = owners_[owner];
  for (int64_t k = o.size - 1; k >= 0; --k) {
    const BlockId b = owned_at(o, k);
    Block& blk = blocks_[b];
    blk.ref -= 1;
    ref_sum_ -= 1;
    if (blk.ref == 0) {
      // Key and tokens stay (lazy deletion) until the block is popped for reuse.
      in_use_count_ -= 1;
      push_free_tail(b);
    }
  }
  owned_sum_ -= o.size;
  o.size = 0;
}

}  // namespace simcheck::model
