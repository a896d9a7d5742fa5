// Spec §6.1: content-key interning. Keys live either in their parent's children list or, for
// children of ROOT and of a key with many children, in the hash table; both must intern, find and
// forget exactly alike.
#include "model/content_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace simcheck::model {
namespace {

constexpr int64_t kB = 4;

std::vector<Token> block(Token first) { return {first, first + 1, first + 2, first + 3}; }

// A held key under ROOT with `n` held children (tails block(0), block(10), ...; borrowed). After
// each child is interned, every earlier one must still be found (the list turns into table
// entries at the 8th).
struct Family {
  int32_t parent = ContentKeys::kAbsent;
  std::vector<std::vector<Token>> tails;
  std::vector<int32_t> ids;
};
Family held_children(ContentKeys &keys, const std::vector<Token> &root,
                     ContentKeys::Storage root_storage, int n) {
  Family f;
  f.parent = keys.intern(ContentKeys::kRoot, root.data(), root_storage);
  keys.add_ref(f.parent);
  f.tails.reserve(static_cast<size_t>(n));  // the keys borrow the tails: no reallocation
  for (Token t = 0; t < n; ++t) {
    f.tails.push_back(block(10 * t));
    const int32_t k = keys.intern(f.parent, f.tails.back().data(), ContentKeys::Storage::borrowed);
    keys.add_ref(k);
    f.ids.push_back(k);
    for (size_t j = 0; j < f.ids.size(); ++j) {
      EXPECT_EQ(keys.find(f.parent, f.tails[j].data()), f.ids[j]) << "child " << j;
    }
  }
  return f;
}

TEST(ContentKeys, EqualPairsInternToOneIdAndDifferentPairsToDifferentIds) {
  ContentKeys keys(kB);
  const std::vector<Token> a = block(1), b = block(1), c = block(5);
  const int32_t ka = keys.intern(ContentKeys::kRoot, a.data(), ContentKeys::Storage::borrowed);
  keys.add_ref(ka);
  EXPECT_EQ(keys.intern(ContentKeys::kRoot, b.data(), ContentKeys::Storage::borrowed), ka);
  const int32_t kc = keys.intern(ContentKeys::kRoot, c.data(), ContentKeys::Storage::borrowed);
  keys.add_ref(kc);
  EXPECT_NE(kc, ka);
  // The same tokens under another prev are another key (§6.1: prev is part of the key).
  const int32_t kac = keys.intern(ka, c.data(), ContentKeys::Storage::borrowed);
  keys.add_ref(kac);
  EXPECT_NE(kac, kc);
  EXPECT_EQ(keys.find(ka, c.data()), kac);
  EXPECT_EQ(keys.find(kc, c.data()), ContentKeys::kAbsent);
  EXPECT_EQ(keys.live_count(), 3);
}

TEST(ContentKeys, ManyContinuationsOfOnePrefixAreAllFoundAndForgotten) {
  // 40 distinct continuations under one parent: past the listed-children limit they move to the
  // hash table; every one must stay findable, and forgetting them must leave none behind.
  ContentKeys keys(kB);
  const std::vector<Token> root = block(1000);
  const auto [p, tails, ids] = held_children(keys, root, ContentKeys::Storage::copied, 40);
  EXPECT_EQ(std::set<int32_t>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(keys.live_count(), 41);
  // Re-interning finds, never duplicates.
  for (size_t j = 0; j < tails.size(); ++j) {
    EXPECT_EQ(keys.intern(p, tails[j].data(), ContentKeys::Storage::copied), ids[j]);
  }
  // Forget every other continuation; the rest stay, the forgotten are absent.
  for (size_t j = 0; j < ids.size(); j += 2) keys.drop_ref(ids[j]);
  for (size_t j = 0; j < ids.size(); ++j) {
    EXPECT_EQ(keys.find(p, tails[j].data()), j % 2 == 0 ? ContentKeys::kAbsent : ids[j]) << j;
  }
  for (size_t j = 1; j < ids.size(); j += 2) keys.drop_ref(ids[j]);
  EXPECT_EQ(keys.live_count(), 1);
  keys.drop_ref(p);
  EXPECT_EQ(keys.live_count(), 0);
  EXPECT_EQ(keys.find(ContentKeys::kRoot, root.data()), ContentKeys::kAbsent);
}

TEST(ContentKeys, ListedChildrenAreForgottenFromAnyPosition) {
  // Five children of a narrow parent (a singly linked list, newest first): forgetting the middle,
  // the newest and the oldest must leave exactly the others findable.
  ContentKeys keys(kB);
  const std::vector<Token> root = block(500);
  const auto [p, tails, ids] = held_children(keys, root, ContentKeys::Storage::borrowed, 5);
  std::vector<bool> alive(5, true);
  for (const size_t gone : {size_t{2}, size_t{4}, size_t{0}}) {
    keys.drop_ref(ids[gone]);
    alive[gone] = false;
    for (size_t j = 0; j < ids.size(); ++j) {
      ASSERT_EQ(keys.find(p, tails[j].data()), alive[j] ? ids[j] : ContentKeys::kAbsent)
          << "after forgetting " << gone << ", child " << j;
    }
  }
  EXPECT_EQ(keys.live_count(), 3);
  // A forgotten child can be interned again under the same parent.
  const int32_t again = keys.intern(p, tails[2].data(), ContentKeys::Storage::borrowed);
  keys.add_ref(again);
  EXPECT_EQ(keys.find(p, tails[2].data()), again);
  EXPECT_EQ(keys.find(p, tails[1].data()), ids[1]);
}

TEST(ContentKeys, CopiedKeysSurviveTheirScratchBufferAcrossPoolChunks) {
  // 700 copied keys (past two 256-slot chunks of the copy pool) interned from one scratch buffer
  // that is overwritten after each call, in the table (under ROOT) and in lists (under a narrow
  // parent): each must stay findable by its tokens; forgotten ones free their slots, which new
  // keys reuse without disturbing the others.
  ContentKeys keys(kB);
  std::vector<Token> scratch(kB);
  const auto intern_copy = [&](int32_t prev, Token first) {
    scratch = block(first);
    const int32_t k = keys.intern(prev, scratch.data(), ContentKeys::Storage::copied);
    std::fill(scratch.begin(), scratch.end(), -1);
    return k;
  };
  std::vector<int32_t> ids;
  std::vector<int32_t> prevs;
  for (Token t = 0; t < 700; ++t) {
    const int32_t prev = t % 2 == 0 ? ContentKeys::kRoot : ids.back();
    const int32_t k = intern_copy(prev, 10 * t);
    keys.add_ref(k);
    ids.push_back(k);
    prevs.push_back(prev);
  }
  const auto check_all = [&](const std::vector<bool> &alive) {
    for (size_t j = 0; j < ids.size(); ++j) {
      const std::vector<Token> tokens = block(static_cast<Token>(10 * j));
      ASSERT_EQ(keys.find(prevs[j], tokens.data()), alive[j] ? ids[j] : ContentKeys::kAbsent) << j;
    }
  };
  std::vector<bool> alive(ids.size(), true);
  check_all(alive);
  // Forget the odd keys (each a leaf under its even parent).
  for (size_t j = 1; j < ids.size(); j += 2) {
    keys.drop_ref(ids[j]);
    alive[j] = false;
  }
  check_all(alive);
  // New copied keys reuse the freed slots; the survivors are intact.
  for (Token t = 0; t < 300; ++t) {
    const int32_t k = intern_copy(ContentKeys::kRoot, 100000 + 10 * t);
    keys.add_ref(k);
    const std::vector<Token> tokens = block(100000 + 10 * t);
    ASSERT_EQ(keys.find(ContentKeys::kRoot, tokens.data()), k);
  }
  check_all(alive);
  EXPECT_EQ(keys.live_count(), 350 + 300);
}

TEST(ContentKeys, AChainIsKeptAliveByItsLastKeyAndForgottenFromTheEnd) {
  ContentKeys keys(kB);
  std::vector<std::vector<Token>> blocks;
  for (Token t = 0; t < 5; ++t) blocks.push_back(block(100 + 4 * t));
  std::vector<int32_t> chain;
  int32_t prev = ContentKeys::kRoot;
  for (const auto &b : blocks) {
    prev = keys.intern(prev, b.data(), ContentKeys::Storage::borrowed);
    keys.add_ref(prev);
    chain.push_back(prev);
  }
  // Blocks give up the first four keys: the chain survives through the last key's prev refs.
  for (size_t j = 0; j + 1 < chain.size(); ++j) keys.drop_ref(chain[j]);
  EXPECT_EQ(keys.live_count(), 5);
  int32_t k = ContentKeys::kRoot;
  for (const auto &b : blocks) k = keys.find(k, b.data());
  EXPECT_EQ(k, chain.back());
  keys.drop_ref(chain.back());  // cascades to ROOT
  EXPECT_EQ(keys.live_count(), 0);
  EXPECT_EQ(keys.find(ContentKeys::kRoot, blocks[0].data()), ContentKeys::kAbsent);
}

}  // namespace
}  // namespace simcheck::model
