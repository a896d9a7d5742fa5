// Spec §2 (configuration), §13 (quirk switches), Appendix A (projection eras).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace simcheck::model {

inline constexpr int64_t kNoHorizon = std::numeric_limits<int64_t>::max();

enum class EmptyStepRule { one, beta0 };
enum class RoutingPolicy { round_robin, least_loaded };
enum class LeastLoadedTiebreak { first, random };
enum class PdDecider { never, always };
// cluster = §8.3 (the BLIS CLI path); standalone = §4.2 (one instance, no cluster layer).
enum class Driver { cluster, standalone };
// Addendum C: faithful = v1 as written (BLIS's quirks included); causal = v1 plus the rule
// deltas Δ1–Δ9, under which the laws of §C4 hold strictly.
enum class TimeProfile { faithful, causal };

// The metric projection in force (spec §10.4 = `current`; Appendix A = the others). Historical
// eras exist so that the campaign can prove it catches the bugs simcheck was born from.
enum class ProjectionEra {
  current,   // since #1514
  pre_1514,  // #1512 -> #1514: current TTFT, E2E = CT - arrival, completion_time = CT
  pre_1512,  // #931 -> #1512: TTFT = pt + transfer + itl0 (double OTP, no decode wait)
  pre_931,   // #846 -> #931: TTFT = pt, E2E = CT - arrival (CT = clock + P)
  pre_846,   // #840 -> #846: as pre_931 but CT = detection clock (no P)
};

// Every "faithful quirk" of spec §13 lives here, one switch each, default = what the spec (and
// BLIS) does. A future "causal" profile flips them; nothing else in model/ may special-case them.
struct Quirks {
  // §4.2 / A11: the standalone driver executes the first event past the horizon before stopping.
  bool standalone_runs_event_past_horizon = true;
  // §6.3, §7.4 / A7: an empty PREFILL range claims no cached blocks (zero-new-token admission).
  bool empty_range_claims_nothing = true;
  // §8.5 / A6: one routing-policy object (one round-robin counter) serves both PD pools.
  bool shared_pd_routing_policy = true;
  // §9.4, §9.7 / A5: completions are detected at the start of the finishing step.
  bool detect_completion_at_step_start = true;
  // §7.9, §9.7 / A4: a decode TIMEOUT may be scheduled before the enqueue time (clock steps back).
  bool stale_decode_deadline = true;
  // §10.4 / A1: dropped and timed-out PD parents count as "completed" (get parent-keyed entries).
  bool dropped_parent_counts_completed = true;
  // §6.3 / A17: a decode block that fills by top-up gets a content key.
  bool decode_topup_block_keyed = true;
};

struct Config {
  int64_t horizon_us = kNoHorizon;
  int num_instances = 1;
  int64_t total_kv_blocks = 1'000'000;
  int64_t block_size_tokens = 16;
  int64_t max_num_seqs = 256;
  int64_t max_num_batched_tokens = 2048;
  int64_t long_prefill_token_threshold = 0;
  int64_t max_model_len = 0;
  std::array<double, 3> alpha{0.0, 0.0, 0.0};
  std::array<double, 3> beta{0.0, 0.0, 0.0};
  int64_t post_decode_fixed_overhead_us = 0;
  EmptyStepRule empty_step_rule = EmptyStepRule::one;
  int64_t admission_latency_us = 0;
  int64_t routing_latency_us = 0;
  RoutingPolicy routing_policy = RoutingPolicy::round_robin;
  LeastLoadedTiebreak least_loaded_tiebreak = LeastLoadedTiebreak::first;
  // admission_policy: only "always-admit" exists in v1, so it carries no field.
  int prefill_instances = 0;
  int decode_instances = 0;
  PdDecider pd_decider = PdDecider::never;
  double pd_transfer_bandwidth_gbps = 25.0;
  double pd_transfer_base_latency_ms = 0.05;
  bool pd_transfer_contention = false;
  double kv_bytes_per_token = 0.0;  // required (> 0) when PD is enabled

  // Extensions (not in §2): which driver, which projection era, which quirks, and whether to
  // record the per-instance processed-event log (§10.6, optional).
  Driver driver = Driver::cluster;
  // Addendum C §C0. The causal profile needs the processed-event log (Δ8): simulate() turns
  // record_events on for it (docs/model.md, resolved ambiguities).
  TimeProfile time_profile = TimeProfile::faithful;
  ProjectionEra projection = ProjectionEra::current;
  Quirks quirks{};
  bool record_events = false;

  bool pd_enabled() const { return prefill_instances > 0 || decode_instances > 0; }
  bool causal() const { return time_profile == TimeProfile::causal; }
};

// Canonical spellings used by every format (case JSON, run output, CLI flags).
const char* to_string(EmptyStepRule v);
const char* to_string(RoutingPolicy v);
const char* to_string(LeastLoadedTiebreak v);
const char* to_string(PdDecider v);
const char* to_string(Driver v);
const char* to_string(ProjectionEra v);
const char* to_string(TimeProfile v);

// Parse a canonical spelling; false if `s` is not one.
bool parse(const std::string& s, EmptyStepRule& out);
bool parse(const std::string& s, RoutingPolicy& out);
bool parse(const std::string& s, LeastLoadedTiebreak& out);
bool parse(const std::string& s, PdDecider& out);
bool parse(const std::string& s, Driver& out);
bool parse(const std::string& s, ProjectionEra& out);
bool parse(const std::string& s, TimeProfile& out);

}  // namespace simcheck::model
