// Exact arithmetic for the checks (spec §11: "exact" = integer or exact multiprecision
// comparison). Every double is converted to the rational it denotes; no check rounds.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace simcheck::properties::exact {

using Integer = boost::multiprecision::cpp_int;
using Rational = boost::multiprecision::cpp_rational;

// The exact value of a finite double (every finite binary64 is a dyadic rational).
Rational to_rational(double d);
Rational to_rational(int64_t v);

// True if `d` is finite and has no fractional part.
bool is_integral(double d);

// An exact running sum of doubles and int64s. Integer-valued terms (the common case: v1 times are
// integer microseconds) accumulate in a 128-bit integer, which is exact and cheap; any other term
// goes into an exact rational. Precondition for add/sub(double): the value is finite.
class Sum {
 public:
  Sum() = default;
  explicit Sum(double d) { add(d); }
  explicit Sum(int64_t v) { add(v); }

  Sum& add(double d);
  Sum& add(int64_t v);
  Sum& sub(double d);
  Sum& sub(int64_t v);
  Sum& add(const Sum& other);
  Sum& sub(const Sum& other);

  Rational value() const;
  bool is_integer() const { return !fraction_.has_value(); }
  // The value as an int64 if it is an integer in range (fast when no fractional term was added).
  std::optional<int64_t> as_int64() const;
  // -1, 0, +1 as *this <, ==, > other.
  int compare(const Sum& other) const;
  std::string str() const;

 private:
  // Integers with |v| < 2^62 go to whole_; 2^64 such terms cannot overflow 128 bits.
  __int128 whole_ = 0;
  std::optional<Rational> fraction_;
};

inline bool operator==(const Sum& a, const Sum& b) { return a.compare(b) == 0; }
inline bool operator<(const Sum& a, const Sum& b) { return a.compare(b) < 0; }
inline bool operator<=(const Sum& a, const Sum& b) { return a.compare(b) <= 0; }

// Spec §0 trunc: toward zero; NaN or >= 2^63 gives INT64_MAX (and <= -2^63 gives INT64_MIN).
int64_t spec_trunc(double x);
// trunc of an exact rational, clamped like spec_trunc.
int64_t trunc_rational(const Rational& q);

// True iff round-to-nearest-even(q) < d, decided exactly (no double evaluation of q). Lets a
// check state "the double the source should have computed from q is below d" without rounding
// q itself. Precondition: d finite.
bool rounds_below(const Rational& q, double d);

// Shortest decimal that reads back as `d` (std::to_chars); "nan", "inf" for non-finite values.
std::string str(double d);
std::string str(const Rational& q);

// Number of digits after the decimal point in the shortest round-trip decimal of `d`
// (1.5 -> 1, 8.219000000000001 -> 15, 1e-7 -> 7, 3 -> 0).
int fraction_digits(double d);

// 10^-digits, exactly.
Rational pow10_neg(int digits);

}  // namespace simcheck::properties::exact
