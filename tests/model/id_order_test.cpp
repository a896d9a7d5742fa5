// indices_in_id_order must give the byte-wise order of the ids (std::string's operator<), equal
// ids in index order, on both of its paths (comparison sort below 1024 ids, radix sort above).
#include "model/id_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "model/rng.h"

namespace simcheck::model {
namespace {

std::vector<int32_t> reference_order(const std::vector<std::string>& ids) {
  std::vector<int32_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return ids[a] < ids[b]; });
  return order;
}

std::vector<int32_t> order_of(const std::vector<std::string>& ids) {
  return indices_in_id_order(ids.size(), [&](size_t i) -> std::string_view { return ids[i]; });
}

// Ids sharing "request_", of every length around the 8-byte key, with bytes that sort as
// padding (0x00) and above 0x7f, duplicates and ids that are prefixes of others.
std::vector<std::string> random_ids(Rng& rng, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    std::string s = "request_";
    const int64_t extra = static_cast<int64_t>(rng.uniform(14));
    for (int64_t k = 0; k < extra; ++k) {
      const uint64_t pick = rng.uniform(6);
      s.push_back(pick == 0 ? '\0' : pick == 1 ? '\xff' : static_cast<char>('0' + rng.uniform(3)));
    }
    ids.push_back(s);
  }
  return ids;
}

TEST(IdOrder, MatchesStringOrderOnSmallLists) {
  Rng rng(11);
  for (int round = 0; round < 50; ++round) {
    const std::vector<std::string> ids = random_ids(rng, static_cast<int>(rng.uniform(200)));
    ASSERT_EQ(order_of(ids), reference_order(ids)) << "round " << round;
  }
}

TEST(IdOrder, MatchesStringOrderOnRadixSortedLists) {
  Rng rng(12);
  for (int count : {1024, 5000, 40000}) {
    const std::vector<std::string> ids = random_ids(rng, count);
    ASSERT_EQ(order_of(ids), reference_order(ids)) << count << " ids";
  }
}

TEST(IdOrder, NumberedIdsWithSubRequestSuffixes) {
  // The model's own ids: "request_<n>" in creation order (a zig-zag in byte order) and their
  // "_prefill" / "_decode" sub-requests; no common prefix beyond "request_".
  std::vector<std::string> ids;
  for (int i = 0; i < 30000; ++i) {
    ids.push_back("request_" + std::to_string(i) + "_prefill");
    ids.push_back("request_" + std::to_string(i) + "_decode");
  }
  const std::vector<int32_t> order = order_of(ids);
  ASSERT_EQ(order, reference_order(ids));
  EXPECT_EQ(ids[order[0]], "request_0_decode");
  EXPECT_EQ(ids[order[1]], "request_0_prefill");
  EXPECT_EQ(ids[order[2]], "request_10000_decode");
}

TEST(IdOrder, EqualIdsKeepIndexOrderAndEmptyInput) {
  EXPECT_TRUE(order_of({}).empty());
  const std::vector<std::string> ids = {"b", "a", "b", "a", ""};
  EXPECT_EQ(order_of(ids), (std::vector<int32_t>{4, 1, 3, 0, 2}));
  std::vector<std::string> many(3000, "same");
  many[1500] = "earlier";
  const std::vector<int32_t> order = order_of(many);
  EXPECT_EQ(order[0], 1500);
  EXPECT_EQ(order[1], 0);
  EXPECT_EQ(order.back(), 2999);
}

TEST(IdOrder, RadixSortIsStableOnKeys) {
  std::vector<KeyedIndex> v;
  Rng rng(13);
  for (int i = 0; i < 4000; ++i) v.push_back(KeyedIndex{rng.uniform(50) << 40, i});
  std::vector<KeyedIndex> expected = v;
  std::stable_sort(expected.begin(), expected.end(),
                   [](const KeyedIndex& a, const KeyedIndex& b) { return a.key < b.key; });
  sort_keyed_indices(v);
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(v[i].key, expected[i].key) << i;
    ASSERT_EQ(v[i].index, expected[i].index) << i;
  }
}

}  // namespace
}  // namespace simcheck::model
