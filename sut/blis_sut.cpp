// BLIS as a system under test (see blis_sut.h).
#include "sut/blis_sut.h"

#include <filesystem>
#include <fstream>

#include "io/blis_debug_log.h"
#include "io/blis_export.h"
#include "io/blis_metrics_reader.h"
#include "io/blis_trace.h"
#include "model/simulate.h"

namespace simcheck::sut {
namespace fs = std::filesystem;

namespace {

bool write_text(const fs::path& path, const std::string& bytes, std::string& error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
  f.close();
  if (!f) {
    error = path.string() + ": cannot write";
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> default_blis_args(const std::string& binary) {
  std::vector<std::string> args = {"--model=meta-llama/llama-3.1-8b-instruct", "--hardware=H100",
                                   "--tp=1"};
  std::error_code ec;
  const fs::path defaults = fs::absolute(fs::path(binary), ec).parent_path() / "defaults.yaml";
  if (!ec && fs::exists(defaults, ec)) {
    args.push_back("--defaults-filepath=" + defaults.string());
  }
  return args;
}

std::string shell_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
                                         "NOPQRSTUVWXYZ0123456789-_=./,:+@%") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::variant<model::RunOutput, std::string> read_blis_run(const model::Case& c,
                                                          const std::string& directory) {
  std::error_code ec;
  const fs::path dir = fs::absolute(directory, ec);
  model::RunOutput out;
  io::InputError read_error;
  auto printed = io::read_text_file((dir / "stdout.txt").string(), read_error);
  if (!printed) {
    return "BLIS output unreadable: " + io::describe(read_error);
  }
  io::BlisReadOptions read;
  // BLIS prints its PD section only when it disaggregated something (not with decider never,
  // nor when nothing reached a prefill pod); the pools exist either way (§2).
  const bool pd_section = printed->find("=== PD Metrics ===") != std::string::npos;
  if (pd_section) {
    read.prefill_instances = c.config.prefill_instances;
    read.decode_instances = c.config.decode_instances;
  }
  auto parsed =
      io::read_blis_output((dir / "metrics.json").string(), (dir / "stdout.txt").string(), read);
  if (auto* e = std::get_if<io::InputError>(&parsed)) {
    return "BLIS output unreadable: " + io::describe(*e);
  }
  out = std::move(std::get<model::RunOutput>(parsed));
  // BLIS prints no per-instance block for a one-instance cluster: the instances are then not
  // reported (rather than reported as none).
  // Their ids are still known (instance_0 ...), so the debug log's timeline has a place to go.
  if (static_cast<int>(out.instances.size()) != c.config.num_instances) {
    out.instances.assign(static_cast<std::size_t>(c.config.num_instances), {});
    for (int i = 0; i < c.config.num_instances; ++i) {
      out.instances[static_cast<std::size_t>(i)].id = "instance_" + std::to_string(i);
    }
    out.missing_fields.insert("instances");
  } else if (c.config.pd_enabled() && !pd_section) {
    // Roles by index, as BLIS assigns them from its pool flags (§2).
    for (int i = 0; i < c.config.num_instances; ++i) {
      auto& inst = out.instances[static_cast<std::size_t>(i)];
      inst.role = i < c.config.prefill_instances ? model::Role::prefill
                  : i < c.config.prefill_instances + c.config.decode_instances ? model::Role::decode
                                                                               : model::Role::none;
    }
  }

  io::InputError log_error;
  auto log_text = io::read_text_file((dir / "stderr.txt").string(), log_error);
  if (!log_text) {
    return "BLIS debug log unreadable: " + io::describe(log_error);
  }
  auto timeline =
      io::parse_blis_debug_log(io::NamedText{(dir / "stderr.txt").string(), std::move(*log_text)});
  if (auto* e = std::get_if<io::InputError>(&timeline)) {
    return "BLIS debug log unreadable: " + io::describe(*e);
  }
  io::apply_blis_timeline(std::get<io::BlisTimeline>(timeline), out);

  // The laws need the trace (arrivals, deadlines) and the horizon the case ran with.
  std::vector<model::TraceEntry> trace;
  for (const model::Request& r : model::materialise(c)) {
    trace.push_back(model::TraceEntry{r.id, r.arrival, static_cast<int64_t>(r.input.size()),
                                      static_cast<int64_t>(r.output.size()), r.max_output_len,
                                      r.deadline});
  }
  out.trace = std::move(trace);
  // The configuration BLIS ran with (the export maps it one to one): checks that need the
  // horizon, P, OTP or the pools read it from here.
  out.config = c.config;
  return out;
}

SutRun run_blis(const model::Case& c, const BlisSutOptions& options, const std::string& dir) {
  SutRun run;
  const io::BlisExport exported = io::export_to_blis(c);
  if (!exported.not_equivalent.empty()) {
    run.not_equivalent = exported.not_equivalent;
    run.failure = "no BLIS equivalent: " + exported.not_equivalent.front();
    return run;
  }
  std::error_code ec;
  // Absolute: the child's file actions open its output files after changing directory.
  const fs::path d = fs::absolute(dir, ec);
  std::string error;
  if (!write_text(d / "trace.yaml", io::write_blis_trace_header(exported.trace), error) ||
      !write_text(d / "trace.csv", io::write_blis_trace_csv(exported.trace), error)) {
    run.failure = error;
    return run;
  }
  const fs::path binary = fs::absolute(options.binary, ec);
  run.argv = {binary.string(), "replay", "--trace-header=trace.yaml", "--trace-data=trace.csv"};
  for (const auto& [name, value] : exported.flags) run.argv.push_back(name + "=" + value);
  const std::vector<std::string> extra =
      options.extra_args.empty() ? default_blis_args(options.binary) : options.extra_args;
  run.argv.insert(run.argv.end(), extra.begin(), extra.end());
  run.argv.push_back("--metrics-path=metrics.json");
  run.argv.push_back("--log=debug");

  ProcessSpec spec;
  spec.argv = run.argv;
  spec.working_dir = d.string();
  spec.stdout_path = (d / "stdout.txt").string();
  spec.stderr_path = (d / "stderr.txt").string();
  spec.timeout_s = options.timeout_s;
  run.process = run_process(spec);
  if (!run.process.ok()) {
    run.failure = "BLIS " + run.process.describe() + " (stderr: " + spec.stderr_path + ")";
    return run;
  }

  auto read = read_blis_run(c, d.string());
  if (auto* why = std::get_if<std::string>(&read)) {
    run.failure = *why;
    return run;
  }
  run.output = std::move(std::get<model::RunOutput>(read));
  run.ok = true;
  return run;
}

}  // namespace simcheck::sut
