// The vocabulary of the invariant catalogue: what a check says about one run output.
#pragma once

#include <string>
#include <vector>

#include "model/run_output.h"

namespace simcheck::properties {

// One witnessed breach of an invariant.
struct Violation {
  std::string invariant;  // catalogue id, e.g. "INV-PD-4", "C-1", "LAW-FIRST-TOKEN"
  std::string subject;    // witnessing request / parent / instance id ("" for run-level)
  std::string detail;     // the values involved, e.g. "ttft=1231 > e2e=1221"
  // A breach the spec documents as possible (C-1 on E-FALLBACK, stale-deadline clock step).
  // Reported, but gating only under --strict.
  bool known_exception = false;
};

enum class Status { held, violated, not_applicable };

struct CheckResult {
  std::string id;
  Status status = Status::held;
  std::string not_applicable_reason;  // names the missing field(s)
  std::vector<Violation> violations;  // failures and known exceptions
};

struct CheckOptions {
  bool strict = false;  // known exceptions gate too
};

// True if `r` should fail a gate: a non-exception violation, or any violation under strict.
bool is_gating(const CheckResult& r, const CheckOptions& options);

// Shorthands for check implementations.
CheckResult not_applicable(std::string id, std::string reason);
CheckResult from_violations(std::string id, std::vector<Violation> violations);

using CheckFn = CheckResult (*)(const model::RunOutput&);

struct CheckInfo {
  std::string id;     // "INV-1", ...
  std::string title;  // "Request conservation"
  CheckFn run = nullptr;
  std::string statement;  // the precise predicate (docs/invariants.md has the full entry)
};

// Every check of the catalogue, in docs/invariants.md order.
const std::vector<CheckInfo>& catalogue();

// Runs every check on `out`.
std::vector<CheckResult> check_all(const model::RunOutput& out);

}  // namespace simcheck::properties
