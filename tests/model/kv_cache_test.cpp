// Spec §6: KV cache allocation, lookup, release and the quirks of §6.3 (A7, A17).
#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace simcheck::model {
namespace {

using Blocks = std::vector<BlockId>;

// A request whose token lists live in the fixture (SimRequest only points at them).
struct Req {
  std::vector<Token> input, output;
  SimRequest r;
  Req(std::vector<Token> in, std::vector<Token> out)
      : input(std::move(in)), output(std::move(out)) {
    r.set_tokens(&input, &output);
  }
  Req(const Req&) = delete;
};

KvCache make_cache(int64_t T, int64_t B, bool empty_range_claims_nothing = true,
                   bool decode_topup_block_keyed = true) {
  return KvCache(T, B, KvCache::Options{empty_range_claims_nothing, decode_topup_block_keyed});
}

// INV-4 at a boundary: conservation of blocks and references.
void expect_conserved(const KvCache& kv) {
  EXPECT_EQ(kv.free_count() + kv.in_use_count(), kv.total_blocks());
  EXPECT_EQ(static_cast<int64_t>(kv.free_list().size()), kv.free_count());
  EXPECT_EQ(kv.ref_sum(), kv.owned_sum());
}

TEST(KvCache, PrefillAllocatesFreshBlocksKeyingOnlyFullOnes) {
  KvCache kv = make_cache(8, 4);
  Req a({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {11});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 10, {}));
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1, 2}));  // ceil_div(10, 4) = 3 blocks from the head
  EXPECT_TRUE(kv.block_key(0).has_value());
  EXPECT_TRUE(kv.block_key(1).has_value());
  EXPECT_FALSE(kv.block_key(2).has_value());  // partial: 2 tokens
  EXPECT_EQ(kv.block_token_count(2), 2);
  EXPECT_EQ(kv.misses(), 3);
  EXPECT_EQ(kv.hits(), 0);
  EXPECT_EQ(kv.free_count(), 5);
  EXPECT_EQ(kv.used(), 3);
  EXPECT_EQ(kv.free_list(), (Blocks{3, 4, 5, 6, 7}));
  expect_conserved(kv);
  // The chain of keys is found again by LOOKUP: 10 tokens = 2 full chunks.
  EXPECT_EQ(kv.lookup(a.input), (Blocks{0, 1}));
}

TEST(KvCache, PrefillPreCheckFailureLeavesStateUnchanged) {
  KvCache kv = make_cache(2, 4);
  Req a({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1});
  EXPECT_FALSE(kv.allocate(0, a.r, 0, 9, {}));  // needs 3 blocks, 2 free
  EXPECT_EQ(kv.free_count(), 2);
  EXPECT_EQ(kv.owned_count(0), 0);
  EXPECT_EQ(kv.misses(), 0);
  EXPECT_EQ(kv.free_list(), (Blocks{0, 1}));
  expect_conserved(kv);
  // A range that fits still succeeds afterwards.
  EXPECT_TRUE(kv.allocate(0, a.r, 0, 8, {}));
  EXPECT_EQ(kv.free_count(), 0);
}

TEST(KvCache, PreCheckCountsCachedBlocksThatMustLeaveTheFreeList) {
  KvCache kv = make_cache(3, 4);
  Req a({1, 2, 3, 4, 5, 6, 7, 8}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 8, {}));
  kv.release(0);  // blocks 0,1 keyed, back on the free list: free = [2, 1, 0]
  Req b({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, {1});
  const Blocks cached = kv.lookup(b.input);
  ASSERT_EQ(cached, (Blocks{0, 1}));
  // need = ceil_div(13 - 8, 4) = 2, from_free = 2, free_count = 3 → 4 > 3 fails, nothing changes.
  EXPECT_FALSE(kv.allocate(1, b.r, 8, 13, cached));
  EXPECT_EQ(kv.free_list(), (Blocks{2, 1, 0}));
  EXPECT_EQ(kv.hits(), 0);
  // need = 1 (8..12) + from_free 2 = 3 ≤ 3 succeeds: claims 0 and 1 (hits), pops block 2.
  EXPECT_TRUE(kv.allocate(1, b.r, 8, 12, cached));
  EXPECT_EQ(kv.owned_blocks(1), (Blocks{0, 1, 2}));
  EXPECT_EQ(kv.hits(), 2);
  EXPECT_EQ(kv.misses(), 3);  // 2 from request a, 1 now
  EXPECT_EQ(kv.free_count(), 0);
  expect_conserved(kv);
}

