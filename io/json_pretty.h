// docs/formats.md "Output bytes": the one JSON layout every simcheck writer uses (deterministic).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace simcheck::io {

// Objects one member per line (keys sorted: nlohmann::json keeps them in std::map order), arrays
// of scalars on one line, arrays holding containers one element per line, two-space indent,
// trailing newline. Scalars use nlohmann's dump: integers exactly, doubles in shortest
// round-trip form and always with a '.' or an exponent (1170.0, 1e+15), UTF-8 strings as is.
std::string pretty_json(const nlohmann::json& j);

}  // namespace simcheck::io
