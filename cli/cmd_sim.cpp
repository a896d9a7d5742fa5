// `simcheck sim`: read and validate a case (docs/formats.md), run the reference model (spec §4.2,
// §8.3) and write its run output (§10.6), or with --materialise the explicit trace (§12).
#include <exception>

#include "cli/commands.h"
#include "cli/output.h"
#include "io/case_reader.h"
#include "io/case_writer.h"
#include "io/run_output_writer.h"
#include "model/simulate.h"

namespace simcheck::cli {

int run_sim(const SimOptions& options) {
  const io::CaseReadResult read = io::read_case(options.case_path);
  if (const auto* error = std::get_if<io::InputError>(&read)) {
    print_error(*error);
    return kExitBadInput;
  }
  const model::Case& c = std::get<model::Case>(read);
  std::string bytes;
  if (options.materialise) {
    bytes = io::write_case(io::explicit_case(c, model::materialise(c)));
  } else {
    bytes = io::write_run_output(model::simulate(c));
  }
  io::InputError error;
  if (!write_output(options.output_path, bytes, error)) {
    print_error(error);
    return kExitBadInput;
  }
  return kExitOk;
}

void add_sim_command(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand(
      "sim", "Simulate one case with the reference model and write its run output");
  sim->add_option("CASE", options->case_path, "case file (format simcheck-case/1)")->required();
  sim->add_option("-o,--output", options->output_path,
                  "write to this file (atomically: a temporary file in the same directory, then "
                  "a rename) instead of stdout");
  sim->add_flag("--materialise", options->materialise,
                "instead of simulating, write the case with its requests expanded to explicit "
                "token lists, ids, budgets and deadlines (spec §12)");
  sim->footer(
      std::string("Reads CASE (format simcheck-case/1, docs/formats.md), validates it, runs it and "
                  "writes the run output (format simcheck-run/1). An invalid case is reported as "
                  "one line 'simcheck: FILE: FIELD = VALUE: MESSAGE' on stderr; nothing is "
                  "written.\n") +
      kExitCodesHelp);
  sim->callback([options, &context] {
    try {
      context.exit_code = run_sim(*options);
    } catch (const std::exception& e) {  // a bug, not bad input: say so and use its own code
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
