// `simcheck diff`: run the reference model on a case (optionally with BLIS's trace as its
// requests) and compare another simulator's output with it request by request (spec §1.3 item 1;
// docs/oracle.md). The comparison is properties::diff_runs; this file only prints.
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/oracle_input.h"
#include "cli/output.h"
#include "io/blis_trace.h"
#include "io/case_reader.h"
#include "model/case_validation.h"
#include "model/simulate.h"
#include "properties/diff.h"
#include "properties/exact.h"

namespace simcheck::cli {
namespace {

struct DiffCommandOptions {
  std::string case_path;
  OutputSource source;
  std::string trace_header, trace_data;
  int64_t tolerance_us = 0;
  std::size_t rows = 20;
};

std::string cell(const std::optional<std::string>& v) { return v ? *v : "(none)"; }

void print_table(const properties::DiffResult& d, std::size_t rows, std::ostream& out) {
  std::size_t w_id = 7, w_metric = 6, w_ref = 9, w_other = 5;
  const std::size_t shown = std::min(rows, d.differences.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = d.differences[i];
    w_id = std::max(w_id, r.id.size());
    w_metric = std::max(w_metric, r.metric.size());
    w_ref = std::max(w_ref, cell(r.reference).size());
    w_other = std::max(w_other, cell(r.other).size());
  }
  out << std::left << std::setw(static_cast<int>(w_id)) << "request"
      << "  " << std::setw(static_cast<int>(w_metric)) << "metric"
      << "  " << std::setw(static_cast<int>(w_ref)) << "reference"
      << "  " << std::setw(static_cast<int>(w_other)) << "other"
      << "  |diff| us\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = d.differences[i];
    out << std::left << std::setw(static_cast<int>(w_id)) << r.id << "  "
        << std::setw(static_cast<int>(w_metric)) << r.metric << "  "
        << std::setw(static_cast<int>(w_ref)) << cell(r.reference) << "  "
        << std::setw(static_cast<int>(w_other)) << cell(r.other) << "  "
        << (r.abs_diff_us ? properties::exact::str(*r.abs_diff_us) : std::string("-")) << "\n";
  }
  if (d.differences.size() > shown) {
    out << "... " << d.differences.size() - shown << " more difference(s) (--rows N shows more)\n";
  }
}

int run_diff(const DiffCommandOptions& options) {
  auto read_case = io::read_case(options.case_path);
  if (const auto* error = std::get_if<io::InputError>(&read_case)) {
    print_error(*error);
    return kExitBadInput;
  }
  model::Case c = std::get<model::Case>(read_case);
  if (options.trace_header.empty() != options.trace_data.empty()) {
    print_error("--trace-header and --trace-data go together");
    return kExitBadInput;
  }
  if (!options.trace_header.empty()) {
    // The case gives the configuration and seed, the BLIS trace the requests (as `blis replay`).
    auto trace = io::read_blis_trace(options.trace_header, options.trace_data);
    if (const auto* error = std::get_if<io::InputError>(&trace)) {
      print_error(*error);
      return kExitBadInput;
    }
    auto requests = io::to_trace_requests(std::get<io::BlisTrace>(trace), options.trace_header,
                                          options.trace_data);
    if (const auto* error = std::get_if<io::InputError>(&requests)) {
      print_error(*error);
      return kExitBadInput;
    }
    c.requests = std::move(std::get<std::vector<model::TraceRequest>>(requests));
    c.workload.reset();
    if (auto invalid = model::validate_case(c)) {
      print_error(io::InputError{options.trace_data, invalid->field, invalid->value,
                                 invalid->message + " (case " + options.case_path +
                                     " with the requests of the BLIS trace)"});
      return kExitBadInput;
    }
  }
  OutputSource source = options.source;
  if (source.blis.prefill_instances == 0 && source.blis.decode_instances == 0 &&
      c.config.pd_enabled()) {
    // The case says which pools the compared run should have had.
    source.blis.prefill_instances = c.config.prefill_instances;
    source.blis.decode_instances = c.config.decode_instances;
  }
  auto other = read_output(source);
  if (const auto* error = std::get_if<io::InputError>(&other)) {
    print_error(*error);
    return kExitBadInput;
  }
  const model::RunOutput reference = model::simulate(c);
  const properties::DiffResult d = properties::diff_runs(
      reference, std::get<model::RunOutput>(other), properties::DiffOptions{options.tolerance_us});

  std::ostream& out = std::cout;
  if (!d.differences.empty()) {
    out << "First divergences (reference arrival order):\n";
    print_table(d, options.rows, out);
    out << "\n";
  }
  out << "Per metric (|diff| in us over the requests both sides report):\n";
  for (const auto& m : d.metrics) {
    out << "  " << m.metric << ": " << m.compared << " compared, " << m.differing << " differ";
    if (m.only_reference || m.only_other) {
      out << " (" << m.only_reference << " only in the reference, " << m.only_other
          << " only in the other output)";
    }
    if (m.metric != "handled_by") {
      out << ", max " << properties::exact::str(m.max_abs_diff_us)
          << (m.max_at.empty() ? "" : " at " + m.max_at) << ", mean "
          << properties::exact::str(m.mean_abs_diff_us);
    }
    out << "\n";
  }
  for (const auto& c2 : d.counters) {
    out << "  counter " << c2.name << ": reference " << properties::exact::str(c2.reference)
        << ", other " << properties::exact::str(c2.other) << "\n";
  }
  if (!d.counters_compared.empty()) {
    out << "  counters compared: " << d.counters_compared.size()
        << ", differing: " << d.counters.size() << "\n";
  }
  for (const auto& n : d.not_compared) out << "  not compared: " << n << "\n";
  out << "simcheck diff: " << d.requests_differing << " of " << d.requests_compared
      << " requests differ beyond " << options.tolerance_us << " us; " << d.counters.size()
      << " counter(s) differ -- " << (d.any_difference() ? "DIFFERENT" : "SAME") << "\n";
  return d.any_difference() ? kExitViolations : kExitOk;
}

}  // namespace

void add_diff_command(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<DiffCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Run the reference on a case and compare another simulator's output with it.");
  cmd->footer(
      std::string(
          "Runs the reference model on CASE and compares OUTPUT with its output request by "
          "request: ttft, e2e, itl_avg, sched_delay, completion_time when both report it, token "
          "counts and handled_by, then the counters. Prints the first divergences (by arrival) "
          "as a table and a summary per metric. With --trace-header/--trace-data the requests "
          "come from a BLIS trace (as `blis replay` reads it) and CASE supplies the "
          "configuration and seed. Exit 1 on any difference beyond --tolerance-us.\n") +
      kExitCodesHelp);
  cmd->add_option("CASE", options->case_path, "case file (simcheck-case/1)")->required();
  cmd->add_option("OUTPUT", options->source.path, "the other simulator's output")->required();
  add_output_format_options(*cmd, options->source);
  cmd->add_option("--trace-header", options->trace_header, "BLIS trace header (YAML)");
  cmd->add_option("--trace-data", options->trace_data, "BLIS trace data (CSV)");
  cmd->add_option("--tolerance-us", options->tolerance_us,
                  "differences of at most this many microseconds are not differences (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rows", options->rows, "divergences shown in the table (default 20)");
  cmd->callback([options, &context] {
    try {
      context.exit_code = run_diff(*options);
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
