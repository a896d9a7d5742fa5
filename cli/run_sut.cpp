// `simcheck run --sut blis` (see run_sut.h).
#include "cli/run_sut.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_report.h"
#include "io/case_writer.h"
#include "io/report_writer.h"
#include "sut/sut_campaign.h"

namespace simcheck::cli {
namespace fs = std::filesystem;

namespace {

std::string sanitize(const std::string& key) {
  std::string out;
  for (char c : key) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

std::string campaign_line(const RunSutArgs& a) {
  std::string s = "simcheck run --sut " + a.sut + " --cases " + std::to_string(a.cases) +
                  " --seed " + std::to_string(a.seed) + " --max-requests " +
                  std::to_string(a.max_requests);
  if (a.max_instances != 8) s += " --max-instances " + std::to_string(a.max_instances);
  if (a.no_pd) s += " --no-pd";
  if (a.strict) s += " --strict";
  if (a.no_diff) s += " --no-diff";
  return s;
}

std::string diff_text(const properties::DiffResult& d, std::size_t max_rows) {
  std::string s;
  std::size_t n = 0;
  for (const auto& x : d.differences) {
    if (n++ == max_rows) {
      s += "  ... " + std::to_string(d.differences.size() - max_rows) + " more\n";
      break;
    }
    s += "  DIFF " + x.id + " " + x.metric + ": reference " + x.reference.value_or("(none)") +
         ", blis " + x.other.value_or("(none)") + "\n";
  }
  for (const auto& c : d.counters) {
    std::ostringstream line;
    line << "  DIFF counter " << c.name << ": reference " << c.reference << ", blis " << c.other
         << "\n";
    s += line.str();
  }
  return s;
}

// The violations and differences behind one finding key, as text.
std::string finding_text(const sut::SutFinding& f) {
  const sut::SutVerdict& v = f.minimal_verdict;
  std::string s;
  if (!v.sut_failure.empty()) s += "  SUT-FAILED " + v.sut_failure + "\n";
  std::vector<properties::Violation> mine;
  for (const auto& x : v.failing) {
    if (x.invariant == f.key) mine.push_back(x);
  }
  std::string viol = violations_text(mine);
  std::istringstream lines(viol);
  for (std::string line; std::getline(lines, line);) s += "  " + line + "\n";
  if (f.key.rfind("DIFF:", 0) == 0) s += diff_text(v.diff, 10);
  return s;
}

// Re-runs the minimal case in DIR/blis (kept) and writes the case, the violations and repro.sh.
bool save_finding(const sut::SutCampaignOptions& o, const RunSutArgs& a, const sut::SutFinding& f,
                  const std::string& dir, std::string& repro) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(fs::path(dir) / "blis", ec);
  if (ec) {
    print_error(dir + ": cannot create: " + ec.message());
    return false;
  }
  const std::string blis_dir = (fs::path(dir) / "blis").string();
  const sut::SutVerdict v = sut::evaluate_sut_case(f.minimal, o, blis_dir);
  repro = "cd " + sut::shell_command({fs::absolute(blis_dir).string()}) + " && " +
          sut::shell_command(v.argv);
  io::InputError error;
  std::string text = "# " + campaign_line(a) + "\n# finding " + f.key + ": first in case " +
                     std::to_string(f.index) + ", shown by " + std::to_string(f.cases_showing) +
                     " case(s)\n# reproduce: " + repro + "\n";
  text += violations_text(v.failing);
  text += diff_text(v.diff, 1000);
  if (!v.sut_failure.empty()) text += "SUT-FAILED " + v.sut_failure + "\n";
  const std::string script = "#!/bin/sh\n# " + f.key + ": BLIS run on the minimal case\n" +
                             "cd \"$(dirname \"$0\")/blis\" && " + sut::shell_command(v.argv) +
                             "\n";
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"case.json", io::write_case(f.minimal)},
           {"original.case.json", io::write_case(f.original)},
           {"violations.txt", text},
           {"repro.sh", script}}) {
    if (!write_output((fs::path(dir) / name).string(), bytes, error)) {
      print_error(error);
      return false;
    }
  }
  fs::permissions(fs::path(dir) / "repro.sh", fs::perms::owner_exec, fs::perm_options::add, ec);
  return true;
}

