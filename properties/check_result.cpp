// The check-result vocabulary (properties/check_result.h): gating and the constructors every
// check uses, so that "held / violated / not applicable" is decided in one place.
#include "properties/check_result.h"

#include <utility>

namespace simcheck::properties {

bool is_gating(const CheckResult& r, const CheckOptions& options) {
  if (r.status != Status::violated) return false;
  for (const Violation& v : r.violations) {
    if (!v.known_exception || options.strict) return true;
  }
  return false;
}

CheckResult not_applicable(std::string id, std::string reason) {
  CheckResult r;
  r.id = std::move(id);
  r.status = Status::not_applicable;
  r.not_applicable_reason = std::move(reason);
  return r;
}

CheckResult from_violations(std::string id, std::vector<Violation> violations) {
  CheckResult r;
  r.id = std::move(id);
  // Known exceptions still count as "violated": they are reported, and gate only under strict.
  r.status = violations.empty() ? Status::held : Status::violated;
  r.violations = std::move(violations);
  return r;
}

}  // namespace simcheck::properties
