// `simcheck check`: run every invariant of the catalogue (spec §11, docs/invariants.md) that an
// output's fields allow, on a simcheck, BLIS or BLIS-replay output (docs/oracle.md), and say for
// each one held / violated (witnesses) / not applicable (which field is missing).
#include <exception>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/oracle_input.h"
#include "cli/output.h"
#include "io/report_writer.h"
#include "properties/coverage.h"

namespace simcheck::cli {
namespace {

constexpr std::size_t kWitnessesShown = 10;

struct CheckCommandOptions {
  OutputSource source;
  bool strict = false;
  std::vector<std::string> reports;  // pairs: kind, path
  std::string command_line;
};

io::ReportSuite to_suite(const std::string& name, const model::RunOutput& run,
                         const std::vector<properties::CheckResult>& results,
                         const std::vector<properties::CheckInfo>& infos,
                         const properties::CheckOptions& options) {
  io::ReportSuite suite;
  suite.name = name;
  suite.notes = run.warnings;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    io::ReportCheck c;
    c.id = r.id;
    c.title = i < infos.size() ? infos[i].title : "";
    c.status = r.status == properties::Status::held       ? io::ReportCheck::Status::held
               : r.status == properties::Status::violated ? io::ReportCheck::Status::violated
                                                          : io::ReportCheck::Status::not_applicable;
    c.not_applicable_reason = r.not_applicable_reason;
    c.gating = properties::is_gating(r, options);
    for (const auto& v : r.violations) {
      c.violations.push_back({v.subject, v.detail, v.known_exception});
    }
    suite.checks.push_back(std::move(c));
  }
  return suite;
}

void print_suite(const io::ReportSuite& suite, std::ostream& out) {
  for (const auto& note : suite.notes) out << "note: " << note << "\n";
  for (const auto& c : suite.checks) {
    switch (c.status) {
      case io::ReportCheck::Status::held:
        out << "held            " << c.id << "  " << c.title << "\n";
        break;
      case io::ReportCheck::Status::not_applicable:
        out << "not applicable  " << c.id << "  " << c.title << ": " << c.not_applicable_reason
            << "\n";
        break;
      case io::ReportCheck::Status::violated: {
        out << "VIOLATED        " << c.id << "  " << c.title << " (" << c.violations.size()
            << (c.violations.size() == 1 ? " witness" : " witnesses")
            << (c.gating ? ", gating" : ", known exceptions only: not gating without --strict")
            << ")\n";
        for (std::size_t i = 0; i < c.violations.size() && i < kWitnessesShown; ++i) {
          const auto& v = c.violations[i];
          out << "    " << (v.subject.empty() ? "(run)" : v.subject) << ": " << v.detail
              << (v.known_exception ? " [known exception]" : "") << "\n";
        }
        if (c.violations.size() > kWitnessesShown) {
          out << "    ... " << c.violations.size() - kWitnessesShown
              << " more (all of them in --report)\n";
        }
        break;
      }
    }
  }
}

int run_check(const CheckCommandOptions& options) {
  if (options.reports.size() % 2 != 0) {
    print_error("--report takes a kind (json or junit) and a file");
    return kExitBadInput;
  }
  for (std::size_t i = 0; i < options.reports.size(); i += 2) {
    if (options.reports[i] != "json" && options.reports[i] != "junit") {
      print_error(io::InputError{"--report", "", options.reports[i], "expected json or junit"});
      return kExitBadInput;
    }
  }
  auto read = read_output(options.source);
  if (const auto* error = std::get_if<io::InputError>(&read)) {
    print_error(*error);
    return kExitBadInput;
  }
  const model::RunOutput& run = std::get<model::RunOutput>(read);
  const properties::CheckOptions check_options{options.strict};
  const auto results = properties::check_all_reported(run);
  const auto infos = properties::reported_catalogue();

  io::Report report;
  report.command = options.command_line;
  report.suites.push_back(to_suite(options.source.path, run, results, infos, check_options));
  const io::ReportSuite& suite = report.suites.front();
  print_suite(suite, std::cout);
  const io::ReportTotals t = io::totals(suite);
  std::cout << "simcheck check: " << t.held << " held, " << t.violated << " violated (" << t.gating
            << " gating), " << t.not_applicable << " not applicable"
            << (options.strict ? " [strict]" : "") << " -- " << (t.gating ? "FAIL" : "PASS")
            << "\n";

  for (std::size_t i = 0; i < options.reports.size(); i += 2) {
    const std::string bytes = options.reports[i] == "json" ? io::write_report_json(report)
                                                           : io::write_report_junit(report);
    io::InputError error;
    if (!write_output(options.reports[i + 1], bytes, error)) {
      print_error(error);
      return kExitBadInput;
    }
  }
  return t.gating ? kExitViolations : kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Check a run output (simcheck, BLIS or BLIS replay) against the invariants.");
  cmd->footer(
      std::string(
          "Runs every invariant of the catalogue (docs/invariants.md) that OUTPUT's fields allow "
          "and prints one line per check: held, VIOLATED (with witnesses: the request, parent or "
          "instance and the values involved) or not applicable (with the missing field), then a "
          "summary. Violations the spec documents as possible (known exceptions, e.g. C-1 on "
          "E-FALLBACK) gate only with --strict. BLIS millisecond decimals are converted to "
          "exact values before any comparison (docs/oracle.md).\n") +
      kExitCodesHelp);
  cmd->add_option("OUTPUT", options->source.path,
                  "the run output: simcheck-run/1 JSON, BLIS --metrics-path JSON or stdout, or "
                  "BLIS replay --results-path JSON")
      ->required();
  add_output_format_options(*cmd, options->source);
  cmd->add_flag("--strict", options->strict, "known exceptions gate too");
  cmd->add_option("--report", options->reports,
                  "also write a report: --report json FILE or --report junit FILE (repeatable)")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->callback([options, &context] {
    std::ostringstream line;
    line << "simcheck check " << options->source.path;
    if (options->source.format != "auto") line << " --format " << options->source.format;
    if (options->source.blis_stdout) line << " --stdout " << *options->source.blis_stdout;
    if (options->source.blis.prefill_instances || options->source.blis.decode_instances) {
      line << " --prefill-instances " << options->source.blis.prefill_instances
           << " --decode-instances " << options->source.blis.decode_instances;
    }
    if (options->strict) line << " --strict";
    options->command_line = line.str();
    try {
      context.exit_code = run_check(*options);
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