TEST(KvCache, ChunkedPrefillTopsUpThePartialBlockAndKeysItLikeAFreshOne) {
  KvCache kv = make_cache(8, 4);
  Req a({1, 2, 3, 4, 5, 6}, {9});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));  // block 0 = [1,2]
  EXPECT_FALSE(kv.block_key(0).has_value());
  a.r.pi = 2;
  ASSERT_TRUE(kv.allocate(0, a.r, 2, 6, {}));  // top-up block 0 → [1,2,3,4], then block 1 = [5,6]
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1}));
  EXPECT_EQ(kv.block_token_count(0), 4);
  EXPECT_EQ(kv.block_token_count(1), 2);
  ASSERT_TRUE(kv.block_key(0).has_value());
  EXPECT_EQ(kv.misses(), 2);
  // A second request with the same first chunk allocated fresh gets an equal key (KEY(ROOT,
  // [1,2,3,4])), and the index is re-pointed to the newer block.
  Req b({1, 2, 3, 4}, {9});
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 4, {}));
  EXPECT_EQ(kv.owned_blocks(1), (Blocks{2}));
  EXPECT_EQ(kv.block_key(2), kv.block_key(0));
  EXPECT_EQ(kv.index_of_block_key(0), std::optional<BlockId>(2));
  EXPECT_EQ(kv.lookup(b.input), (Blocks{2}));
}

TEST(KvCache, PrefillPreCheckSubtractsTheTopUpRoom) {
  KvCache kv = make_cache(2, 4);
  Req a({1, 2, 3, 4, 5, 6, 7}, {9});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));  // 1 block used, 1 free
  a.r.pi = 2;
  // eff = 5 − min(4 − 2, 5) = 3 → need 1 ≤ 1.
  EXPECT_TRUE(kv.allocate(0, a.r, 2, 7, {}));
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1}));
  EXPECT_EQ(kv.block_token_count(1), 3);
}

TEST(KvCache, DecodeBlocksAreKeyedOnlyWhenFilledByTopUp) {
  KvCache kv = make_cache(8, 2);
  Req a({1, 2, 3}, {7, 8, 9});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 3, {}));  // [1,2] keyed, [3] partial
  a.r.pi = 3;                                  // DECODE mode from now on
  ASSERT_TRUE(kv.allocate(0, a.r, 3, 4, {}));  // top-up [3,7] → full → keyed (A17)
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1}));
  ASSERT_TRUE(kv.block_key(1).has_value());
  // Its key chains on block 0's key: KEY(KEY(ROOT,[1,2]), [3,7]).
  const std::vector<Token> chunk = {3, 7};
  EXPECT_EQ(kv.index_lookup(BlockId{0}, chunk), std::optional<BlockId>(1));
  a.r.pi = 4;
  ASSERT_TRUE(kv.allocate(0, a.r, 4, 5, {}));  // fresh decode block [8]: never keyed
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1, 2}));
  EXPECT_FALSE(kv.block_key(2).has_value());
  a.r.pi = 5;
  ASSERT_TRUE(kv.allocate(0, a.r, 5, 6, {}));  // top-up [8,9] → keyed, prev = block 1's key
  ASSERT_TRUE(kv.block_key(2).has_value());
  const std::vector<Token> chunk2 = {8, 9};
  EXPECT_EQ(kv.index_lookup(BlockId{1}, chunk2), std::optional<BlockId>(2));
  EXPECT_EQ(kv.misses(), 3);
}

