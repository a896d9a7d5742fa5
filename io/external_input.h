// Spec §10.6 (outputs of other simulators): the error value every external-format reader returns,
// naming the file, the field and the offending value, and a bounded whole-file reader.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace simcheck::io {

struct InputError {
  std::string file;     // path as given (or a label for in-memory text)
  std::string field;    // e.g. "requests[3].e2e_ms", "line 7 column input_tokens"
  std::string value;    // the offending text, truncated to a readable length
  std::string message;  // the rule it breaks
};

// A file's text with the name used in error messages (path or label).
struct NamedText {
  std::string name;
  std::string text;
};

// One line: "FILE: FIELD = VALUE: MESSAGE" (parts that are empty are left out).
std::string describe(const InputError& e);

// Shortens a value for an error message (hostile inputs can be megabytes long).
std::string excerpt(const std::string& value, std::size_t max_chars = 80);

// Reads a whole file (at most `max_bytes`); on failure fills `error` and returns nullopt.
std::optional<std::string> read_text_file(const std::string& path, InputError& error,
                                          std::size_t max_bytes = std::size_t{1} << 30);

}  // namespace simcheck::io
