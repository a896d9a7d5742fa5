// docs/fuzzing.md "Targets": what each fuzz target asserts about one input, as plain functions
// shared by the libFuzzer entry points (fuzz_*.cpp) and the corpus replay test.
//
// A body returns a Finding: empty when the input behaved (a reader gave a valid value or a clear
// error; a simulated case broke no gating law), else a self-contained description. The entry
// points print it and abort(); the replay test fails with it. Crashes and sanitizer reports need
// no Finding: they stop the process in either harness.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/config.h"
#include "properties/check_result.h"

namespace simcheck::fuzz {

using Finding = std::optional<std::string>;
using Bytes = std::span<const uint8_t>;

// Any bytes -> io::parse_case. An accepted case must pass model::validate_case, be writable,
// and be a fixpoint of the writer: write(read(write(c))) == write(c) (the writer is canonical,
// so equal bytes mean equal cases).
Finding check_case_reader_input(Bytes input);

// Any bytes -> io::parse_run_output (simcheck-run/1). An accepted output must survive the same
// writer fixpoint, and the whole catalogue (properties::check_all) must run on it.
Finding check_run_output_reader_input(Bytes input);

// Any bytes -> io::parse_blis_output, read as the metrics JSON (without and with PD pool sizes)
// and as BLIS stdout. Accepted outputs must go through properties::check_all.
Finding check_blis_metrics_reader_input(Bytes input);

// The BLIS trace target's input is the YAML header and the CSV in one buffer, separated by the
// first line that is exactly kBlisTraceSeparator; without it the whole input is the CSV and
// the header is empty.
inline constexpr const char* kBlisTraceSeparator = "=====CSV=====";
// Accepted traces must be a fixpoint of the writers; what io::to_trace_requests accepts must be
// sorted by arrival with L >= 1, N >= 1 and prefixes within prompts, and validate_case must run
// on it (it may still reject it for a size cap).
Finding check_blis_trace_reader_input(Bytes input);

// Any bytes -> io::parse_blis_debug_log (BLIS's --log debug stream). An accepted timeline is put
// on a four-instance run (io::apply_blis_timeline) and the whole catalogue must run on it; a
// rejection must say what is wrong.
Finding check_blis_debug_log_input(Bytes input);

// The verdict of the catalogue on one simulated case.
struct CaseVerdict {
  bool gating = false;
  std::vector<std::string> gating_checks;  // ids of the checks that gate, catalogue order
  std::string report;                      // one line per gating violation
};

// model::simulate + properties::check_all + properties::is_gating.
CaseVerdict simulate_and_check(const model::Case& c, const properties::CheckOptions& options);

struct SimulateCheckOptions {
  model::ProjectionEra projection = model::ProjectionEra::current;
  bool strict = false;  // known exceptions gate too
  // Record the per-instance event log, so that INV-3, INV-4 and INV-8 are checked at every event
  // boundary (they are not applicable without it). Off roughly doubles the execution rate.
  bool record_events = true;
};

// Fuzzer bytes -> decode_case (always a valid case) with `options.projection` -> simulate ->
// check_all. Any gating violation is a finding; its text holds the case as simcheck-case/1 JSON,
// ready to be saved under corpus/regressions/.
Finding check_simulate_input(Bytes input, const SimulateCheckOptions& options);

// Every target by name (the corpus/fuzz/<name>/ directory and the fuzz_<name> executable), with
// its body under the default options, for the replay test.
struct TargetBody {
  std::string name;
  Finding (*run)(Bytes input);
};
const std::vector<TargetBody>& target_bodies();

}  // namespace simcheck::fuzz