io::Report sut_report(const RunSutArgs& a, const sut::SutCampaignResult& r,
                      const std::vector<std::string>& saved) {
  io::Report report;
  report.command = campaign_line(a);
  io::ReportSuite suite;
  suite.name = "sut-" + a.sut;
  suite.notes.push_back("cases run: " + std::to_string(r.cases_run) +
                        ", expressible: " + std::to_string(r.cases_expressible) +
                        ", failing: " + std::to_string(r.cases_failed));
  for (const auto& [reason, n] : r.not_expressible) {
    suite.notes.push_back("not expressible in BLIS (" + std::to_string(n) + " cases): " + reason);
  }
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    const sut::SutFinding& f = r.findings[i];
    io::ReportCheck c;
    c.id = f.key;
    c.title = "finding in " + std::to_string(f.cases_showing) + " case(s); minimal case " +
              std::to_string(f.minimal.requests.size()) + " request(s)" +
              (i < saved.size() && !saved[i].empty() ? ", saved in " + saved[i] : "");
    c.status = io::ReportCheck::Status::violated;
    c.gating = true;
    for (const auto& x : f.minimal_verdict.failing) {
      if (x.invariant == f.key) c.violations.push_back({x.subject, x.detail, false});
    }
    for (const auto& d : f.minimal_verdict.diff.differences) {
      if (f.key == "DIFF:" + d.metric) {
        c.violations.push_back({d.id,
                                d.metric + ": reference " + d.reference.value_or("(none)") +
                                    ", blis " + d.other.value_or("(none)"),
                                false});
      }
    }
    if (!f.minimal_verdict.sut_failure.empty()) {
      c.violations.push_back({"", f.minimal_verdict.sut_failure, false});
    }
    suite.checks.push_back(std::move(c));
  }
  for (const auto& [id, n] : r.known_cases) {
    if (r.finding_cases.count(id)) continue;
    io::ReportCheck c;
    c.id = id;
    c.title = "known, explained difference in " + std::to_string(n) + " case(s)";
    c.status = io::ReportCheck::Status::violated;
    c.gating = false;
    c.violations.push_back({"", r.known_reason.at(id), true});
    suite.checks.push_back(std::move(c));
  }
  report.suites.push_back(std::move(suite));
  return report;
}

}  // namespace

