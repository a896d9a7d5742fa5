// Spec §0 (integer µs, exact comparison): decimal literals as exact values. BLIS prints times as
// millisecond decimals converted from integer µs; the exact value of "211.748" is 211748/1000, so
// scaling by 10^3 is a shift of the decimal point and the µs value is recovered without rounding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simcheck::io {

// value = (negative ? -1 : 1) · digits · 10^exponent, canonical: `digits` has no leading or
// trailing zeros ("" for zero, which is never negative).
struct Decimal {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;

  bool is_zero() const { return digits.empty(); }
};

// Equal values (the form is canonical).
inline bool operator==(const Decimal& a, const Decimal& b) {
  return a.negative == b.negative && a.digits == b.digits && a.exponent == b.exponent;
}
inline bool operator!=(const Decimal& a, const Decimal& b) { return !(a == b); }

// Parses a literal of JSON's number grammar (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
// Rejects anything else, literals longer than 1000 characters and exponents beyond ±100000
// (bounded work on hostile input).
std::optional<Decimal> parse_decimal(std::string_view literal);

// d · 10^power10, exact.
Decimal scaled(Decimal d, int64_t power10);

// The exact integer value if `d` is an integer within int64, else nullopt.
std::optional<int64_t> to_int64(const Decimal& d);

// The binary64 value nearest to `d` (correctly rounded by strtod); ±inf when out of range.
double to_double(const Decimal& d);

// Plain positional text ("211.748", "-0.001", "1200"), for messages and writers.
std::string to_string(const Decimal& d);

}  // namespace simcheck::io
