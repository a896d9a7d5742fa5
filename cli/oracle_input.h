// docs/oracle.md "Formats": reading a run output of any supported producer (simcheck, BLIS
// metrics/stdout, BLIS replay results) for `simcheck check` and `simcheck diff`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <variant>

#include "io/blis_metrics_reader.h"
#include "io/external_input.h"
#include "model/run_output.h"

namespace simcheck::cli {

struct OutputSource {
  std::string path;
  std::string format = "auto";  // auto | simcheck | blis | blis-replay
  std::optional<std::string> blis_stdout;
  std::optional<std::string> blis_log;  // BLIS --log debug stderr: the step log and phase times
  io::BlisReadOptions blis;
};

// The format `auto` resolves to for this file's content (docs/oracle.md): BLIS stdout if it starts
// with "=== Simulation Metrics ===", BLIS metrics if it is a JSON object with an "instance_id"
// key, BLIS replay results if it is a JSON array (empty, or whose first object has a "request_id"
// key), else simcheck.
std::string detect_format(const std::string& text);

// Reads the output; every problem (unreadable file, bad format name, malformed content) is an
// InputError naming the file.
std::variant<model::RunOutput, io::InputError> read_output(const OutputSource& source);

// Adds --format, --stdout, --blis-log, --prefill-instances, --decode-instances to a subcommand.
void add_output_format_options(CLI::App& command, OutputSource& source);

}  // namespace simcheck::cli
