// docs/formats.md "simcheck-case/1": a case file (spec §2 configuration, §12.2 trace or §12.3
// generator) read into model::Case and validated (model::validate_case).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "io/external_input.h"
#include "model/case.h"

namespace simcheck::io {

inline constexpr const char* kCaseFormat = "simcheck-case/1";

using CaseReadResult = std::variant<model::Case, InputError>;

// Parses and validates case text. `file` names the source in errors. Never throws.
CaseReadResult parse_case(std::string_view text, const std::string& file);

// Reads the file, then parse_case.
CaseReadResult read_case(const std::string& path);

// The default length distribution of a generator client when a case omits one: BLIS's CLI
// default Gaussian(mean 512, sd 256, min 2, max 7000) (§12.3).
model::LengthDist default_length_dist();

}  // namespace simcheck::io
