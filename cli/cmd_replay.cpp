// `simcheck replay CASE`: simulate one case with the reference model and check the run output
// against the whole catalogue (spec §11) — the one-line reproduction of a campaign failure.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_report.h"
#include "io/case_reader.h"
#include "io/run_output_writer.h"
#include "properties/gen/campaign.h"

namespace simcheck::cli {
namespace {

struct ReplayOptions {
  std::string case_path;
  bool strict = false;
  std::string projection;   // empty = the case's own
  std::string output_path;  // empty = do not write the run output
};

int run_replay(const ReplayOptions& options) {
  const io::CaseReadResult read = io::read_case(options.case_path);
  if (const auto* error = std::get_if<io::InputError>(&read)) {
    print_error(*error);
    return kExitBadInput;
  }
  model::Case c = std::get<model::Case>(read);
  if (!options.projection.empty() && !model::parse(options.projection, c.config.projection)) {
    print_error("--projection: unknown era '" + options.projection + "'");
    return kExitBadInput;
  }
  // The event-log checks (INV-3, INV-4, INV-8, ...) need the log.
  c.config.record_events = true;
  const gen::CaseVerdict v = gen::evaluate_case(c, options.strict, {});
  if (!options.output_path.empty()) {
    io::InputError error;
    if (!write_output(options.output_path, io::write_run_output(v.output), error)) {
      print_error(error);
      return kExitBadInput;
    }
  }
  std::cout << violations_text(v.failing) << violations_text(v.known);
  std::cout << (v.failed() ? "FAIL" : "PASS") << ": " << v.failing.size()
            << " gating violation(s), " << v.known.size() << " known exception(s) ("
            << model::to_string(c.config.projection) << " projection"
            << (options.strict ? ", strict" : "") << ")\n";
  return v.failed() ? kExitViolations : kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* replay =
      app.add_subcommand("replay", "Simulate one case and check it against every invariant");
  replay->add_option("CASE", options->case_path, "case file (format simcheck-case/1)")->required();
  replay->add_flag("--strict", options->strict, "known exceptions (spec §11) fail too");
  replay->add_option("--projection", options->projection,
                     "override the case's projection era (current, pre-1514, pre-1512, "
                     "pre-931, pre-846)");
  replay->add_option("-o,--output", options->output_path, "also write the run output here");
  replay->footer(
      "Prints every gating violation and known exception as 'ID [subject] detail', then PASS or "
      "FAIL. The event log is always recorded so that every check applies. Exit codes: 0 no "
      "gating violation, 1 gating violations, 2 bad input or usage, 3 internal error.");
  replay->callback([options, &context] {
    try {
      context.exit_code = run_replay(*options);
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