int run_sut_command(const RunSutArgs& a) {
  if (a.sut != "blis") {
    print_error("--sut: unknown system under test '" + a.sut + "' (supported: blis)");
    return kExitBadInput;
  }
  if (a.sut_bin.empty()) {
    print_error("--sut blis needs --sut-bin PATH (build it with scripts/get-blis.sh)");
    return kExitBadInput;
  }
  if (::access(a.sut_bin.c_str(), X_OK) != 0 || fs::is_directory(a.sut_bin)) {
    print_error(a.sut_bin + ": --sut-bin is not an executable file");
    return kExitBadInput;
  }
  if (a.cases < 0) {
    print_error("--cases must be >= 0");
    return kExitBadInput;
  }
  if (a.jobs < 1 || a.jobs > 256) {
    print_error("--jobs must be between 1 and 256 for --sut (each job runs one BLIS process)");
    return kExitBadInput;
  }
  if (!std::isfinite(a.time_budget_s) || a.time_budget_s < 0) {
    print_error("--time-budget must be a finite number >= 0");
    return kExitBadInput;
  }
  if (!std::isfinite(a.sut_timeout_s) || a.sut_timeout_s <= 0) {
    print_error("--sut-timeout must be a finite number > 0");
    return kExitBadInput;
  }
  if (a.max_instances < 1 || a.max_instances > 8) {
    print_error("--max-instances must be between 1 and 8");
    return kExitBadInput;
  }
  if (a.max_requests < 1 || a.max_requests > 64) {
    print_error("--max-requests must be between 1 and 64");
    return kExitBadInput;
  }
  if (a.max_findings < 0) {
    print_error("--max-findings must be >= 0");
    return kExitBadInput;
  }
  if (a.progress != "auto" && a.progress != "always" && a.progress != "never") {
    print_error("--progress: auto, always or never, not '" + a.progress + "'");
    return kExitBadInput;
  }
  if (!a.report.empty()) {
    if (a.report[0] != "json" && a.report[0] != "junit") {
      print_error("--report: the format is json or junit, not '" + a.report[0] + "'");
      return kExitBadInput;
    }
    // Refuse before the campaign, not after it (a found failure must not be lost to exit 2).
    const fs::path parent = fs::absolute(a.report[1]).parent_path();
    if (::access(parent.c_str(), W_OK) != 0) {
      print_error(a.report[1] + ": --report: the directory is not writable");
      return kExitBadInput;
    }
  }

  sut::SutCampaignOptions o;
  o.cases = a.cases;
  o.seed = a.seed;
  o.jobs = a.jobs;
  o.time_budget_s = a.time_budget_s;
  o.strict = a.strict;
  o.diff = !a.no_diff;
  o.shrink = !a.no_shrink;
  o.max_shrink_runs = a.max_shrink_runs;
  o.max_findings = a.max_findings;
  o.sut.binary = a.sut_bin;
  o.sut.extra_args = a.sut_args;
  o.sut.timeout_s = a.sut_timeout_s;
  o.gen.max_requests = a.max_requests;
  o.gen.max_instances = a.max_instances;
  o.gen.allow_pd = !a.no_pd;
  o.gen.record_events = false;

  std::string tmpl = (fs::temp_directory_path() / "simcheck-sut-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    print_error(tmpl + ": cannot create a working directory");
    return kExitBadInput;
  }
  o.work_dir = tmpl;

  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const bool lines = a.progress == "always" || (a.progress == "auto" && !tty);
  const bool live = a.progress == "auto" && tty;
  const auto t0 = std::chrono::steady_clock::now();
  double last_line = 0;
  o.on_progress = [&](int64_t done, int64_t planned, int64_t failing) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = t > 0 ? static_cast<double>(done) / t : 0;
    const double eta = rate > 0 ? static_cast<double>(planned - done) / rate : 0;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "simcheck run --sut %s: %lld/%lld cases, %.1f cases/s, ETA %.0f s, %lld failing",
                  a.sut.c_str(), static_cast<long long>(done), static_cast<long long>(planned),
                  rate, eta, static_cast<long long>(failing));
    if (live) {
      std::fprintf(stderr, "\r%s", buf);
      std::fflush(stderr);
    } else if (lines && (t - last_line >= a.progress_interval_s)) {
      last_line = t;
      std::fprintf(stderr, "%s\n", buf);
    }
  };

  sut::SutCampaignResult r;
  try {
    r = sut::run_sut_campaign(o);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(o.work_dir, ec);
    print_error(std::string("internal error: ") + e.what());
    return kExitInternal;
  }
  std::error_code ec;
  fs::remove_all(o.work_dir, ec);
  if (live) std::fprintf(stderr, "\r%100s\r", "");

  std::cout << campaign_line(a) << "\n";
  char line[300];
  const double per_case = r.cases_run > 0 ? 1000.0 / static_cast<double>(r.cases_run) : 0;
  std::snprintf(line, sizeof line,
                "ran %lld of %lld cases (%lld expressible in BLIS) in %.1f s (%.1f cases/s, %d "
                "jobs); per case: BLIS %.1f ms, simcheck %.2f ms%s\n",
                static_cast<long long>(r.cases_run), static_cast<long long>(r.cases_planned),
                static_cast<long long>(r.cases_expressible), r.elapsed_s,
                r.elapsed_s > 0 ? static_cast<double>(r.cases_run) / r.elapsed_s : 0.0, a.jobs,
                r.sut_wall_s * per_case, r.check_s * per_case,
                r.stopped_by_time_budget ? " (stopped by --time-budget)" : "");
  std::cout << line;
  for (const auto& [reason, n] : r.not_expressible) {
    std::cout << "not expressible in BLIS, not run (" << n << " cases): " << reason << "\n";
  }
  bool any_known = false;
  for (const auto& [id, n] : r.known_cases) {
    if (!any_known) {
      std::cout << "known, explained differences (non-gating; --strict makes them fail):\n";
      any_known = true;
    }
    std::cout << "  " << id << " in " << n << " case(s), e.g. " << r.known_reason.at(id) << "\n";
  }
  std::vector<std::string> saved;
  bool save_failed = false;
  if (!r.findings.empty()) {
    std::cout << "findings (" << r.cases_failed << " failing case(s)):\n";
  }
  for (const sut::SutFinding& f : r.findings) {
    const std::string dir =
        (fs::path(a.corpus_dir) / ("seed" + std::to_string(a.seed) + "-" + sanitize(f.key)))
            .string();
    std::string repro;
    const bool ok = save_finding(o, a, f, dir, repro);
    save_failed = save_failed || !ok;
    saved.push_back(ok ? dir : "");
    std::cout << "* " << f.key << ": " << f.cases_showing << " case(s); minimal case "
              << f.minimal.requests.size() << " request(s) (" << f.shrink_steps << " shrink steps, "
              << f.shrink_runs << " BLIS runs"
              << (f.shrink_budget_exhausted ? ", shrink budget exhausted" : "") << ")\n"
              << finding_text(f);
    if (ok) {
      std::cout << "  saved: " << dir << " (case.json, violations.txt, repro.sh, blis/)\n"
                << "  reproduce: " << repro << "\n";
    }
  }
  if (r.finding_cases.size() > r.findings.size()) {
    std::cout << "further findings, not shrunk (raise --max-findings):";
    for (const auto& [key, n] : r.finding_cases) {
      bool shrunk = false;
      for (const auto& f : r.findings) shrunk = shrunk || f.key == key;
      if (!shrunk) std::cout << " " << key << " (" << n << " cases)";
    }
    std::cout << "\n";
  }
  std::cout << (r.passed() ? "PASS" : "FAIL") << "\n";
  if (!a.report.empty()) {
    const io::Report report = sut_report(a, r, saved);
    const std::string bytes =
        a.report[0] == "json" ? io::write_report_json(report) : io::write_report_junit(report);
    io::InputError error;
    if (!write_output(a.report[1], bytes, error)) {
      print_error(error);
      return r.passed() ? kExitBadInput : kExitViolations;
    }
  }
  if (!r.passed()) return kExitViolations;
  return save_failed ? kExitBadInput : kExitOk;
}

}  // namespace simcheck::cli
