// Spec §0 (exact comparisons), §10.6: a JSON document that keeps every number's literal text, so
// that external outputs (BLIS's millisecond decimals) can be converted exactly, never through a
// binary64 round trip.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simcheck::io {

struct LexJson {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  // Number: the literal exactly as written in the input (integers without an exponent are
  // re-spelled from their value, which is the same text). String: the decoded value.
  std::string text;
  std::vector<LexJson> items;                            // array elements
  std::vector<std::pair<std::string, LexJson>> members;  // object members, document order

  // Special members are defined out of line: clang 14 with libstdc++ 12 in C++20 mode would
  // otherwise instantiate the vector-of-pair-of-self destructor while LexJson is incomplete.
  LexJson();
  LexJson(const LexJson&);
  LexJson(LexJson&&) noexcept;
  LexJson& operator=(const LexJson&);
  LexJson& operator=(LexJson&&) noexcept;
  ~LexJson();

  // The member named `key`, or nullptr (objects only; keys are unique, see parse_lex_json).
  const LexJson* find(std::string_view key) const;
};

const char* to_string(LexJson::Kind kind);

struct LexJsonError {
  std::size_t byte_offset = 0;
  std::string message;
};

// Parses one JSON document. Rejects duplicate object keys (a checker must not silently pick one of
// two values) and nesting deeper than `max_depth` (bounded recursion for the fuzzers).
std::optional<LexJson> parse_lex_json(std::string_view text, LexJsonError& error,
                                      int max_depth = 64);

}  // namespace simcheck::io
