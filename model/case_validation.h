// Spec §2, §3, §12 validation rules. Returns the first error; never throws, never exits.
#pragma once

#include <optional>
#include <string>

#include "model/case.h"

namespace simcheck::model {

struct CaseError {
  std::string field;    // JSON-pointer-like path, e.g. "config.prefill_instances", "requests[3].input_len"
  std::string value;    // the offending value as text
  std::string message;  // what rule it breaks
};

std::optional<CaseError> validate_case(const Case& c);

}  // namespace simcheck::model
