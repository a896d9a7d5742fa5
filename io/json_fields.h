// docs/formats.md "Reading rules": strict, typed access to a parsed JSON document (io::LexJson)
// with field paths, shared by the simcheck case and run-output readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/external_input.h"
#include "io/json_lexeme.h"

namespace simcheck::io::json_fields {

// Thrown inside a reader and converted to an io::InputError at its boundary (never escapes it).
struct FieldError {
  std::string field;
  std::string value;
  std::string message;
};

// A short rendering of a JSON value for error messages ("\"abc\"", "12.5", "[...]", "{...}").
std::string render(const LexJson& v);

// `parent.key` (or `key` at the root).
std::string join(const std::string& parent, std::string_view key);
// `parent[index]`.
std::string index(const std::string& parent, std::size_t i);

// The error for text that is not JSON: field = "line L, column C" of the offending byte (empty
// when the parser gives no position, e.g. for a duplicate key), message = "invalid JSON: why".
InputError syntax_error(std::string_view text, const LexJsonError& error, const std::string& file);

// Reads an object's members by name; members that were never asked for are unknown fields.
class ObjectReader {
 public:
  // Throws FieldError if `v` is not an object.
  ObjectReader(const LexJson& v, std::string path);

  const LexJson* optional(std::string_view key);
  const LexJson& required(std::string_view key);  // throws if absent
  // Path of a member, for error messages.
  std::string path(std::string_view key) const { return join(path_, key); }
  const std::string& path() const { return path_; }
  // Throws on the first member (document order) that was never asked for.
  void reject_unknown() const;

 private:
  const LexJson& object_;
  std::string path_;
  std::vector<bool> used_;
};

// Typed conversions; each throws FieldError naming `path` on a type or range mismatch.
int64_t to_int64(const LexJson& v, const std::string& path);  // integer literal, int64 range
int to_int(const LexJson& v, const std::string& path);        // integer literal, int range
// Any JSON number, converted to the nearest binary64; literals beyond the double range are
// rejected. With `allow_non_finite`, the strings "NaN", "Infinity", "-Infinity" are accepted.
double to_double(const LexJson& v, const std::string& path, bool allow_non_finite = false);
bool to_bool(const LexJson& v, const std::string& path);
std::string to_string(const LexJson& v, const std::string& path);
const std::vector<LexJson>& to_array(const LexJson& v, const std::string& path);

// An enum from its canonical spelling (model::parse overloads).
template <class E>
E to_enum(const LexJson& v, const std::string& path, const char* choices) {
  E out{};
  if (!parse(to_string(v, path), out)) {
    throw FieldError{path, render(v), std::string("must be one of ") + choices};
  }
  return out;
}

}  // namespace simcheck::io::json_fields
