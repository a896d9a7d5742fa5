// The `simcheck` executable (architecture.md "cli/"): parses the command line with CLI11 and
// dispatches to the subcommands of cli/commands.h. To add a subcommand: write
// cli/cmd_<name>.cpp with add_<name>_command, declare it in cli/commands.h, list it below.
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"

namespace {

int run(int argc, char** argv) {
  using namespace simcheck::cli;
  CLI::App app{
      "simcheck: verification harness for LLM-inference simulators. Runs the reference model "
      "(a deterministic simulator of an LLM-inference cluster), checks run outputs against its "
      "invariants, and compares simulators."};
  app.require_subcommand(1);
  app.footer(kExitCodesHelp);
  CommandContext context;

  add_sim_command(app, context);
  add_run_command(app, context);
  add_replay_command(app, context);
  add_check_command(app, context);
  add_diff_command(app, context);
  add_export_command(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with code 0; every real usage error exits 2 with one line
    // that names the subcommand (CLI11's own message spans two lines).
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return kExitOk;
    }
    std::string where = "simcheck";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::string what = e.what();
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::string known;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
      }
      what = std::string("unknown subcommand '") + argv[1] + "' (one of: " + known + ")";
    }
    std::cerr << where << ": " << what << " (see " << where << " --help)\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "simcheck: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return context.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace simcheck::cli;
  // Every write to stdout is checked, here once for all subcommands: a report that could not be
  // written (a full disk, /dev/full) is exit 2 with one line, never a silent exit 0.
  CheckedStdout out;
  const int code = run(argc, argv);
  return out.finish() ? code : kExitBadInput;
}
