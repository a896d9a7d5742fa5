// Spec §0: exact decimal literals and the lexeme-keeping JSON reader used by the BLIS adapters.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "io/exact_decimal.h"
#include "io/json_lexeme.h"

namespace simcheck::io {
namespace {

TEST(ExactDecimal, MillisecondsShiftToExactMicroseconds) {
  // "211.748" ms = 211748 / 1000 ms = 211748 µs exactly; binary64 would give 211747.99999999997.
  auto d = parse_decimal("211.748");
  ASSERT_TRUE(d);
  EXPECT_EQ(to_int64(scaled(*d, 3)), 211748);
  EXPECT_EQ(to_int64(scaled(*parse_decimal("0.076"), 3)), 76);
  EXPECT_EQ(to_int64(scaled(*parse_decimal("0"), 3)), 0);
  EXPECT_EQ(to_int64(scaled(*parse_decimal("2.2691"), 6)), 2269100);
  EXPECT_EQ(to_int64(scaled(*parse_decimal("1.5e2"), 0)), 150);
  EXPECT_EQ(to_int64(scaled(*parse_decimal("-0.001"), 3)), -1);
}

TEST(ExactDecimal, FractionalMicrosecondsAreNotIntegers) {
  // 326.75536999999974 ms = 326755.36999999974 µs: not an integer.
  EXPECT_FALSE(to_int64(scaled(*parse_decimal("326.75536999999974"), 3)));
  EXPECT_FALSE(to_int64(*parse_decimal("0.5")));
}

TEST(ExactDecimal, CanonicalFormComparesByValue) {
  EXPECT_EQ(*parse_decimal("1.500"), *parse_decimal("15e-1"));
  EXPECT_EQ(*parse_decimal("-0"), *parse_decimal("0.000"));
  EXPECT_EQ(to_string(*parse_decimal("0.0005")), "0.0005");
  EXPECT_EQ(to_string(*parse_decimal("12e3")), "12000");
  EXPECT_EQ(to_string(*parse_decimal("-3.25")), "-3.25");
}

TEST(ExactDecimal, RejectsWhatJsonRejects) {
  for (const char* bad :
       {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1.5x", "NaN", "inf", "1e999999999"}) {
    EXPECT_FALSE(parse_decimal(bad)) << bad;
  }
}

TEST(ExactDecimal, Int64Limits) {
  EXPECT_EQ(to_int64(*parse_decimal("9223372036854775807")), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(to_int64(*parse_decimal("-9223372036854775808")), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(to_int64(*parse_decimal("9223372036854775808")));
  EXPECT_FALSE(to_int64(*parse_decimal("1e30")));
}

TEST(ExactDecimal, ToDoubleIsCorrectlyRounded) {
  // 3.3110967741935484 ms shifted to µs is the literal 3311.0967741935484, one rounding.
  EXPECT_EQ(to_double(scaled(*parse_decimal("3.3110967741935484"), 3)), 3311.0967741935484);
  EXPECT_EQ(to_double(*parse_decimal("326.75536999999974")), 326.75536999999974);
  EXPECT_TRUE(std::isinf(to_double(*parse_decimal("1e400"))));
}

TEST(LexJson, KeepsFloatLexemes) {
  LexJsonError err;
  auto j = parse_lex_json(R"({"a": 211.748, "b": 7, "c": [1e3, -0.0], "d": "x"})", err);
  ASSERT_TRUE(j) << err.message;
  EXPECT_EQ(j->find("a")->text, "211.748");
  EXPECT_EQ(j->find("b")->text, "7");
  EXPECT_EQ(j->find("c")->items[0].text, "1e3");
  EXPECT_EQ(j->find("c")->items[1].text, "-0.0");
  EXPECT_EQ(j->find("d")->kind, LexJson::Kind::string);
  EXPECT_EQ(j->find("zz"), nullptr);
}

TEST(LexJson, RejectsDuplicateKeysDeepNestingAndGarbage) {
  LexJsonError err;
  EXPECT_FALSE(parse_lex_json(R"({"a": 1, "a": 2})", err));
  EXPECT_NE(err.message.find("duplicate key \"a\""), std::string::npos);
  EXPECT_FALSE(parse_lex_json(std::string(100, '[') + std::string(100, ']'), err));
  EXPECT_NE(err.message.find("nesting"), std::string::npos);
  EXPECT_FALSE(parse_lex_json("{\"a\": 1} trailing", err));
  EXPECT_FALSE(parse_lex_json("", err));
}

}  // namespace
}  // namespace simcheck::io
