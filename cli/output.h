// docs/formats.md "Errors" and "Output files": how every subcommand reports bad input and writes
// its result (one line on stderr; no partial output file).
#pragma once

#include <string>

#include "io/external_input.h"

namespace simcheck::cli {

// Prints "simcheck: FILE: FIELD = VALUE: MESSAGE" as one line on stderr.
void print_error(const io::InputError& error);
void print_error(const std::string& message);  // "simcheck: MESSAGE"

// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
// failure never leaves a partial or stale-looking file. Empty `path` = stdout. On failure returns
// false and fills `error`.
bool write_output(const std::string& path, const std::string& bytes, io::InputError& error);

}  // namespace simcheck::cli
