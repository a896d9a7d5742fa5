// Spec §10.6: field-based applicability of the catalogue on partial outputs (coverage.h).
#include "properties/coverage.h"

#include <map>
#include <set>

#include "properties/checks.h"

namespace simcheck::properties {
namespace {

// Every §10.6 PD counter, by its missing_fields path.
#define SIMCHECK_PD_COUNTERS                                                              \
  "pd.transfers_initiated", "pd.transfers_completed", "pd.pd_prefill_completed",          \
      "pd.pd_decode_completed", "pd.pd_decode_timed_out", "pd.dropped_at_decode_kv",      \
      "pd.pending_decode_at_end", "pd.pd_in_transfer", "pd.active_transfers_at_end",      \
      "pd.peak_concurrent_transfers", "pd.transfer_depth_sum", "pd.transfer_start_count", \
      "pd.contention_corrupted"

// Check id -> the fields it reads that have a non-optional slot in RunOutput (so a partial
// source would hand it defaults). Optional inputs (config, parents, events, all_itls, ...) are
// not listed: the checks already say "not applicable" when those are absent.
const std::map<std::string, std::vector<std::string>>& inputs_table() {
  static const std::map<std::string, std::vector<std::string>> kTable = {
      {"INV-1", {"aggregate.counters"}},
      {"INV-1-PD", {SIMCHECK_PD_COUNTERS}},
      {"INV-2", {"instances", "instances.end_state", "aggregate.counters"}},
      {"INV-3", {"instances"}},
      {"LAW-END-TIME", {"instances"}},
      {"INV-4", {"instances", "instances.end_state"}},
      {"INV-5", {"aggregate.maps", "aggregate.maps.sched_delay"}},
      {"INV-8", {"instances"}},
      {"INV-PD-2", {"instances", "instances.role", "aggregate.maps.requests_meta.handled_by"}},
      {"INV-PD-3", {SIMCHECK_PD_COUNTERS}},
      {"INV-PD-5", {"instances", "instances.role"}},
      {"INV-PD-6", {"aggregate.maps"}},
      {"INV-P2-2", {SIMCHECK_PD_COUNTERS}},
      {"C-1", {"aggregate.maps"}},
      {"C-2", {"aggregate.maps", "instances.maps"}},
      // Without knowing whether the run is PD, or without the decode-timeout and drop counters,
      // |keys(e2e)| has only bounds: REQ-E2E-COUNT-BOUNDS checks them.
      {"C-3",
       {"pd", "aggregate.maps", "aggregate.counters", "pd.pd_decode_timed_out",
        "pd.dropped_at_decode_kv"}},
      {"C-5", {"aggregate.maps", "instances.maps"}},
      // A PD parent shows one token step fewer than a non-PD request (A18): the non-PD form of
      // the law must not be applied to a run that may be PD.
      {"LAW-E2E-COVERS-TOKENS",
       {"pd", "aggregate.maps", "aggregate.maps.requests_meta.length_capped"}},
      {"LAW-TOKEN-COUNTS",
       {"instances", "instances.maps", "aggregate.maps.requests_meta.length_capped"}},
      {"STAT-MEANS", {"aggregate.maps", "aggregate.statistics"}},
      {"STAT-PERCENTILES",
       {"aggregate.maps", "aggregate.maps.sched_delay", "aggregate.statistics"}},
      {"STAT-RATES", {"aggregate.statistics", "aggregate.counters"}},
      {"STAT-INJECTED", {"aggregate.statistics", "aggregate.counters"}},
      {"REQ-ONE-RECORD", {"aggregate.maps"}},
      {"AGG-SUM-OF-INSTANCES",
       {"instances", "instances.maps", "instances.counters.cache_hit_rate", "aggregate.counters",
        "aggregate.counters.cache_hit_rate", "pd.pd_prefill_completed", "pd.dropped_at_decode_kv",
        "pd.pd_in_transfer"}},
  };
  return kTable;
}

}  // namespace

namespace {

// The entry of run.missing_fields that covers `path` (itself or an ancestor), if any.
std::optional<std::string> missing_entry(const model::RunOutput& run, const std::string& path) {
  if (run.missing_fields.empty()) return std::nullopt;
  for (std::size_t dot = 0;; ++dot) {
    dot = path.find('.', dot);
    std::string prefix = path.substr(0, dot);
    if (run.missing_fields.count(prefix)) return prefix;
    if (dot == std::string::npos) return std::nullopt;
  }
}

}  // namespace

bool is_reported(const model::RunOutput& run, const std::string& path) {
  return !missing_entry(run, path);
}

std::optional<std::string> unreported_input(const std::string& check_id,
                                            const model::RunOutput& run) {
  if (run.missing_fields.empty()) return std::nullopt;
  auto it = inputs_table().find(check_id);
  if (it == inputs_table().end()) return std::nullopt;
  for (const std::string& path : it->second) {
    if (auto entry = missing_entry(run, path)) return entry;
  }
  return std::nullopt;
}

const std::vector<CheckInfo>& partial_output_checks() {
  static const std::vector<CheckInfo> kChecks = {
      {"REQ-RECORD-IDS", "One record per request id", &check_record_ids,
       "Every per-request record the source listed (RunOutput::request_record_ids, e.g. BLIS's "
       "requests[]) names a different request."},
      {"REQ-E2E-COUNT-BOUNDS", "E2E entries within the completion bounds", &check_e2e_count_bounds,
       "When C-3 cannot apply (PD-ness or the PD counters unreported): completed <= |keys(e2e)| "
       "<= completed + timed_out + dropped_unservable (every completion has an E2E; only decode "
       "timeouts and drops at transfer start add parent entries, §10.4)."},
      {"AGG-REPORTED-SUMS", "Aggregate = instances combined, on the reported counters",
       &check_reported_sums,
       "When AGG-SUM-OF-INSTANCES cannot apply: every §10.2 sum or maximum whose terms are all "
       "reported holds exactly; with an unreported non-negative §10.3 correction it is a bound "
       "(completed <= sum, or = sum - pd_prefill_completed when known; dropped_unservable >= sum; "
       "still_running >= sum)."},
  };
  return kChecks;
}

std::vector<CheckInfo> reported_catalogue() {
  std::vector<CheckInfo> all = catalogue();
  std::set<std::string> ids;
  for (const auto& c : all) ids.insert(c.id);
  for (const auto& c : partial_output_checks()) {
    if (!ids.count(c.id)) all.push_back(c);
  }
  return all;
}

std::vector<CheckResult> check_all_reported(const model::RunOutput& run) {
  std::vector<CheckResult> results;
  for (const CheckInfo& c : reported_catalogue()) {
    if (auto path = unreported_input(c.id, run)) {
      results.push_back(not_applicable(c.id, *path + " not reported"));
    } else {
      results.push_back(c.run(run));
    }
  }
  return results;
}

}  // namespace simcheck::properties
