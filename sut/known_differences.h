// Known, explained differences of a BLIS run (docs/oracle.md "Known, explained differences"):
// a gating violation or a difference from the reference that a documented quirk, a spec gap or a
// limit of BLIS's file formats explains. They are listed with their reason, never dropped, and
// gate under --strict. Everything not matched here stays a finding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/run_output.h"
#include "properties/check_result.h"
#include "properties/diff.h"

namespace simcheck::sut {

struct RunPair {
  const model::RunOutput& blis;
  const model::RunOutput& reference;
  // Every violation the catalogue reports on the reference run (known exceptions included).
  const std::vector<properties::Violation>& reference_violations;
};

// The reason a gating violation on BLIS's output is explained, or nullopt:
// * the reference model shows the same breach on the same subject as a known exception (BLIS and
//   the faithful reference agree, and the reference names the quirk);
// * STAT-INJECTED with completed = 0 and injected_requests = the bucket sum (spec gap, below);
// * STAT-MEANS / STAT-PERCENTILES / C-5 / LAW-E2E-COVERS-TOKENS when the reference has a map entry
//   equal to 0 (BLIS writes 0 for "no entry", so a real 0 reads as none);
// * INV-1 short by exactly the reference's pipeline_pending (A12).
std::optional<std::string> explain_violation(const properties::Violation& v, const RunPair& runs);

// The reason a difference from the reference is explained, or nullopt:
// * a reference entry equal to 0 against none in BLIS (the zero-for-none file format);
// * injected_requests when the reference completed nothing and BLIS printed its bucket sum.
std::optional<std::string> explain_difference(const properties::RequestDifference& d,
                                              const RunPair& runs);
std::optional<std::string> explain_counter(const properties::CounterDifference& d,
                                           const RunPair& runs);

}  // namespace simcheck::sut
