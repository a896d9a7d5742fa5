// model::IdMap: the sorted-vector map of the run output's per-request maps (model/id_map.h).
#include "model/id_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace simcheck::model {
namespace {

template <class V>
std::vector<std::pair<Id, V>> entries(const IdMap<V>& m) {
  return {m.begin(), m.end()};
}

TEST(IdMap, AppendsKeysInOrder) {
  IdMap<double> m;
  EXPECT_TRUE(m.empty());
  m.reserve(3);
  EXPECT_TRUE(m.emplace("a", 1.0).second);
  EXPECT_TRUE(m.try_emplace("b", 2.0).second);
  auto it = m.emplace_hint(m.end(), "c", 3.0);
  EXPECT_EQ(it->first, "c");
  EXPECT_EQ(it->second, 3.0);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_FALSE(m.empty());
  EXPECT_EQ(entries(m), (std::vector<std::pair<Id, double>>{{"a", 1.0}, {"b", 2.0}, {"c", 3.0}}));
  // Random access iterators.
  EXPECT_EQ(m.end() - m.begin(), 3);
  EXPECT_EQ((m.begin() + 1)->first, "b");
}

TEST(IdMap, InsertsOutOfOrderKeysInByteOrder) {
  IdMap<int64_t> m;
  for (const char* k : {"request_2", "request_10", "request_1", "B", "a", "request_20"}) {
    m[k] = static_cast<int64_t>(std::string(k).size());
  }
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  // Byte-wise: upper case before lower case, "request_10" before "request_2".
  EXPECT_EQ(keys, (std::vector<std::string>{"B", "a", "request_1", "request_10", "request_2",
                                            "request_20"}));
  EXPECT_EQ(m.at("request_10"), 10);
  // Bytes >= 0x80 sort after ASCII (unsigned comparison, as std::string's operator<).
  m["\xc3\xa9"] = 1;
  EXPECT_EQ((m.end() - 1)->first, "\xc3\xa9");
}

TEST(IdMap, InsertOnAnExistingKeyKeepsTheValueLikeStdMap) {
  IdMap<double> m;
  m.emplace("x", 1.0);
  m.emplace("y", 2.0);
  auto [it, inserted] = m.emplace("x", 5.0);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(it->second, 1.0);
  EXPECT_FALSE(m.try_emplace("y", 9.0).second);
  EXPECT_FALSE(m.insert({"y", 9.0}).second);
  EXPECT_EQ(m.emplace_hint(m.end(), "y", 9.0)->second, 2.0);
  EXPECT_EQ(m.at("y"), 2.0);
  // insert_or_assign overwrites and says whether the key was new.
  EXPECT_FALSE(m.insert_or_assign("x", 7.0).second);
  EXPECT_EQ(m.at("x"), 7.0);
  EXPECT_TRUE(m.insert_or_assign("w", 0.5).second);
  EXPECT_EQ(entries(m), (std::vector<std::pair<Id, double>>{{"w", 0.5}, {"x", 7.0}, {"y", 2.0}}));
  // operator[] value-initialises a new key and returns the existing value otherwise.
  EXPECT_EQ(m["v"], 0.0);
  EXPECT_EQ(m["x"], 7.0);
  EXPECT_EQ(m.size(), 4u);
}

TEST(IdMap, FindCountContainsAtLowerBound) {
  IdMap<std::string> m{{"b", "B"}, {"d", "D"}};
  EXPECT_EQ(m.count("b"), 1u);
  EXPECT_EQ(m.count("c"), 0u);
  EXPECT_TRUE(m.contains(std::string("d")));
  EXPECT_FALSE(m.contains(""));
  ASSERT_NE(m.find("d"), m.end());
  EXPECT_EQ(m.find("d")->second, "D");
  EXPECT_EQ(m.find("a"), m.end());
  EXPECT_EQ(m.find("e"), m.end());
  EXPECT_EQ(m.at("b"), "B");
  EXPECT_THROW(m.at("c"), std::out_of_range);
  const IdMap<std::string>& cm = m;
  EXPECT_EQ(cm.at("d"), "D");
  EXPECT_THROW(cm.at("z"), std::out_of_range);
  EXPECT_EQ(cm.find("b"), cm.begin());
  EXPECT_EQ(m.lower_bound("a"), m.begin());
  EXPECT_EQ(m.lower_bound("b"), m.begin());
  EXPECT_EQ(m.lower_bound("c")->first, "d");
  EXPECT_EQ(m.lower_bound("e"), m.end());
}

TEST(IdMap, EraseByKeyAndIterator) {
  IdMap<int> m{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
  EXPECT_EQ(m.erase("b"), 1u);
  EXPECT_EQ(m.erase("b"), 0u);
  EXPECT_EQ(m.erase("zz"), 0u);
  auto next = m.erase(m.find("a"));
  ASSERT_NE(next, m.end());
  EXPECT_EQ(next->first, "c");
  EXPECT_EQ(entries(m), (std::vector<std::pair<Id, int>>{{"c", 3}, {"d", 4}}));
  m.erase(m.find("d"));
  EXPECT_EQ(m.size(), 1u);
  m.clear();
  EXPECT_TRUE(m.empty());
  m["q"] = 1;  // usable after clear
  EXPECT_EQ(m.at("q"), 1);
}

TEST(IdMap, InitializerListKeepsTheFirstOfEqualKeysAsStdMap) {
  const IdMap<int> m{{"b", 1}, {"a", 2}, {"b", 3}};
  const std::map<std::string, int> reference{{"b", 1}, {"a", 2}, {"b", 3}};
  EXPECT_EQ(entries(m), (std::vector<std::pair<Id, int>>(reference.begin(), reference.end())));
}

TEST(IdMap, FromEntriesSortsAndKeepsTheFirstDuplicate) {
  std::vector<std::pair<Id, int>> in = {{"request_2", 1}, {"request_10", 2}, {"request_2", 3},
                                        {"request_1", 4}, {"request_10", 5}, {"request_2", 6},
                                        {"a", 7}};
  const IdMap<int> m = IdMap<int>::from_entries(in);
  EXPECT_EQ(entries(m), (std::vector<std::pair<Id, int>>{
                            {"a", 7}, {"request_1", 4}, {"request_10", 2}, {"request_2", 1}}));
  // Sorted input is taken as is; empty input gives an empty map.
  const IdMap<int> sorted = IdMap<int>::from_entries({{"a", 1}, {"b", 2}});
  EXPECT_EQ(entries(sorted), (std::vector<std::pair<Id, int>>{{"a", 1}, {"b", 2}}));
  EXPECT_TRUE(IdMap<int>::from_entries({}).empty());
  // Sorted apart from a repeated key: still deduplicated, the first kept.
  const IdMap<int> repeated = IdMap<int>::from_entries({{"a", 1}, {"a", 2}, {"b", 3}});
  EXPECT_EQ(entries(repeated), (std::vector<std::pair<Id, int>>{{"a", 1}, {"b", 3}}));
}

TEST(IdMap, FromEntriesMatchesInsertingOneByOneIntoStdMap) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> id(0, 300);
  std::vector<std::pair<Id, int>> in;
  std::map<std::string, int> reference;
  IdMap<int> incremental;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "request_" + std::to_string(id(rng));
    in.emplace_back(key, i);
    reference.emplace(key, i);
    incremental.emplace(key, i);
  }
  const std::vector<std::pair<Id, int>> expected(reference.begin(), reference.end());
  EXPECT_EQ(entries(IdMap<int>::from_entries(in)), expected);
  EXPECT_EQ(entries(incremental), expected);
}

TEST(IdMap, Equality) {
  IdMap<double> a;
  a.emplace("x", 1.0);
  a.emplace("y", 2.0);
  IdMap<double> b;
  b.emplace("y", 2.0);  // built in another order
  b.emplace("x", 1.0);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a == IdMap<double>({{"x", 1.0}, {"y", 2.0}}));
  b["y"] = 3.0;
  EXPECT_NE(a, b);
  b["y"] = 2.0;
  b["z"] = 0.0;
  EXPECT_FALSE(a == b);
  EXPECT_NE(IdMap<double>{}, a);
  EXPECT_EQ(IdMap<double>{}, IdMap<double>{});
}

TEST(IdMap, IsAValueType) {
  IdMap<std::string> a{{"k", "v"}};
  IdMap<std::string> copy = a;
  copy["k"] = "changed";
  EXPECT_EQ(a.at("k"), "v");
  IdMap<std::string> moved = std::move(copy);
  EXPECT_EQ(moved.at("k"), "changed");
}

}  // namespace
}  // namespace simcheck::model
