// Spec §0: integer conversions and divisions shared by every part of the model.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace simcheck::model {

// §0 ceil_div(a, b) = (a + b − 1) / b for a ≥ 0, b > 0, written so that a + b − 1 cannot
// overflow.
constexpr int64_t ceil_div(int64_t a, int64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

// §0 trunc(x): double → int64 toward zero; NaN or x ≥ 2^63 saturate to INT64_MAX. Negative
// inputs cannot occur in v1 (every coefficient is ≥ 0); below −2^63 saturates to INT64_MIN so the
// conversion is never undefined behaviour.
inline int64_t trunc_to_int64(double x) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::isnan(x) || x >= kTwo63) return std::numeric_limits<int64_t>::max();
  if (x < -kTwo63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(x);  // C++ float→integer conversion truncates toward zero
}

}  // namespace simcheck::model
