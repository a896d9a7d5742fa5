// `simcheck export CASE --to blis DIR`: the case as a BLIS replay input (spec §1.3 items 3-4,
// §12.2): DIR/trace.yaml + DIR/trace.csv in BLIS's trace format, DIR/blis-flags.txt, and on stdout
// the flags and what has no BLIS equivalent (docs/oracle.md). Nothing is written on error.
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "io/blis_export.h"
#include "io/case_reader.h"
#include "io/case_writer.h"

namespace simcheck::cli {
namespace {

struct ExportCommandOptions {
  std::string case_path;
  std::string target = "blis";
  std::string dir;
  bool force = false;
};

// Writes every file to a temporary name first and renames them only once all are written, so an
// error leaves DIR as it was (a directory created for the export is removed again).
bool write_all(const std::filesystem::path& dir,
               const std::vector<std::pair<std::string, std::string>>& files,
               io::InputError& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    error = io::InputError{dir.string(), "", "",
                           "cannot create the directory" + (ec ? ": " + ec.message() : "")};
    return false;
  }
  std::vector<fs::path> temps;
  auto cleanup = [&] {
    for (const auto& t : temps) fs::remove(t, ec);
    if (!existed) fs::remove(dir, ec);  // only succeeds while empty
  };
  for (const auto& [name, bytes] : files) {
    const fs::path temp = dir / ("." + name + ".simcheck-tmp");
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    temps.push_back(temp);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      error = io::InputError{(dir / name).string(), "", "", "cannot write"};
      cleanup();
      return false;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::rename(temps[i], dir / files[i].first, ec);
    if (ec) {
      error = io::InputError{(dir / files[i].first).string(), "", "",
                             "cannot rename into place: " + ec.message()};
      cleanup();
      return false;
    }
  }
  return true;
}

int run_export(const ExportCommandOptions& options) {
  if (options.target != "blis") {
    print_error(io::InputError{"--to", "", options.target, "the only export target is blis"});
    return kExitBadInput;
  }
  auto read = io::read_case(options.case_path);
  if (const auto* error = std::get_if<io::InputError>(&read)) {
    print_error(*error);
    return kExitBadInput;
  }
  const io::BlisExport ex = io::export_to_blis(std::get<model::Case>(read));
  if (!ex.not_equivalent.empty() && !options.force) {
    for (const auto& why : ex.not_equivalent) {
      print_error(options.case_path + ": no BLIS equivalent: " + why);
    }
    print_error(
        "nothing written (--force exports anyway; the simulators are then not expected "
        "to agree)");
    return kExitBadInput;
  }
  const std::string flags = io::join_flags(ex.flags);
  const std::filesystem::path dir(options.dir);
  io::InputError error;
  std::vector<std::pair<std::string, std::string>> files = {
      {"trace.yaml", io::write_blis_trace_header(ex.trace)},
      {"trace.csv", io::write_blis_trace_csv(ex.trace)},
      {"blis-flags.txt", flags + "\n"}};
  // Renamed ids: the case BLIS's output is to be compared with.
  if (ex.renamed_case) files.emplace_back("case.json", io::write_case(*ex.renamed_case));
  if (!write_all(dir, files, error)) {
    print_error(error);
    return kExitBadInput;
  }
  std::cout << "wrote " << (dir / "trace.yaml").string() << ", " << (dir / "trace.csv").string()
            << " (" << ex.trace.records.size() << " requests) and "
            << (dir / "blis-flags.txt").string()
            << (ex.renamed_case ? " and " + (dir / "case.json").string() + " (ids renamed)" : "")
            << "\n";
  std::cout << "BLIS flags: " << flags << "\n";
  std::cout << "run: blis replay --trace-header " << (dir / "trace.yaml").string()
            << " --trace-data " << (dir / "trace.csv").string() << " " << flags
            << " --results-path results.json > stdout.txt\n";
  for (const auto& c : ex.caveats) std::cout << "note: " << c << "\n";
  for (const auto& why : ex.not_equivalent) {
    std::cout << "warning: no BLIS equivalent (exported because of --force): " << why << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<ExportCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("export", "Write a case as another simulator's input (BLIS replay).");
  cmd->footer(
      std::string(
          "Materialises CASE and writes DIR/trace.yaml and DIR/trace.csv in BLIS's trace format "
          "(prefix sharing as BLIS prefix groups), and DIR/blis-flags.txt with the `blis replay` "
          "flags that reproduce the configuration (spec §1.3 item 3). Settings with no BLIS "
          "equivalent are listed and nothing is written (exit 2) unless --force.\n") +
      kExitCodesHelp);
  cmd->add_option("CASE", options->case_path, "case file (simcheck-case/1)")->required();
  cmd->add_option("--to", options->target, "target simulator (blis)")->required();
  cmd->add_option("DIR", options->dir, "output directory (created if missing)")->required();
  cmd->add_flag("--force", options->force,
                "export even when some setting has no BLIS equivalent (listed as warnings)");
  cmd->callback([options, &context] {
    try {
      context.exit_code = run_export(*options);
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
