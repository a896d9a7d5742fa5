// `simcheck run --sut blis`: a property campaign against a real simulator. Each generated case
// inside what BLIS can express (sut/blis_cases.h) is run through BLIS (sut/blis_sut.h) and
// through the reference model; BLIS's output is checked against the catalogue, including the
// timeline laws on its own step log, and diffed against the reference. Every distinct finding
// (a gating invariant, a differing metric, a BLIS crash) is shrunk *through BLIS* — each shrink
// step re-runs BLIS — to a minimal case that BLIS reproduces.
//
// A library: it prints nothing and never exits; the CLI passes a progress callback.
// Determinism: case i is a pure function of (seed, i); outcomes are merged in index order and
// findings are shrunk one after the other, so nothing depends on `jobs` except timing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/case.h"
#include "properties/check_result.h"
#include "properties/diff.h"
#include "properties/gen/case_gen.h"
#include "sut/blis_cases.h"
#include "sut/blis_sut.h"

namespace simcheck::sut {

struct SutCampaignOptions {
  int64_t cases = 200;
  uint64_t seed = 1;
  int jobs = 1;
  double time_budget_s = 0;  // > 0: stop starting cases after this many seconds
  bool strict = false;       // known exceptions (explained by a quirk) gate too
  bool diff = true;          // compare with the reference model
  bool shrink = true;
  int64_t max_shrink_runs = 300;  // BLIS runs per finding
  int max_findings = 10;          // distinct findings shrunk and saved
  std::string work_dir;           // per-case directories are created and removed under it
  BlisSutOptions sut;
  BlisCaseOptions blis;
  gen::CaseGenOptions gen;
  // Called from the calling thread about every 200 ms: (cases done, planned, failing so far).
  std::function<void(int64_t, int64_t, int64_t)> on_progress;
};

// One case through BLIS and the reference.
struct SutVerdict {
  bool expressible = true;      // false: the export found no BLIS equivalent (not run)
  std::string not_expressible;  // why
  std::string sut_failure;      // BLIS crashed, timed out or wrote unreadable output
  std::vector<properties::Violation> failing;  // gating violations on BLIS's output
  std::vector<properties::Violation> known;    // explained by a quirk (non-gating)
  properties::DiffResult diff;
  std::vector<std::string> argv;  // how BLIS was run (paths relative to its directory)
  double sut_wall_s = 0;          // BLIS's own run time
  double check_s = 0;             // simcheck's time: reference model, reading, checks, diff
  // Sorted distinct finding keys: invariant ids, "DIFF:<metric>", "DIFF:counter:<name>",
  // "SUT-FAILED".
  std::vector<std::string> findings;
  bool failed() const { return !findings.empty(); }
};

// Runs case `c` through BLIS in `dir` (created if missing, left in place) and the reference.
SutVerdict evaluate_sut_case(const model::Case& c, const SutCampaignOptions& options,
                             const std::string& dir);

// Judges a BLIS run recorded in `dir` (metrics.json, stdout.txt, stderr.txt; corpus/blis/) for
// case `c` exactly as evaluate_sut_case judges a live one, without running BLIS.
SutVerdict judge_recorded_blis_run(const model::Case& c, const std::string& dir,
                                   const SutCampaignOptions& options);

struct SutFinding {
  std::string key;    // the finding key being shrunk (e.g. "LAW-TL-KV-READY", "DIFF:ttft")
  int64_t index = 0;  // first case that showed it
  int64_t cases_showing = 0;
  model::Case original;
  model::Case minimal;
  SutVerdict minimal_verdict;
  int64_t shrink_steps = 0, shrink_runs = 0;
  bool shrink_budget_exhausted = false;
};

struct SutCampaignResult {
  int64_t cases_planned = 0;
  int64_t cases_run = 0;  // attempted (expressible or not)
  int64_t cases_expressible = 0;
  int64_t cases_failed = 0;
  bool stopped_by_time_budget = false;
  std::map<std::string, int64_t> not_expressible;   // reason -> cases
  std::map<std::string, int64_t> finding_cases;     // finding key -> cases showing it
  std::map<std::string, int64_t> known_cases;       // invariant id -> cases with a known exception
  std::map<std::string, std::string> known_reason;  // invariant id -> one explanation seen
  std::vector<SutFinding> findings;                 // shrunk, by key
  double sut_wall_s = 0;                            // sum of BLIS's run times
  double check_s = 0;                               // sum of simcheck's per-case times
  double elapsed_s = 0;
  bool passed() const { return cases_failed == 0; }
};

// The recipe and case of global case `index`.
gen::CaseRecipe sut_case_recipe(const SutCampaignOptions& options, int64_t index);
model::Case sut_case(const SutCampaignOptions& options, int64_t index);

SutCampaignResult run_sut_campaign(const SutCampaignOptions& options);

}  // namespace simcheck::sut
