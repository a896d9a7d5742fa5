// Spec §2 configuration as the JSON object `config` of docs/formats.md (keys = §2 parameter names,
// plus the extensions driver, projection, quirks, record_events); shared by the case and
// run-output formats.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "io/json_lexeme.h"
#include "model/config.h"

namespace simcheck::io {

// Omitted keys take the §2 defaults; `alpha` and `beta` are required; unknown keys are errors.
// Throws json_fields::FieldError (callers convert it at their boundary).
model::Config config_from_json(const LexJson& v, const std::string& path);

// With `include_defaults` every key is written (run-output echo); without, only `alpha`, `beta`
// and the values that differ from the defaults (canonical, minimal case files).
nlohmann::json config_to_json(const model::Config& c, bool include_defaults);

}  // namespace simcheck::io
