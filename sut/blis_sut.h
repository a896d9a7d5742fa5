// BLIS as a system under test: a simcheck case exported to a BLIS replay input (io/blis_export),
// BLIS run on it as a child process in a directory of its own, and its outputs (metrics JSON,
// stdout, `--log debug` stderr) read back into one model::RunOutput with the case's
// configuration and trace attached, so the catalogue and the timeline laws run on it.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/case.h"
#include "model/run_output.h"
#include "sut/process.h"

namespace simcheck::sut {

struct BlisSutOptions {
  std::string binary;  // path to the BLIS executable
  // Extra flags for every run (model description, defaults file). Empty = the defaults next to
  // the binary when present (default_blis_args).
  std::vector<std::string> extra_args;
  double timeout_s = 60;
};

// The flags BLIS needs besides the exported ones when nothing else is given: the model
// description whose KV bytes per token (131072 for llama-3.1-8b: 32 layers x 2 x 128 x 8 x 2 B)
// the generated cases use, and defaults.yaml next to the binary (scripts/get-blis.sh puts it
// there) when it exists.
std::vector<std::string> default_blis_args(const std::string& binary);

// The KV bytes per token of default_blis_args' model.
inline constexpr double kBlisDefaultKvBytesPerToken = 131072.0;

struct SutRun {
  bool ok = false;      // BLIS ran, exited 0 and its outputs were read
  std::string failure;  // otherwise: what went wrong, one line
  ProcessResult process;
  std::vector<std::string> argv;            // the command, paths relative to `dir`
  std::vector<std::string> not_equivalent;  // from the export: the run was not attempted
  model::RunOutput output;
};

// Exports `c` into `dir` (which must exist and be empty or disposable), runs BLIS there and
// reads its outputs. Never throws for BLIS's failures; they are in `failure`.
SutRun run_blis(const model::Case& c, const BlisSutOptions& options, const std::string& dir);

// Reads what BLIS left in `dir` (metrics.json, stdout.txt, stderr.txt) for case `c` into one
// RunOutput with the case's configuration and trace; a failure is one line. run_blis uses it, and
// so does the replay of recorded BLIS runs (corpus/blis/) without BLIS.
std::variant<model::RunOutput, std::string> read_blis_run(const model::Case& c,
                                                          const std::string& dir);

// One line a user can paste in `dir` to run BLIS exactly as simcheck did.
std::string shell_command(const std::vector<std::string>& argv);

}  // namespace simcheck::sut