TEST(KvCache, QuirkOffDecodeTopUpLeavesBlockKeyless) {
  KvCache kv = make_cache(8, 2, true, /*decode_topup_block_keyed=*/false);
  Req a({1, 2, 3}, {7, 8});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 3, {}));
  a.r.pi = 3;
  ASSERT_TRUE(kv.allocate(0, a.r, 3, 4, {}));
  EXPECT_EQ(kv.block_token_count(1), 2);
  EXPECT_FALSE(kv.block_key(1).has_value());
  // Prefill top-up still keys.
  Req b({4, 5, 6}, {1});
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 1, {}));
  b.r.pi = 1;
  ASSERT_TRUE(kv.allocate(1, b.r, 1, 3, {}));
  EXPECT_TRUE(kv.block_key(2).has_value());
}

TEST(KvCache, FullDecodeBlockAllocatedFreshIsKeyless) {
  // With B = 1 every decode block is full at allocation, and is not keyed (A17).
  KvCache kv = make_cache(4, 1);
  Req a({1}, {2, 3});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 1, {}));
  EXPECT_TRUE(kv.block_key(0).has_value());
  a.r.pi = 1;
  ASSERT_TRUE(kv.allocate(0, a.r, 1, 2, {}));
  EXPECT_EQ(kv.block_token_count(1), 1);
  EXPECT_FALSE(kv.block_key(1).has_value());
}

TEST(KvCache, DecodePreCheck) {
  KvCache kv = make_cache(2, 2);
  Req a({1, 2, 3, 4}, {5, 6});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 4, {}));  // both blocks full, none free
  a.r.pi = 4;
  EXPECT_FALSE(kv.allocate(0, a.r, 4, 5, {}));  // last full and free_count == 0
  EXPECT_EQ(kv.misses(), 2);
  Req b({9}, {8, 6});
  b.r.pi = 1;
  EXPECT_FALSE(kv.allocate(1, b.r, 1, 2, {}));  // no owner and free_count == 0
  kv.release(0);
  EXPECT_TRUE(kv.allocate(1, b.r, 1, 2, {}));  // a DECODE call without owner takes one fresh block
  EXPECT_EQ(kv.owned_count(1), 1);
  EXPECT_EQ(kv.block_token_count(kv.owned_blocks(1)[0]), 1);
  // Now 1 block free; fill it with another owner, then the partial last block can still top up.
  Req c({4}, {1});
  ASSERT_TRUE(kv.allocate(2, c.r, 0, 1, {}));
  EXPECT_EQ(kv.free_count(), 0);
  b.r.pi = 2;
  EXPECT_TRUE(kv.allocate(1, b.r, 2, 3, {}));  // DECODE output[1]: top-up, no new block
  EXPECT_EQ(kv.block_token_count(kv.owned_blocks(1)[0]), 2);
  expect_conserved(kv);
}

TEST(KvCache, ReleaseAppendsInReverseOrderAtTheTail) {
  KvCache kv = make_cache(5, 2);
  Req a({1, 2, 3, 4, 5, 6}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 6, {}));
  EXPECT_EQ(kv.free_list(), (Blocks{3, 4}));
  kv.release(0);
  // Released blocks go after the never-used ones, last owned first (LRU order for reuse).
  EXPECT_EQ(kv.free_list(), (Blocks{3, 4, 2, 1, 0}));
  EXPECT_EQ(kv.owned_count(0), 0);
  expect_conserved(kv);
  kv.release(0);  // releasing an owner that holds nothing is a no-op
  EXPECT_EQ(kv.free_list(), (Blocks{3, 4, 2, 1, 0}));
  // Reuse pops from the head: 3, 4, then 2.
  Req b({7, 8, 9, 10, 11}, {1});
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 5, {}));
  EXPECT_EQ(kv.owned_blocks(1), (Blocks{3, 4, 2}));
}

