// docs/formats.md "simcheck-case/1": model::Case -> canonical case JSON (round-trips through
// io::parse_case), and a materialised trace written back as an explicit case (§12.2).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/case.h"

namespace simcheck::io {

// Canonical: keys sorted, only non-default values (plus format, seed, config.alpha/beta),
// deterministic bytes (io::pretty_json).
nlohmann::json case_to_json(const model::Case& c);
std::string write_case(const model::Case& c);

// The same case with its workload replaced by `trace` as explicit token lists, ids,
// max_output_len and deadlines (what `simcheck sim --materialise` prints).
model::Case explicit_case(const model::Case& c, const model::Trace& trace);

}  // namespace simcheck::io
