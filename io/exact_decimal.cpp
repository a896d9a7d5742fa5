// Spec §0: exact decimal literals (see exact_decimal.h).
#include "io/exact_decimal.h"

#include <cctype>
#include <cstdlib>
#include <limits>

namespace simcheck::io {
namespace {

constexpr std::size_t kMaxLiteralLength = 1000;
constexpr int64_t kMaxExponent = 100000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Decimal canonical(bool negative, std::string digits, int64_t exponent) {
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};
  digits.erase(0, first);
  std::size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(digits.size() - 1 - last);
  digits.erase(last + 1);
  return Decimal{negative, std::move(digits), exponent};
}

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > kMaxLiteralLength) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (s[i] == '-') {
    negative = true;
    ++i;
  }
  if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
  std::string digits;
  if (s[i] == '0') {
    digits.push_back('0');
    ++i;
  } else {
    while (i < s.size() && is_digit(s[i])) digits.push_back(s[i++]);
  }
  int64_t exponent = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
    while (i < s.size() && is_digit(s[i])) {
      digits.push_back(s[i++]);
      --exponent;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
    int64_t e = 0;
    while (i < s.size() && is_digit(s[i])) {
      e = e * 10 + (s[i++] - '0');
      if (e > kMaxExponent) return std::nullopt;
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != s.size()) return std::nullopt;
  return canonical(negative, std::move(digits), exponent);
}

Decimal scaled(Decimal d, int64_t power10) {
  if (d.is_zero()) return d;
  d.exponent += power10;
  return d;
}

std::optional<int64_t> to_int64(const Decimal& d) {
  if (d.is_zero()) return 0;
  if (d.exponent < 0) return std::nullopt;  // canonical form: a fraction remains
  if (static_cast<int64_t>(d.digits.size()) + d.exponent > 19) return std::nullopt;
  // Accumulate negatively so that INT64_MIN is representable.
  int64_t v = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  auto push = [&](int digit) {
    if (v < (kMin + digit) / 10) return false;
    v = v * 10 - digit;
    return true;
  };
  for (char c : d.digits) {
    if (!push(c - '0')) return std::nullopt;
  }
  for (int64_t k = 0; k < d.exponent; ++k) {
    if (!push(0)) return std::nullopt;
  }
  if (d.negative) return v;
  if (v == kMin) return std::nullopt;
  return -v;
}

double to_double(const Decimal& d) {
  if (d.is_zero()) return 0.0;
  std::string text = (d.negative ? "-" : "") + d.digits + "e" + std::to_string(d.exponent);
  return std::strtod(text.c_str(), nullptr);
}

std::string to_string(const Decimal& d) {
  if (d.is_zero()) return "0";
  std::string out = d.negative ? "-" : "";
  const int64_t n = static_cast<int64_t>(d.digits.size());
  if (d.exponent >= 0) {
    out += d.digits;
    out.append(static_cast<std::size_t>(d.exponent), '0');
  } else if (-d.exponent < n) {
    out += d.digits.substr(0, static_cast<std::size_t>(n + d.exponent));
    out += '.';
    out += d.digits.substr(static_cast<std::size_t>(n + d.exponent));
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-d.exponent - n), '0');
    out += d.digits;
  }
  return out;
}

}  // namespace simcheck::io
