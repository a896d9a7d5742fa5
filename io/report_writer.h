// Spec §11 verdicts as machine-readable reports (JSON, JUnit XML) for CI. The report is a neutral
// summary built by the caller (cli/), so io/ does not depend on properties/ and every command
// (`check`, `run`, ...) can fill it the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace simcheck::io {

struct ReportViolation {
  std::string subject;  // request / parent / instance id; "" for run-level
  std::string detail;
  bool known_exception = false;
};

struct ReportCheck {
  std::string id;     // catalogue id, e.g. "C-1"
  std::string title;  // one-line statement
  enum class Status { held, violated, not_applicable } status = Status::held;
  std::string not_applicable_reason;
  bool gating = false;  // fails the gate under the options in force
  std::vector<ReportViolation> violations;
};

// One checked subject (an output file, a generated case, ...).
struct ReportSuite {
  std::string name;
  std::vector<ReportCheck> checks;
  std::vector<std::string> notes;  // e.g. adapter warnings
};

struct Report {
  std::string command;  // e.g. "simcheck check out.json --format blis"
  std::vector<ReportSuite> suites;
};

struct ReportTotals {
  int64_t held = 0, violated = 0, not_applicable = 0, gating = 0;
};
ReportTotals totals(const ReportSuite& suite);

const char* to_string(ReportCheck::Status s);

// {"format": "simcheck-report/1", "command", "suites": [{"name", "totals", "checks": [...]}]},
// deterministic bytes (checks in the given order).
std::string write_report_json(const Report& report);

// JUnit XML: one <testsuite> per suite, one <testcase> per check; a gating violation is a
// <failure>, a non-gating one (known exception) passes with its witnesses in <system-out>, and
// not applicable is <skipped> with its reason.
std::string write_report_junit(const Report& report);

}  // namespace simcheck::io
