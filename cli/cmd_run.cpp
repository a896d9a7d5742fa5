// `simcheck run`: the property campaign (properties/gen/campaign.h, spec §11, §12) from the
// command line: generated cases are simulated and checked, coverage is gated, the first failure
// is shrunk and written to the corpus with a one-line replay command (docs/usage.md).
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_report.h"
#include "cli/run_sut.h"
#include "io/case_writer.h"
#include "io/report_writer.h"
#include "io/run_output_writer.h"
#include "properties/gen/campaign.h"

namespace simcheck::cli {
namespace {

// The main job's default: about a minute on an idle 2-core machine with all checks on
// (docs/usage.md "Defaults"); the million-case run passes --cases 1000000.
constexpr int64_t kDefaultCases = 300'000;
// Largest --jobs (docs/usage.md): far more threads than any machine has cores only wastes memory.
constexpr int kMaxJobs = 1024;

struct RunCommandOptions {
  int64_t cases = kDefaultCases;
  std::string seed_text = "1";  // parsed by parse_seed: CLI11 wraps "-1" around to 2^64-1
  uint64_t seed = 1;
  double time_budget_s = 0;
  int jobs = 0;  // 0 = one per hardware thread
  std::string shard;
  std::string projection = "current";
  std::string time_profile = "faithful";
  bool strict = false;
  std::vector<std::string> report;  // {kind, path}
  std::string corpus_dir = "corpus/found";
  bool no_coverage_gate = false;
};

// "i/n" with 0 <= i < n.
bool parse_shard(const std::string& text, int& index, int& count) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    size_t used_i = 0, used_n = 0;
    const long i = std::stol(text.substr(0, slash), &used_i);
    const long n = std::stol(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1) return false;
    if (n < 1 || i < 0 || i >= n || n > 1'000'000) return false;
    index = static_cast<int>(i);
    count = static_cast<int>(n);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// A decimal integer in [0, 2^64-1]: digits only, no sign, exponent or fraction.
bool parse_seed(const std::string& text, uint64_t& seed) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seed);
  return ec == std::errc() && ptr == end;
}

// GoogleTest's sharding convention, so CI systems that shard test executables shard campaigns
// the same way.
std::optional<std::string> shard_from_environment() {
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  if (index == nullptr || total == nullptr) return std::nullopt;
  return std::string(index) + "/" + total;
}

bool write_file(const std::string& path, const std::string& bytes) {
  io::InputError error;
  if (write_output(path, bytes, error)) return true;
  print_error(error);
  return false;
}

// Writes the minimal case, its run output and its violations (and the original case) to the
// corpus directory; returns the minimal case's path, or "" on failure.
std::string save_failure(const std::string& dir, const gen::CampaignOptions& options,
                         const gen::CampaignFailure& f) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    print_error(dir + ": cannot create the corpus directory: " + ec.message());
    return "";
  }
  std::string stem = "seed" + std::to_string(options.seed) + "-case" + std::to_string(f.index);
  if (options.gen.projection != model::ProjectionEra::current) {
    stem += std::string("-") + model::to_string(options.gen.projection);
  }
  const std::string base = (std::filesystem::path(dir) / stem).string();
  const std::string case_path = base + ".case.json";
  std::string violations = "# " + campaign_command(options) + "\n# minimal case " + case_path +
                           "; original case index " + std::to_string(f.index) + "\n";
  violations += violations_text(f.minimal_verdict.failing);
  const bool ok = write_file(case_path, io::write_case(f.minimal)) &&
                  write_file(base + ".out.json", io::write_run_output(f.minimal_verdict.output)) &&
                  write_file(base + ".violations.txt", violations) &&
                  write_file(base + ".original.case.json", io::write_case(f.original));
  return ok ? case_path : "";
}

