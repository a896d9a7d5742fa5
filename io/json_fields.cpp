// docs/formats.md "Reading rules": strict, typed access to a parsed JSON document with field paths.
#include "io/json_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "io/external_input.h"

namespace simcheck::io::json_fields {
namespace {

const char* kind_name(LexJson::Kind k) { return io::to_string(k); }

[[noreturn]] void wrong_type(const LexJson& v, const std::string& path, const char* want) {
  throw FieldError{path, render(v),
                   std::string("must be ") + want + " (found " + kind_name(v.kind) + ")"};
}

// True if the literal is a JSON integer: no fraction, no exponent.
bool is_integer_literal(const std::string& s) {
  return s.find_first_of(".eE") == std::string::npos;
}

}  // namespace

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 5: "; the position is reported separately, so keep only the reason.
std::string parse_reason(const std::string& message) {
  std::string m = message;
  if (m.rfind("[json.exception.", 0) == 0) {
    const auto close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
  }
  if (m.rfind("parse error at line", 0) == 0) {
    const auto colon = m.find(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2);
  }
  return m;
}

InputError syntax_error(std::string_view text, const LexJsonError& error, const std::string& file) {
  std::string where;
  if (error.byte_offset > 0) {
    // nlohmann reports how many characters it read; the offending one is the last of them.
    std::size_t at = std::min(error.byte_offset, text.size());
    if (at > 0) --at;
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    where = "line " + std::to_string(line) + ", column " + std::to_string(column);
  }
  return InputError{file, where, "", "invalid JSON: " + parse_reason(error.message)};
}

std::string render(const LexJson& v) {
  switch (v.kind) {
    case LexJson::Kind::null:
      return "null";
    case LexJson::Kind::boolean:
      return v.boolean ? "true" : "false";
    case LexJson::Kind::number:
      return excerpt(v.text, 40);
    case LexJson::Kind::string:
      return "\"" + excerpt(v.text, 40) + "\"";
    case LexJson::Kind::array:
      return v.items.empty() ? "[]" : "[...]";
    case LexJson::Kind::object:
      return v.members.empty() ? "{}" : "{...}";
  }
  return "?";
}

std::string join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

ObjectReader::ObjectReader(const LexJson& v, std::string path)
    : object_(v), path_(std::move(path)) {
  if (v.kind != LexJson::Kind::object)
    wrong_type(v, path_.empty() ? "(document)" : path_, "an object");
  used_.assign(v.members.size(), false);
}

const LexJson* ObjectReader::optional(std::string_view key) {
  for (std::size_t i = 0; i < object_.members.size(); ++i) {
    if (object_.members[i].first == key) {
      used_[i] = true;
      return &object_.members[i].second;
    }
  }
  return nullptr;
}

const LexJson& ObjectReader::required(std::string_view key) {
  const LexJson* v = optional(key);
  if (!v) throw FieldError{path(key), "", "required field is missing"};
  return *v;
}

void ObjectReader::reject_unknown() const {
  for (std::size_t i = 0; i < object_.members.size(); ++i) {
    if (!used_[i]) {
      throw FieldError{path(object_.members[i].first), render(object_.members[i].second),
                       "unknown field"};
    }
  }
}

int64_t to_int64(const LexJson& v, const std::string& path) {
  if (v.kind != LexJson::Kind::number) wrong_type(v, path, "an integer");
  if (!is_integer_literal(v.text)) {
    throw FieldError{path, render(v), "must be an integer (no fraction or exponent)"};
  }
  int64_t out = 0;
  const char* first = v.text.data();
  const char* last = first + v.text.size();
  auto [end, ec] = std::from_chars(first, last, out);
  if (ec == std::errc::result_out_of_range) {
    throw FieldError{path, render(v), "integer outside the int64 range"};
  }
  if (ec != std::errc{} || end != last) throw FieldError{path, render(v), "must be an integer"};
  return out;
}

int to_int(const LexJson& v, const std::string& path) {
  const int64_t x = to_int64(v, path);
  if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) {
    throw FieldError{path, render(v), "integer outside the int range"};
  }
  return static_cast<int>(x);
}

double to_double(const LexJson& v, const std::string& path, bool allow_non_finite) {
  if (allow_non_finite && v.kind == LexJson::Kind::string) {
    if (v.text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (v.text == "Infinity") return std::numeric_limits<double>::infinity();
    if (v.text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  if (v.kind != LexJson::Kind::number) wrong_type(v, path, "a number");
  double out = 0;
  const char* first = v.text.data();
  const char* last = first + v.text.size();
  // from_chars: correctly rounded and locale-independent; out of range is reported, not clamped.
  auto [end, ec] = std::from_chars(first, last, out);
  if (ec == std::errc::result_out_of_range) {
    throw FieldError{path, render(v), "number outside the binary64 range"};
  }
  if (ec != std::errc{} || end != last || !std::isfinite(out)) {
    throw FieldError{path, render(v), "must be a finite number"};
  }
  return out;
}

bool to_bool(const LexJson& v, const std::string& path) {
  if (v.kind != LexJson::Kind::boolean) wrong_type(v, path, "true or false");
  return v.boolean;
}

std::string to_string(const LexJson& v, const std::string& path) {
  if (v.kind != LexJson::Kind::string) wrong_type(v, path, "a string");
  return v.text;
}

const std::vector<LexJson>& to_array(const LexJson& v, const std::string& path) {
  if (v.kind != LexJson::Kind::array) wrong_type(v, path, "an array");
  return v.items;
}

}  // namespace simcheck::io::json_fields
