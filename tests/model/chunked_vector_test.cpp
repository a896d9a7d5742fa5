// ChunkedVector: the growable array behind the KV cache's blocks and the content keys.
#include "model/chunked_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace simcheck::model {
namespace {

struct Item {
  int32_t a = 7;
  int64_t b = -1;
};

TEST(ChunkedVector, AppendsValueInitialisedElementsThatNeverMove) {
  ChunkedVector<Item, 3> v;  // chunks of 8, so 100 elements span 13 chunks
  std::vector<Item*> addresses;
  for (int i = 0; i < 100; ++i) {
    Item& x = v.emplace_back();
    EXPECT_EQ(x.a, 7);
    EXPECT_EQ(x.b, -1);
    x.b = i;
    addresses.push_back(&x);
  }
  ASSERT_EQ(v.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(&v[static_cast<size_t>(i)], addresses[static_cast<size_t>(i)]) << i;
    EXPECT_EQ(v[static_cast<size_t>(i)].b, i);
  }
}

TEST(ChunkedVector, MoveTransfersTheElementsAndEmptiesTheSource) {
  ChunkedVector<Item, 2> v;
  for (int i = 0; i < 10; ++i) v.emplace_back().b = i;
  ChunkedVector<Item, 2> w(std::move(v));
  EXPECT_EQ(w.size(), 10u);
  EXPECT_EQ(w[9].b, 9);
  EXPECT_EQ(v.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  v = std::move(w);
  EXPECT_EQ(v.size(), 10u);
  EXPECT_EQ(v[4].b, 4);
  v.emplace_back().b = 10;
  EXPECT_EQ(v[10].b, 10);
}

// Elements that own memory (the run's requests: ids, ITL lists) are destroyed exactly once,
// when the vector is destroyed or assigned over, never when it is moved from.
struct Counted {
  int* destroyed = nullptr;
  std::vector<int> payload = std::vector<int>(100, 7);
  ~Counted() {
    if (destroyed != nullptr) *destroyed += 1;
  }
};

TEST(ChunkedVector, DestroysOwningElementsOnceEach) {
  int destroyed = 0;
  {
    ChunkedVector<Counted, 2> v;
    for (int i = 0; i < 9; ++i) v.emplace_back().destroyed = &destroyed;
    ChunkedVector<Counted, 2> w(std::move(v));
    EXPECT_EQ(destroyed, 0);
    ChunkedVector<Counted, 2> x;
    for (int i = 0; i < 3; ++i) x.emplace_back().destroyed = &destroyed;
    x = std::move(w);  // x's own 3 elements go; w's 9 move over intact
    EXPECT_EQ(destroyed, 3);
    EXPECT_EQ(x.size(), 9u);
    EXPECT_EQ(x[8].payload.size(), 100u);
  }
  EXPECT_EQ(destroyed, 12);
}

}  // namespace
}  // namespace simcheck::model
