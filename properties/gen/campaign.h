// Spec §11 (invariants), §12 (randomness): a property campaign — N generated cases from one
// seed, each simulated and checked, coverage collected, the first failure shrunk to a minimal
// case. A library: it prints nothing and never exits; the CLI passes callbacks.
//
// Determinism: case i of the campaign is a pure function of (seed, i): its rc::Random key and
// generation size are derived from them, nothing else. `--shard k/n` runs the indices
// i ≡ k (mod n), so the shards of one seed partition the unsharded sequence; workers take
// fixed chunks of that sequence and results are merged in index order, so nothing depends on
// `jobs`. Only the time budget (and the elapsed time) depend on the wall clock.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/run_output.h"
#include "properties/check_result.h"
#include "properties/gen/case_gen.h"
#include "properties/gen/coverage.h"

namespace simcheck::gen {

struct CampaignOptions {
  int64_t cases = 20'000;
  uint64_t seed = 1;
  double time_budget_s = 0;  // > 0: stop starting new cases after this many seconds
  int jobs = 1;              // worker threads; <= 0 = hardware concurrency
  int shard_index = 0;       // run global indices i with i % shard_count == shard_index
  int shard_count = 1;
  bool strict = false;  // known exceptions (§11 C-1 on E-FALLBACK, ...) gate too
  CaseGenOptions gen;   // includes the projection era applied to every case
  // Which gating violations make a case fail: empty = any; otherwise only these invariant ids
  // (the historical tests hunt the laws and ignore the formula-equality checks).
  std::vector<std::string> failure_invariants;
  bool shrink = true;
  int64_t max_shrink_tries = 20'000;
  bool coverage_gate = true;
  // Progress, called from the calling thread about 10 times a second: (cases done, planned).
  std::function<void(int64_t, int64_t)> on_progress;
};

// The outcome of simulating and checking one case.
struct CaseVerdict {
  model::RunOutput output;
  std::vector<properties::Violation> failing;  // gating violations that count as failure
  std::vector<properties::Violation> known;    // reported known exceptions (non-gating)
  bool failed() const { return !failing.empty(); }
};

struct CampaignFailure {
  int64_t index = 0;  // global case index (reproduce with campaign_case(options, index))
  model::Case original;
  model::Case minimal;
  CaseVerdict minimal_verdict;
  std::vector<std::string> original_invariants;  // distinct ids failing in the original
  std::vector<std::string> minimal_invariants;   // distinct ids failing in the minimal case
  int64_t shrink_steps = 0;
  int64_t shrink_tries = 0;
  bool shrink_budget_exhausted = false;
};

struct CampaignResult {
  int64_t cases_planned = 0;  // cases of this shard
  int64_t cases_run = 0;      // up to and including the failing case, when there is one
  bool stopped_by_time_budget = false;
  std::optional<CampaignFailure> failure;
  CoverageTable coverage;
  std::vector<CoverageItem> coverage_gaps;  // required items nobody hit (era-aware)
  bool coverage_gate_enforced = true;
  // Known exceptions seen (non-gating unless strict), per invariant id: number of cases.
  std::map<std::string, int64_t> known_exception_cases;
  // Order-independent fingerprint of every case's outcome: equal for equal case sets, and the
  // wrapping sum over the shards of a seed equals the unsharded value.
  uint64_t outcome_digest = 0;
  double elapsed_s = 0;  // wall clock; not part of any deterministic report

  bool coverage_ok() const { return !coverage_gate_enforced || coverage_gaps.empty(); }
  bool passed() const { return !failure && coverage_ok(); }
};

// The generation inputs of global case `index`.
rc::Random case_random(uint64_t seed, int64_t index);
int case_size(uint64_t seed, int64_t index);

// Global case `index` of a campaign, and its shrink tree.
model::Case campaign_case(const CampaignOptions& options, int64_t index);
rc::Shrinkable<model::Case> campaign_shrinkable(const CampaignOptions& options, int64_t index);

// Simulates and checks one case (never throws: a model or check exception becomes a failing
// violation "SIMULATE-EXCEPTION" / "CHECK-EXCEPTION").
CaseVerdict evaluate_case(const model::Case& c, bool strict,
                          const std::vector<std::string>& failure_invariants);

// Throws std::system_error when its worker threads cannot be created (none is left running).
CampaignResult run_campaign(const CampaignOptions& options);

// Distinct invariant ids of a list of violations, sorted.
std::vector<std::string> invariant_ids(const std::vector<properties::Violation>& violations);

}  // namespace simcheck::gen
