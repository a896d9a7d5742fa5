// properties/exact.h: doubles become the rationals they denote; sums and rounding predicates are
// exact where binary64 evaluation would not be.
#include "properties/exact.h"

#include <gtest/gtest.h>

#include <cmath>

namespace simcheck::properties::exact {
namespace {

Integer two_pow(int e) {
  Integer p = 1;
  p <<= e;
  return p;
}

TEST(Exact, DoubleConvertsToTheRationalItDenotes) {
  // 0.1 = 3602879701896397 / 2^55 (its binary64 value, not 1/10).
  EXPECT_EQ(str(to_rational(0.1)), "3602879701896397/36028797018963968");
  EXPECT_EQ(str(to_rational(-2.5)), "-5/2");
  EXPECT_EQ(str(to_rational(9007199254740993.0)), "9007199254740992");  // the literal rounds
  EXPECT_EQ(str(to_rational(0.0)), "0");
  EXPECT_EQ(str(to_rational(1e300)).size(), 301u);
  EXPECT_EQ(to_rational(std::ldexp(1.0, -1074)) * Rational(two_pow(1074)), Rational(1));
}

TEST(Exact, SumDoesNotRoundWhereBinary64Does) {
  // 2^53 + 1 + 1: binary64 gives 2^53 (each +1 rounds away), the exact sum is 2^53 + 2.
  const double big = 9007199254740992.0;
  EXPECT_EQ((big + 1.0) + 1.0, big);
  Sum s;
  s.add(big).add(1.0).add(1.0);
  EXPECT_EQ(s.str(), "9007199254740994");
  EXPECT_TRUE(s == Sum(int64_t{9007199254740994}));
  // Non-integer terms go through rationals: 0.1 + 0.2 is not 0.3 exactly, in either arithmetic.
  Sum f;
  f.add(0.1).add(0.2);
  EXPECT_FALSE(f == Sum(0.3));
  EXPECT_TRUE(f.value() == to_rational(0.1) + to_rational(0.2));
  // Mixed int64 and huge doubles (beyond the 128-bit fast path).
  Sum h;
  h.add(1e30).sub(1e30).add(int64_t{-7});
  EXPECT_EQ(h.str(), "-7");
  EXPECT_LT(Sum(int64_t{3}).compare(Sum(3.5)), 0);
}

TEST(Exact, SpecTruncFollowsSection0) {
  EXPECT_EQ(spec_trunc(2.9), 2);
  EXPECT_EQ(spec_trunc(-2.9), -2);
  EXPECT_EQ(spec_trunc(NAN), INT64_MAX);
  EXPECT_EQ(spec_trunc(9223372036854775808.0), INT64_MAX);
  EXPECT_EQ(trunc_rational(Rational(-7, 2)), -3);
}

TEST(Exact, RoundsBelowDecidesRoundToNearestEvenExactly) {
  // RN(10/3) = 3.3333333333333335 (above 10/3): 10/3 does not round below it, 9/3 does.
  const double third = 10.0 / 3.0;
  EXPECT_FALSE(rounds_below(Rational(10, 3), third));
  EXPECT_TRUE(rounds_below(Rational(9, 3), third));
  // Exactly the midpoint between 1 - 2^-53 and 1 rounds to 1 (even significand): not below 1.
  const Rational mid = Rational(1) - Rational(Integer(1), two_pow(54));
  EXPECT_FALSE(rounds_below(mid, 1.0));
  EXPECT_TRUE(rounds_below(mid - Rational(Integer(1), two_pow(80)), 1.0));
  // The midpoint between 1 and 1 + 2^-52 rounds to 1 (even), so it is below 1 + 2^-52.
  const double above_one = std::nextafter(1.0, 2.0);
  const Rational mid_up = Rational(1) + Rational(Integer(1), two_pow(53));
  EXPECT_TRUE(rounds_below(mid_up, above_one));
  // Zero: tiny negatives round to -0, which is not below +0.
  EXPECT_FALSE(rounds_below(Rational(-1, 1000) * to_rational(std::ldexp(1.0, -1074)), 0.0));
  EXPECT_TRUE(rounds_below(Rational(-1), 0.0));
}

TEST(Exact, FractionDigitsOfTheShortestDecimal) {
  EXPECT_EQ(fraction_digits(1.5), 1);
  EXPECT_EQ(fraction_digits(8.219000000000001), 15);
  EXPECT_EQ(fraction_digits(3.0), 0);
  EXPECT_EQ(fraction_digits(1e-7), 7);
  EXPECT_EQ(fraction_digits(1.171), 3);
  EXPECT_EQ(fraction_digits(1234500.0), 0);
}

}  // namespace
}  // namespace simcheck::properties::exact
