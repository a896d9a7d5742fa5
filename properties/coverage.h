// Spec §10.6 ("other simulators ... leave absent what they cannot provide"): field-based
// applicability for partial run outputs. A check whose inputs the source does not report
// (RunOutput::missing_fields, docs/oracle.md) is "not applicable: <path> not reported" instead of
// being run on the type's default values (a zero where the source said nothing).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/run_output.h"
#include "properties/check_result.h"

namespace simcheck::properties {

// True unless `path` or one of its ancestors ("aggregate.maps" for "aggregate.maps.ttft") is in
// run.missing_fields.
bool is_reported(const model::RunOutput& run, const std::string& path);

// The missing_fields entry covering the first input of check `check_id` that `run` does not
// report (the input or its ancestor, e.g. "pd" for "pd.transfers_initiated"), or nullopt. Checks
// not in the table (docs/oracle.md lists it) read only optional fields or honour missing_fields
// themselves.
std::optional<std::string> unreported_input(const std::string& check_id,
                                            const model::RunOutput& run);

// The checks simcheck adds for partial outputs (properties/check_record_ids.cpp,
// check_e2e_count_bounds.cpp, check_reported_sums.cpp).
CheckResult check_record_ids(const model::RunOutput& run);        // REQ-RECORD-IDS
CheckResult check_e2e_count_bounds(const model::RunOutput& run);  // REQ-E2E-COUNT-BOUNDS
CheckResult check_reported_sums(const model::RunOutput& run);     // AGG-REPORTED-SUMS
const std::vector<CheckInfo>& partial_output_checks();

// Every check of the catalogue (plus partial_output_checks() not already in it), each either run
// or, when an input is unreported, not applicable with that input named. For an output with an
// empty missing_fields this equals check_all plus the partial-output checks.
std::vector<CheckResult> check_all_reported(const model::RunOutput& run);
// The CheckInfo of every result of check_all_reported, in the same order.
std::vector<CheckInfo> reported_catalogue();

}  // namespace simcheck::properties
