// docs/formats.md "Output bytes": deterministic pretty-printing shared by the writers.
#include "io/json_pretty.h"

#include <algorithm>

// Invalid UTF-8 cannot come from a parsed case, but a RunOutput may carry ids from any source;
// `replace` writes U+FFFD instead of throwing.

namespace simcheck::io {
namespace {

bool is_container(const nlohmann::json& j) { return j.is_object() || j.is_array(); }

void write(const nlohmann::json& j, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + nlohmann::json(key).dump() + ": ";
      write(value, indent + 2, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  } else if (j.is_array()) {
    if (std::none_of(j.begin(), j.end(), is_container)) {
      out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& value : j) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      write(value, indent + 2, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "]";
  } else {
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace

std::string pretty_json(const nlohmann::json& j) {
  std::string out;
  write(j, 0, out);
  out += "\n";
  return out;
}

}  // namespace simcheck::io
