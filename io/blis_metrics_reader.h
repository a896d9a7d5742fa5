// Spec §10.1-§10.6, §1.3: BLIS's `--metrics-path` JSON (plus, optionally, its stdout with the
// per-instance `=== Simulation Metrics ===` blocks and the `=== PD Metrics ===` section) read into
// model::RunOutput, so that the invariant catalogue runs on it unchanged. Field mapping, units and
// the reconstruction rules are in docs/oracle.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "io/external_input.h"
#include "model/run_output.h"

namespace simcheck::io {

struct BlisReadOptions {
  // The pool sizes BLIS ran with (`--prefill-instances`, `--decode-instances`). When both are > 0
  // the stdout instance blocks get roles by index (spec §2); 0/0 = unknown, roles are then
  // reported missing for a PD run. Nothing in BLIS's files names an instance's role.
  int prefill_instances = 0;
  int decode_instances = 0;
};

using BlisReadResult = std::variant<model::RunOutput, InputError>;

// Converts the files' text. `metrics` may be absent only if `stdout_file` is given (the run is
// then read from the stdout blocks alone, without per-request data).
BlisReadResult parse_blis_output(const std::optional<NamedText>& metrics,
                                 const std::optional<NamedText>& stdout_file,
                                 const BlisReadOptions& options);

// Reads the files, then parse_blis_output.
BlisReadResult read_blis_output(const std::optional<std::string>& metrics_path,
                                const std::optional<std::string>& stdout_path,
                                const BlisReadOptions& options);

// True if `text` looks like BLIS's stdout (starts, after whitespace, with the metrics marker).
bool looks_like_blis_stdout(std::string_view text);

// True if `text` looks like a BLIS `--metrics-path` file: a JSON object whose first key is
// "instance_id" (simcheck's own run output starts differently).
bool looks_like_blis_metrics(std::string_view text);

}  // namespace simcheck::io
