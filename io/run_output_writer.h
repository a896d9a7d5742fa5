// Spec §10.6, docs/formats.md "simcheck-run/1": model::RunOutput -> JSON with sorted keys,
// shortest round-trip doubles, absent optionals omitted, deterministic bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/run_output.h"

namespace simcheck::io {

inline constexpr const char* kRunOutputFormat = "simcheck-run/1";

nlohmann::json run_output_to_json(const model::RunOutput& out);

// io::pretty_json of the above: the bytes `simcheck sim` writes.
std::string write_run_output(const model::RunOutput& out);

}  // namespace simcheck::io