TEST(KvCache, LazyKeyDeletionUntilTheBlockIsRecycled) {
  KvCache kv = make_cache(2, 2);
  Req a({1, 2}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));
  kv.release(0);                               // free = [1, 0]
  EXPECT_EQ(kv.lookup(a.input), (Blocks{0}));  // key kept on the free block
  EXPECT_EQ(kv.block_token_count(0), 2);
  Req b({5}, {1});
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 1, {}));  // pops block 1 (virgin)
  EXPECT_EQ(kv.lookup(a.input), (Blocks{0}));
  Req c({6}, {1});
  ASSERT_TRUE(kv.allocate(2, c.r, 0, 1, {}));  // pops block 0: its key is erased
  EXPECT_EQ(kv.owned_blocks(2), (Blocks{0}));
  EXPECT_FALSE(kv.block_key(0).has_value());
  EXPECT_TRUE(kv.lookup(a.input).empty());
}

TEST(KvCache, RecyclingErasesTheIndexEntryEvenIfItPointsElsewhere) {
  KvCache kv = make_cache(3, 2);
  Req a({1, 2}, {1});
  Req b({1, 2}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));  // block 0, index[K] = 0
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 2, {}));  // block 1, same key: index[K] = 1
  EXPECT_EQ(kv.index_of_block_key(0), std::optional<BlockId>(1));
  EXPECT_EQ(kv.lookup(a.input), (Blocks{1}));
  kv.release(0);  // free = [2, 0]
  Req c({7}, {1});
  Req d({8}, {1});
  ASSERT_TRUE(kv.allocate(2, c.r, 0, 1, {}));  // block 2
  ASSERT_TRUE(kv.allocate(3, d.r, 0, 1, {}));  // block 0 recycled: erase index[K] (pointed at 1)
  EXPECT_TRUE(kv.lookup(a.input).empty());
  EXPECT_TRUE(kv.block_key(1).has_value());  // block 1 keeps its key, but is no longer indexed
  EXPECT_FALSE(kv.index_of_block_key(1).has_value());
}

TEST(KvCache, LookupClaimSharesBlocksAndRemovesFreeOnesFromTheMiddle) {
  KvCache kv = make_cache(6, 2);
  Req a({1, 2, 3, 4, 5}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 5, {}));  // blocks 0,1 keyed, 2 partial
  Req b({1, 2, 3, 4, 9, 9}, {1});
  const Blocks cached = kv.lookup(b.input);
  ASSERT_EQ(cached, (Blocks{0, 1}));  // [9,9] not cached
  ASSERT_TRUE(kv.allocate(1, b.r, 4, 6, cached));
  EXPECT_EQ(kv.owned_blocks(1), (Blocks{0, 1, 3}));
  EXPECT_EQ(kv.block_ref(0), 2);
  EXPECT_EQ(kv.block_ref(1), 2);
  EXPECT_EQ(kv.hits(), 2);
  EXPECT_EQ(kv.misses(), 4);
  EXPECT_DOUBLE_EQ(kv.hit_rate(), 2.0 / 6.0);
  expect_conserved(kv);
  kv.release(0);  // blocks 0,1 stay in use (ref 1), partial block 2 freed
  EXPECT_EQ(kv.free_list(), (Blocks{4, 5, 2}));
  kv.release(1);  // reverse of [0,1,3]: 3, 1, 0
  EXPECT_EQ(kv.free_list(), (Blocks{4, 5, 2, 3, 1, 0}));
  // A third request claims block 1 and 0 from the middle/tail of the free list.
  Req c({1, 2, 3, 4, 7}, {1});
  const Blocks cached_c = kv.lookup(c.input);
  ASSERT_EQ(cached_c, (Blocks{0, 1}));
  ASSERT_TRUE(kv.allocate(2, c.r, 4, 5, cached_c));
  EXPECT_EQ(kv.owned_blocks(2), (Blocks{0, 1, 4}));
  EXPECT_EQ(kv.free_list(), (Blocks{5, 2, 3}));
  expect_conserved(kv);
}

