// model::Id must behave as a std::string of the same bytes: contents, copies, moves, order, on
// both sides of its 31-byte inline limit.
#include "model/id.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace simcheck::model {
namespace {

std::vector<std::string> samples() {
  return {"",
          "a",
          "request_1",
          "request_12345_prefill",
          std::string(30, 'x'),
          std::string(31, 'x'),  // the longest inline id
          std::string(32, 'x'),  // the shortest heap id
          std::string(100, 'y'),
          std::string("nul\0inside", 10),
          std::string("\xff\x80", 2)};
}

TEST(Id, HoldsTheSameBytesAsAString) {
  for (const std::string& s : samples()) {
    const Id id(s);
    EXPECT_EQ(id.size(), s.size());
    EXPECT_EQ(id.view(), s);
    EXPECT_EQ(id.str(), s);
    EXPECT_EQ(id.empty(), s.empty());
    EXPECT_TRUE(id == s);
    EXPECT_TRUE(id == std::string_view(s));
  }
}

TEST(Id, CopiesAndMovesAreIndependentValues) {
  for (const std::string& s : samples()) {
    Id a(s);
    Id b(a);  // copy
    EXPECT_EQ(b.view(), s);
    Id c(std::move(a));  // move leaves the source empty
    EXPECT_EQ(c.view(), s);
    EXPECT_TRUE(a.empty());
    Id d("short");
    d = b;  // copy-assign over an inline value
    EXPECT_EQ(d.view(), s);
    Id e(std::string(40, 'z'));
    e = std::move(c);  // move-assign over a heap value
    EXPECT_EQ(e.view(), s);
    b = b;  // self-assignment keeps the value
    EXPECT_EQ(b.view(), s);
    Id f("other");
    f.swap(e);
    EXPECT_EQ(f.view(), s);
    EXPECT_EQ(e.view(), "other");
  }
}

TEST(Id, ConcatMatchesStringConcatenation) {
  for (const std::string& a : samples()) {
    for (const char* b : {"", "_prefill", "_decode"}) {
      EXPECT_EQ(Id::concat(a, b).view(), a + b) << a << " + " << b;
    }
  }
  EXPECT_EQ(Id::concat(std::string(24, 'r'), "_prefill").size(), 32u);  // crosses the limit
}

TEST(Id, OrdersByteWiseLikeString) {
  const std::vector<std::string> s = samples();
  for (const std::string& x : s) {
    for (const std::string& y : s) {
      EXPECT_EQ(Id(x) < Id(y), x < y) << x << " | " << y;
      EXPECT_EQ(Id(x) == Id(y), x == y);
      EXPECT_EQ(Id(x) < std::string_view(y), x < y);
      EXPECT_EQ(std::string_view(x) < Id(y), x < y);
    }
  }
}

TEST(Id, ConvertsAndConcatenatesWithStrings) {
  const Id id("request_7");
  const std::string as_string = id;
  EXPECT_EQ(as_string, "request_7");
  EXPECT_EQ(id + "_decode", "request_7_decode");
  EXPECT_EQ("id " + id, "id request_7");
  EXPECT_TRUE(id.ends_with("_7"));
  EXPECT_TRUE(id.starts_with("request"));
}

}  // namespace
}  // namespace simcheck::model