int run_campaign_command(const RunCommandOptions& args) {
  gen::CampaignOptions o;
  if (args.cases < 0) {
    print_error("--cases must be >= 0");
    return kExitBadInput;
  }
  if (!std::isfinite(args.time_budget_s) || args.time_budget_s < 0) {
    char value[64];
    std::snprintf(value, sizeof value, "%g", args.time_budget_s);
    print_error(std::string("--time-budget: '") + value +
                "' must be a finite number of seconds >= 0");
    return kExitBadInput;
  }
  if (args.jobs < 0 || args.jobs > kMaxJobs) {
    print_error("--jobs: '" + std::to_string(args.jobs) + "' must be in [0, " +
                std::to_string(kMaxJobs) + "] (0 = one per hardware thread)");
    return kExitBadInput;
  }
  o.cases = args.cases;
  o.seed = args.seed;
  o.time_budget_s = args.time_budget_s;
  o.jobs = args.jobs > 0 ? args.jobs
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.strict = args.strict;
  o.coverage_gate = !args.no_coverage_gate;
  if (!model::parse(args.projection, o.gen.projection)) {
    print_error("--projection: unknown era '" + args.projection +
                "' (current, pre-1514, pre-1512, pre-931, pre-846)");
    return kExitBadInput;
  }
  if (args.time_profile == "faithful") {
    o.gen.profile = gen::ProfileMix::faithful;
  } else if (args.time_profile == "causal") {
    o.gen.profile = gen::ProfileMix::causal;
  } else if (args.time_profile == "mixed") {
    o.gen.profile = gen::ProfileMix::mixed;
  } else {
    print_error("--time-profile: unknown profile '" + args.time_profile +
                "' (faithful, causal, mixed)");
    return kExitBadInput;
  }
  if (o.gen.profile != gen::ProfileMix::faithful &&
      o.gen.projection != model::ProjectionEra::current) {
    print_error("--time-profile " + args.time_profile +
                " needs --projection current (the causal profile has its own projection)");
    return kExitBadInput;
  }
  std::string shard = args.shard;
  const char* shard_source = "--shard";
  if (shard.empty()) {
    if (auto env = shard_from_environment()) {
      shard = *env;
      shard_source = "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS";
    }
  }
  if (!shard.empty() && !parse_shard(shard, o.shard_index, o.shard_count)) {
    print_error(std::string(shard_source) + ": '" + shard + "' is not i/n with 0 <= i < n");
    return kExitBadInput;
  }
  if (!args.report.empty() && args.report[0] != "json" && args.report[0] != "junit") {
    print_error("--report: the format is json or junit, not '" + args.report[0] + "'");
    return kExitBadInput;
  }
  if (!args.report.empty()) {
    // Before the campaign, not after minutes of it: a report that cannot be written is bad usage.
    io::InputError error;
    if (!check_output_path(args.report[1], error)) {
      print_error(error);
      return kExitBadInput;
    }
  }

  const bool tty = ::isatty(STDERR_FILENO) == 1;
  if (tty) {
    o.on_progress = [](int64_t done, int64_t planned) {
      std::fprintf(stderr, "\rsimcheck run: %lld/%lld cases", static_cast<long long>(done),
                   static_cast<long long>(planned));
      std::fflush(stderr);
    };
  }
  gen::CampaignResult result;
  try {
    result = gen::run_campaign(o);
  } catch (const std::system_error& e) {
    if (tty) std::fprintf(stderr, "\r%60s\r", "");
    print_error("--jobs " + std::to_string(o.jobs) +
                ": cannot start the worker threads: " + e.code().message());
    return kExitBadInput;
  }
  if (tty) std::fprintf(stderr, "\r%60s\r", "");

  std::cout << summary_text(o, result, o.jobs);
  std::string minimal_path;
  if (result.failure) {
    const gen::CampaignFailure& f = *result.failure;
    minimal_path = save_failure(args.corpus_dir, o, f);
    std::cout << "FAIL: case " << f.index << " violates";
    for (const auto& id : f.original_invariants) std::cout << " " << id;
    std::cout << "\nminimal counterexample (" << f.minimal.requests.size() << " requests, "
              << f.shrink_steps << " shrink steps):\n"
              << violations_text(f.minimal_verdict.failing);
    // The case itself, so a CI log alone is enough to reproduce the failure.
    std::cout << "minimal case:\n" << io::write_case(f.minimal);
    if (!minimal_path.empty()) {
      std::cout << "saved: " << minimal_path << " (+ .out.json, .violations.txt)\n"
                << "replay: simcheck replay " << minimal_path << (o.strict ? " --strict" : "")
                << "\n";
    }
  } else {
    std::cout << (result.passed() ? "PASS" : "FAIL (coverage)") << "\n";
  }
  if (!args.report.empty()) {
    const io::Report report = campaign_report(o, result, minimal_path);
    const std::string bytes =
        args.report[0] == "json" ? io::write_report_json(report) : io::write_report_junit(report);
    // A lost report is exit 2 only when there is nothing worse to say: a failure the campaign
    // found (already saved and printed above) stays exit 1.
    if (!write_file(args.report[1], bytes) && result.passed()) return kExitBadInput;
  }
  if (result.failure && minimal_path.empty()) return kExitBadInput;  // could not save it
  return result.passed() ? kExitOk : kExitViolations;
}

}  // namespace

