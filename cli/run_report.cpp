// `simcheck run` results as text and reports (docs/usage.md "Reports").
#include "cli/run_report.h"

#include <cstdio>
#include <map>
#include <set>

#include "model/config.h"
#include "properties/check_result.h"

namespace simcheck::cli {
namespace {

std::string num(int64_t v) { return std::to_string(v); }

io::ReportViolation to_report(const properties::Violation& v) {
  return io::ReportViolation{v.subject, v.invariant + ": " + v.detail, v.known_exception};
}

io::ReportSuite campaign_suite(const gen::CampaignOptions& options,
                               const gen::CampaignResult& result,
                               const std::string& minimal_case_path) {
  io::ReportSuite suite;
  suite.name = "campaign";
  std::map<std::string, std::vector<properties::Violation>> failing;
  if (result.failure) {
    for (const auto& v : result.failure->minimal_verdict.failing) failing[v.invariant].push_back(v);
  }
  std::set<std::string> listed;
  for (const properties::CheckInfo& info : properties::catalogue()) {
    io::ReportCheck check;
    check.id = info.id;
    check.title = info.title;
    listed.insert(info.id);
    if (auto f = failing.find(info.id); f != failing.end()) {
      check.status = io::ReportCheck::Status::violated;
      check.gating = true;
      for (const auto& v : f->second) check.violations.push_back(to_report(v));
    } else if (auto k = result.known_exception_cases.find(info.id);
               k != result.known_exception_cases.end()) {
      check.status = io::ReportCheck::Status::violated;
      check.violations.push_back(
          {"", "known exception in " + num(k->second) + " of " + num(result.cases_run) + " cases",
           true});
    }
    suite.checks.push_back(std::move(check));
  }
  // Failures outside the catalogue (an exception thrown by the model or a check).
  for (const auto& [id, violations] : failing) {
    if (listed.count(id)) continue;
    io::ReportCheck check;
    check.id = id;
    check.title = "the run itself";
    check.status = io::ReportCheck::Status::violated;
    check.gating = true;
    for (const auto& v : violations) check.violations.push_back(to_report(v));
    suite.checks.push_back(std::move(check));
  }
  suite.notes.push_back("seed " + std::to_string(options.seed));
  suite.notes.push_back("shard " + num(options.shard_index) + "/" + num(options.shard_count));
  suite.notes.push_back(std::string("projection ") + model::to_string(options.gen.projection));
  suite.notes.push_back(std::string("strict ") + (options.strict ? "on" : "off"));
  suite.notes.push_back("cases planned " + num(result.cases_planned));
  suite.notes.push_back("cases run " + num(result.cases_run));
  if (result.stopped_by_time_budget) {
    suite.notes.push_back("stopped by the time budget: the case count depends on the machine");
  }
  char digest[32];
  std::snprintf(digest, sizeof digest, "%016llx",
                static_cast<unsigned long long>(result.outcome_digest));
  suite.notes.push_back(std::string("outcome digest ") + digest);
  if (result.failure) {
    const gen::CampaignFailure& f = *result.failure;
    suite.notes.push_back("first failing case: index " + num(f.index) + " (" +
                          num(static_cast<int64_t>(f.original.requests.size())) + " requests)");
    suite.notes.push_back("minimal case: " + minimal_case_path + " (" +
                          num(static_cast<int64_t>(f.minimal.requests.size())) + " requests, " +
                          num(f.shrink_steps) + " shrink steps, " + num(f.shrink_tries) +
                          " candidates tried" +
                          (f.shrink_budget_exhausted ? ", try budget exhausted" : "") + ")");
  }
  return suite;
}

io::ReportSuite coverage_suite(const gen::CampaignOptions& options,
                               const gen::CampaignResult& result) {
  io::ReportSuite suite;
  suite.name = "coverage";
  const model::ProjectionEra era = options.gen.projection;
  const bool faithful_cases = options.gen.profile != gen::ProfileMix::causal;
  for (const gen::CoverageItemInfo& item : gen::coverage_items()) {
    io::ReportCheck check;
    check.id = item.name;
    const int64_t hits = result.coverage.count(item.item);
    check.title = std::string(item.meaning) + " (hit in " + num(hits) + " of " +
                  num(result.coverage.cases) + " cases)";
    if (gen::is_required(item.item, era, faithful_cases)) {
      if (hits == 0) {
        check.status = io::ReportCheck::Status::violated;
        check.gating = result.coverage_gate_enforced && !result.failure;
        check.violations.push_back({"", "required coverage item never hit", false});
      }
    } else if (hits == 0) {
      check.status = io::ReportCheck::Status::not_applicable;
      check.not_applicable_reason = item.requirement == gen::Requirement::unreachable
                                        ? "unreachable in v1 (spec), not hit"
                                        : "informational, not hit";
    }
    suite.checks.push_back(std::move(check));
  }
  if (!result.coverage_gate_enforced) suite.notes.push_back("coverage gate off");
  if (result.failure) {
    suite.notes.push_back("coverage not gated: the campaign stopped at its first failure");
  }
  return suite;
}

}  // namespace

std::string campaign_command(const gen::CampaignOptions& o) {
  std::string s = "simcheck run --cases " + num(o.cases) + " --seed " + std::to_string(o.seed);
  if (o.shard_count > 1) s += " --shard " + num(o.shard_index) + "/" + num(o.shard_count);
  s += std::string(" --projection ") + model::to_string(o.gen.projection);
  if (o.strict) s += " --strict";
  if (o.time_budget_s > 0) {
    char b[64];
    std::snprintf(b, sizeof b, " --time-budget %g", o.time_budget_s);
    s += b;
  }
  if (!o.coverage_gate) s += " --no-coverage-gate";
  return s;
}

io::Report campaign_report(const gen::CampaignOptions& options, const gen::CampaignResult& result,
                           const std::string& minimal_case_path) {
  io::Report report;
  report.command = campaign_command(options);
  report.suites.push_back(campaign_suite(options, result, minimal_case_path));
  report.suites.push_back(coverage_suite(options, result));
  return report;
}

std::string violations_text(const std::vector<properties::Violation>& violations) {
  std::string s;
  for (const auto& v : violations) {
    s += v.invariant + " [" + v.subject + "] " + v.detail +
         (v.known_exception ? " (known exception)" : "") + "\n";
  }
  return s;
}

std::string summary_text(const gen::CampaignOptions& options, const gen::CampaignResult& result,
                         int jobs) {
  std::string s = campaign_command(options) + "\n";
  char line[256];
  const double rate =
      result.elapsed_s > 0 ? static_cast<double>(result.cases_run) / result.elapsed_s : 0.0;
  std::snprintf(line, sizeof line, "ran %lld of %lld cases in %.1f s (%.0f cases/s, %d jobs)%s\n",
                static_cast<long long>(result.cases_run),
                static_cast<long long>(result.cases_planned), result.elapsed_s, rate, jobs,
                result.stopped_by_time_budget ? ", stopped by the time budget" : "");
  s += line;
  if (!result.known_exception_cases.empty()) {
    s += "known exceptions (reported, not gating unless --strict):";
    for (const auto& [id, n] : result.known_exception_cases) {
      s += " " + id + " in " + num(n) + " cases;";
    }
    s += "\n";
  }
  s += "\n" +
       gen::format_coverage_table(result.coverage, options.gen.projection,
                                  options.gen.profile != gen::ProfileMix::causal) +
       "\n";
  if (result.failure) {
    s += "coverage not gated: the campaign stopped at its first failure\n";
  } else if (!result.coverage_gaps.empty()) {
    s += result.coverage_gate_enforced ? "coverage gate FAILED, never hit:"
                                       : "coverage gate off; never hit:";
    for (gen::CoverageItem i : result.coverage_gaps) s += std::string(" ") + gen::info(i).name;
    s += "\n";
  }
  return s;
}

}  // namespace simcheck::cli