TEST(KvCache, EmptyRangeClaimsNothing) {
  KvCache kv = make_cache(2, 2);
  Req a({1, 2}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));
  kv.release(0);
  Req b({1, 2}, {5});
  const Blocks cached = kv.lookup(b.input);
  ASSERT_EQ(cached, (Blocks{0}));
  // ⚑ A7: start == end in PREFILL mode returns true but claims nothing and creates no owner.
  EXPECT_TRUE(kv.allocate(1, b.r, 2, 2, cached));
  EXPECT_EQ(kv.owned_count(1), 0);
  EXPECT_EQ(kv.hits(), 0);
  EXPECT_FALSE(kv.block_in_use(0));
  EXPECT_EQ(kv.free_count(), 2);
}

TEST(KvCache, EmptyRangeWithAnOwnerChangesNothing) {
  KvCache kv = make_cache(4, 2);
  Req a({1, 2, 3}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 3, {}));
  a.r.pi = 2;  // still PREFILL mode (pi < L = 3)
  EXPECT_TRUE(kv.allocate(0, a.r, 3, 3, {}));
  EXPECT_EQ(kv.owned_blocks(0), (Blocks{0, 1}));
  EXPECT_EQ(kv.block_token_count(1), 1);
  EXPECT_EQ(kv.misses(), 2);
  expect_conserved(kv);
}

TEST(KvCache, QuirkOffEmptyRangeClaimsTheCachedPrefix) {
  KvCache kv = make_cache(2, 2, /*empty_range_claims_nothing=*/false);
  Req a({1, 2}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 2, {}));
  kv.release(0);
  Req b({1, 2}, {5});
  const Blocks cached = kv.lookup(b.input);
  EXPECT_TRUE(kv.allocate(1, b.r, 2, 2, cached));
  EXPECT_EQ(kv.owned_blocks(1), (Blocks{0}));
  EXPECT_EQ(kv.hits(), 1);
  EXPECT_TRUE(kv.block_in_use(0));
  EXPECT_EQ(kv.free_list(), (Blocks{1}));
  expect_conserved(kv);
}

TEST(KvCache, KeysAreInjectiveOverPrefixChains) {
  // Same chunk after different prefixes gives different keys; same chunk after ROOT is one key.
  KvCache kv = make_cache(16, 2);
  Req a({1, 2, 5, 6}, {1});
  Req b({3, 4, 5, 6}, {1});
  Req c({5, 6}, {1});
  ASSERT_TRUE(kv.allocate(0, a.r, 0, 4, {}));
  ASSERT_TRUE(kv.allocate(1, b.r, 0, 4, {}));
  ASSERT_TRUE(kv.allocate(2, c.r, 0, 2, {}));
  EXPECT_NE(kv.block_key(1), kv.block_key(3));
  EXPECT_NE(kv.block_key(1), kv.block_key(4));
  EXPECT_EQ(kv.lookup(a.input), (Blocks{0, 1}));
  EXPECT_EQ(kv.lookup(b.input), (Blocks{2, 3}));
  EXPECT_EQ(kv.lookup(c.input), (Blocks{4}));
}

TEST(KvCache, ManyKeysSurviveTableGrowthAndRecycling) {
  // Exercise the interning table through growth and deletions: every still-indexed prompt is
  // found, every recycled one is not.
  const int64_t T = 300;
  KvCache kv = make_cache(T, 2);
  std::vector<std::unique_ptr<Req>> reqs;
  for (int k = 0; k < 600; ++k) {
    reqs.push_back(std::make_unique<Req>(std::vector<Token>{k, k + 1}, std::vector<Token>{1}));
    ASSERT_TRUE(kv.allocate(k, reqs.back()->r, 0, 2, {}));
    kv.release(k);
  }
  // Blocks are reused round-robin: requests 300..599 hold the last 300 keys.
  for (int k = 0; k < 600; ++k) {
    const Blocks found = kv.lookup(reqs[k]->input);
    if (k < 300) {
      EXPECT_TRUE(found.empty()) << k;
    } else {
      EXPECT_EQ(found, (Blocks{static_cast<BlockId>(k - 300)})) << k;
    }
  }
}

}  // namespace
}  // namespace simcheck::model