void add_run_command(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<RunCommandOptions>();
  auto sut = std::make_shared<RunSutArgs>();
  CLI::App* run = app.add_subcommand(
      "run", "Property campaign: generate cases, simulate, check, gate coverage, shrink failures");
  run->add_option("--cases", args->cases,
                  "number of generated cases (default " + std::to_string(kDefaultCases) + ")");
  run->add_option("--seed", args->seed_text,
                  "campaign seed, a decimal integer in [0, 2^64-1] (default 1); case i depends "
                  "only on it");
  run->add_option("--time-budget", args->time_budget_s,
                  "stop starting cases after this many seconds and report how many ran "
                  "(default 0 = no budget)");
  run->add_option("--jobs", args->jobs,
                  "worker threads, at most " + std::to_string(kMaxJobs) +
                      " (default 0 = one per hardware thread); results do not depend on it");
  run->add_option("--shard", args->shard,
                  "run only cases i with i % n == k, written k/n (default: "
                  "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS if both are set)");
  run->add_option("--projection", args->projection,
                  "PD metric projection era for every case: current, pre-1514, pre-1512, "
                  "pre-931, pre-846 (spec Appendix A)");
  run->add_option("--time-profile", args->time_profile,
                  "time profile of the generated cases (Addendum C): faithful (default), causal "
                  "(the §C4 laws gate with no exception), or mixed (drawn per case)");
  run->add_flag("--strict", args->strict, "known exceptions (spec §11) fail too");
  run->add_option("--report", args->report, "also write a report: json FILE or junit FILE")
      ->expected(2);
  run->add_option("--corpus-dir", args->corpus_dir,
                  "where a failing case is saved (default corpus/found)");
  run->add_flag("--no-coverage-gate", args->no_coverage_gate,
                "do not fail when a required coverage item was never hit (for tiny --cases)");
  CLI::Option_group* ext = run->add_option_group(
      "System under test", "Run an external simulator on the generated cases (docs/oracle.md)");
  ext->add_option("--sut", sut->sut,
                  "external simulator to run on every case instead of only the reference: blis");
  ext->add_option("--sut-bin", sut->sut_bin, "the simulator's executable (scripts/get-blis.sh)");
  ext->add_option("--sut-arg", sut->sut_args,
                  "extra flag for every BLIS run, repeatable; replaces the default model "
                  "description (--model=meta-llama/llama-3.1-8b-instruct --hardware=H100 --tp=1 "
                  "--defaults-filepath=<dir of --sut-bin>/defaults.yaml)")
      ->allow_extra_args(false);
  ext->add_option("--sut-timeout", sut->sut_timeout_s,
                  "seconds one BLIS run may take before it is killed (default 60)");
  ext->add_option("--max-requests", sut->max_requests,
                  "largest generated case for --sut, in requests (default 16, at most 64)");
  ext->add_option("--max-instances", sut->max_instances,
                  "largest generated cluster for --sut, in instances (default 8)");
  ext->add_flag("--no-pd", sut->no_pd,
                "--sut: generate no prefill/decode disaggregated cases (simulators without PD)");
  ext->add_flag("--no-diff", sut->no_diff,
                "--sut: check BLIS's laws only, do not compare with the reference model");
  ext->add_flag("--no-shrink", sut->no_shrink, "--sut: report findings unshrunk");
  ext->add_option("--max-shrink-runs", sut->max_shrink_runs,
                  "--sut: BLIS runs spent shrinking one finding (default 300)");
  ext->add_option("--max-findings", sut->max_findings,
                  "--sut: distinct findings shrunk and saved (default 10); the rest are counted");
  ext->add_option("--progress", sut->progress,
                  "--sut: progress on stderr: auto (live on a terminal, else a line every 10 s), "
                  "always, never");
  run->footer(
      "With --sut blis: every generated case BLIS can express is exported, run through BLIS "
      "(no shell, own temp dir, --sut-timeout), checked (catalogue and timeline laws on BLIS's "
      "debug log) and diffed against the reference; every distinct finding is shrunk through "
      "BLIS and saved under --corpus-dir (default corpus/found-blis) with BLIS's raw outputs and "
      "a one-line BLIS command. Exit 1 on a gating law violation, a diff or a BLIS crash. "
      "On a failure the minimal case, its run output and its violations are written to the "
      "corpus directory as seed<S>-case<I>[-<era>].{case.json,out.json,violations.txt} and a "
      "replay command is printed. Exit codes: 0 no failure and coverage gate passed, 1 a "
      "gating violation or a coverage gap, 2 bad usage or unwritable output, 3 internal error.");
  run->callback([args, sut, run, &context] {
    try {
      if (!parse_seed(args->seed_text, args->seed)) {
        print_error("--seed: '" + args->seed_text +
                    "' is not a decimal integer in [0, 18446744073709551615]");
        context.exit_code = kExitBadInput;
        return;
      }
      if (!sut->sut.empty() || !sut->sut_bin.empty()) {
        if (sut->sut.empty()) sut->sut = "blis";
        sut->cases = run->count("--cases") ? args->cases : sut->cases;
        sut->seed = args->seed;
        sut->jobs = args->jobs > 0 ? args->jobs : 1;
        sut->time_budget_s = args->time_budget_s;
        sut->strict = args->strict;
        sut->report = args->report;
        if (run->count("--corpus-dir")) sut->corpus_dir = args->corpus_dir;
        context.exit_code = run_sut_command(*sut);
        return;
      }
      context.exit_code = run_campaign_command(*args);
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      context.exit_code = kExitInternal;
    }
  });
}

}  // namespace simcheck::cli
