// The subcommands of the `simcheck` executable (architecture.md "cli/"). Each subcommand lives in
// its own cli/cmd_<name>.cpp, which defines add_<name>_command; main.cpp lists them. Only cli/
// prints or chooses exit codes; the libraries return values.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace simcheck::cli {

// Process exit codes shared by every subcommand (docs/formats.md "Exit codes").
enum ExitCode : int {
  kExitOk = 0,          // success; for checking commands: no violation
  kExitViolations = 1,  // a checking command found violations
  kExitBadInput = 2,    // unreadable/invalid input, or bad usage
  kExitInternal = 3,    // a bug in simcheck (an unexpected exception)
};

// Filled in by the callback of whichever subcommand ran; main returns `exit_code`.
struct CommandContext {
  int exit_code = kExitOk;
};

// The text appended to every --help.
inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success (no violation), 1 violations found, 2 bad input or usage, "
    "3 internal error.";

// simcheck sim CASE.json [-o OUT.json] [--materialise]
struct SimOptions {
  std::string case_path;
  std::string output_path;  // empty = stdout
  bool materialise = false;
};
int run_sim(const SimOptions& options);
void add_sim_command(CLI::App& app, CommandContext& context);

// simcheck run [--cases N] [--seed S] ... (cli/cmd_run.cpp, docs/usage.md)
void add_run_command(CLI::App& app, CommandContext& context);
// simcheck replay CASE [--strict] [--projection ERA] [-o OUT] (cli/cmd_replay.cpp)
void add_replay_command(CLI::App& app, CommandContext& context);
// simcheck check|diff|export (cli/cmd_check.cpp, cmd_diff.cpp, cmd_export.cpp, docs/oracle.md)
void add_check_command(CLI::App& app, CommandContext& context);
void add_diff_command(CLI::App& app, CommandContext& context);
void add_export_command(CLI::App& app, CommandContext& context);

}  // namespace simcheck::cli
