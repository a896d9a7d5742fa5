// Exact arithmetic helpers (spec §11 "exact"): double -> rational conversion, exact sums, and the
// rounding predicates the statistics and ITL checks need.
#include "properties/exact.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>

namespace simcheck::properties::exact {
namespace {

constexpr double kTwo62 = 4611686018427387904.0;  // 2^62

Integer to_integer(__int128 v) {
  const bool negative = v < 0;
  unsigned __int128 magnitude =
      negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  Integer out = static_cast<uint64_t>(magnitude >> 64);
  out <<= 64;
  out += static_cast<uint64_t>(magnitude);
  return negative ? Integer(-out) : out;
}

}  // namespace

Rational to_rational(double d) {
  if (d == 0) return Rational(0);
  int exponent = 0;
  const double fraction =
      std::frexp(d, &exponent);  // d = fraction * 2^exponent, |fraction| in [0.5,1)
  // 53 bits of significand as an exact integer.
  const auto mantissa = static_cast<int64_t>(std::ldexp(fraction, 53));
  exponent -= 53;
  if (exponent >= 0) {
    Integer n = mantissa;
    n <<= exponent;
    return Rational(n);
  }
  Integer den = 1;
  den <<= -exponent;
  return Rational(Integer(mantissa), den);
}

Rational to_rational(int64_t v) { return Rational(Integer(v)); }

bool is_integral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

Sum& Sum::add(double d) {
  if (std::fabs(d) < kTwo62 && std::trunc(d) == d) {
    whole_ += static_cast<int64_t>(d);
  } else {
    if (!fraction_) fraction_ = Rational(0);
    *fraction_ += to_rational(d);
  }
  return *this;
}

Sum& Sum::add(int64_t v) {
  whole_ += v;
  return *this;
}

Sum& Sum::sub(double d) { return add(-d); }  // negation of a double is exact

Sum& Sum::sub(int64_t v) {
  whole_ -= v;
  return *this;
}

Sum& Sum::add(const Sum& other) {
  whole_ += other.whole_;
  if (other.fraction_) {
    if (!fraction_) fraction_ = Rational(0);
    *fraction_ += *other.fraction_;
  }
  return *this;
}

Sum& Sum::sub(const Sum& other) {
  whole_ -= other.whole_;
  if (other.fraction_) {
    if (!fraction_) fraction_ = Rational(0);
    *fraction_ -= *other.fraction_;
  }
  return *this;
}

Rational Sum::value() const {
  Rational out(to_integer(whole_));
  if (fraction_) out += *fraction_;
  return out;
}

int Sum::compare(const Sum& other) const {
  if (!fraction_ && !other.fraction_) {
    return whole_ < other.whole_ ? -1 : (whole_ > other.whole_ ? 1 : 0);
  }
  const Rational a = value(), b = other.value();
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::optional<int64_t> Sum::as_int64() const {
  if (!fraction_) {
    if (whole_ > INT64_MAX || whole_ < INT64_MIN) return std::nullopt;
    return static_cast<int64_t>(whole_);
  }
  const Rational q = value();
  if (boost::multiprecision::denominator(q) != 1) return std::nullopt;
  const Integer n = boost::multiprecision::numerator(q);
  if (n > Integer(INT64_MAX) || n < Integer(INT64_MIN)) return std::nullopt;
  return static_cast<int64_t>(n);
}

std::string Sum::str() const {
  if (!fraction_) return to_integer(whole_).str();
  return exact::str(value());
}

int64_t spec_trunc(double x) {
  if (std::isnan(x) || x >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
  if (x <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(x);  // C++ conversion truncates toward zero
}

int64_t trunc_rational(const Rational& q) {
  // cpp_int division truncates toward zero.
  const Integer t = boost::multiprecision::numerator(q) / boost::multiprecision::denominator(q);
  if (t >= Integer(std::numeric_limits<int64_t>::max())) return std::numeric_limits<int64_t>::max();
  if (t <= Integer(std::numeric_limits<int64_t>::min())) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(t);
}

bool rounds_below(const Rational& q, double d) {
  const double below = std::nextafter(d, -std::numeric_limits<double>::infinity());
  if (!std::isfinite(below)) return false;  // d is the lowest double: nothing finite rounds below
  // Values strictly between `below` and `d` round to the nearer one; the midpoint goes to the one
  // with an even last significand bit (IEEE round-half-even).
  const Rational midpoint = (to_rational(below) + to_rational(d)) / 2;
  if (q < midpoint) return true;
  if (q > midpoint) return false;
  return (std::bit_cast<uint64_t>(below) & 1u) == 0;
}

std::string str(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

std::string str(const Rational& q) {
  const Integer num = boost::multiprecision::numerator(q);
  const Integer den = boost::multiprecision::denominator(q);
  if (den == 1) return num.str();
  return num.str() + "/" + den.str();
}

int fraction_digits(double d) {
  if (!std::isfinite(d)) return 0;
  char buf[64];
  // Scientific form "d.ddde±X": digits after the point minus the exponent.
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  const std::string s(buf, res.ptr);
  const auto e = s.find('e');
  const auto dot = s.find('.');
  const int mantissa_fraction = dot == std::string::npos ? 0 : static_cast<int>(e - dot - 1);
  const int exponent = std::stoi(s.substr(e + 1));
  const int digits = mantissa_fraction - exponent;
  return digits > 0 ? digits : 0;
}

Rational pow10_neg(int digits) {
  Integer den = 1;
  for (int i = 0; i < digits; ++i) den *= 10;
  return Rational(Integer(1), den);
}

}  // namespace simcheck::properties::exact
