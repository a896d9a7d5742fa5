// Spec §10.6, docs/formats.md "simcheck-run/1": run-output JSON -> model::RunOutput, the inverse
// of io::write_run_output. Strict about types and unknown keys; tolerant of absent optional
// sections, and of absent required fields that the document lists in `missing_fields`
// (docs/oracle.md), so that other simulators can hand over partial outputs.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "io/external_input.h"
#include "model/run_output.h"

namespace simcheck::io {

using RunOutputReadResult = std::variant<model::RunOutput, InputError>;

// Never throws. `file` names the source in errors.
RunOutputReadResult parse_run_output(std::string_view text, const std::string& file);
RunOutputReadResult read_run_output(const std::string& path);

}  // namespace simcheck::io
