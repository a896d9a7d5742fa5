// `simcheck run --sut blis --sut-bin PATH ...` (sut/sut_campaign.h, docs/oracle.md "Campaigns
// against BLIS"): the command-line side — flags, progress, the final table, saved findings,
// reports and the exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace simcheck::cli {

struct RunSutArgs {
  std::string sut;  // "blis"
  std::string sut_bin;
  std::vector<std::string> sut_args;  // extra BLIS flags (replace the defaults)
  double sut_timeout_s = 60;
  int64_t cases = 200;
  uint64_t seed = 1;
  int jobs = 1;
  double time_budget_s = 0;
  bool strict = false;
  bool no_diff = false;
  bool no_shrink = false;
  int64_t max_shrink_runs = 300;
  int max_findings = 10;
  int max_requests = 16;
  int max_instances = 8;
  bool no_pd = false;  // for simulators without prefill/decode disaggregation
  std::string corpus_dir = "corpus/found-blis";
  std::vector<std::string> report;  // {kind, path}
  std::string progress = "auto";    // auto | always | never
  double progress_interval_s = 10;
};

int run_sut_command(const RunSutArgs& args);

}  // namespace simcheck::cli
