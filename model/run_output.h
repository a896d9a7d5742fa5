// Spec §10.6: the run output consumed by the checkers. The reference model fills every field;
// other simulators' outputs are read into the same type and leave absent what they cannot
// provide (std::optional / empty), so a check can say "not applicable: <field> missing".
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/config.h"
#include "model/id_map.h"

namespace simcheck::model {

enum class Role { none, prefill, decode };
enum class RequestState { queued, running, completed, timed_out, waiting_for_remote_kvs };

// §10.1 requests_meta entry.
struct RequestMeta {
  double arrived_at_s = 0;  // arrival / 1e6
  int64_t num_prefill_tokens = 0;
  int64_t num_decode_tokens = 0;
  std::string handled_by;
  bool length_capped = false;
};

// §10.1 maps keyed by request id. IdMap keeps keys sorted (§0, §10.6) in one vector (id_map.h).
struct MetricMaps {
  IdMap<double> ttft;
  IdMap<double> e2e;
  IdMap<double> itl_avg;
  IdMap<int64_t> sched_delay;
  // Absent for sources that do not report it (BLIS).
  std::optional<IdMap<double>> completion_time;
  IdMap<RequestMeta> requests_meta;
};

// §10.1 counters. Fields some external source cannot give are optional.
struct Counters {
  int64_t completed = 0;
  int64_t still_queued = 0;
  int64_t still_running = 0;
  int64_t dropped_unservable = 0;
  int64_t timed_out = 0;
  int64_t length_capped_count = 0;
  int64_t preemption_count = 0;
  std::optional<int64_t> kv_allocation_failures;
  int64_t total_input_tokens = 0;
  int64_t total_output_tokens = 0;
  std::optional<int64_t> ttft_sum;
  std::optional<int64_t> sim_ended;
  std::optional<int64_t> peak_kv_used;
  std::optional<double> kv_used_integral;
  double cache_hit_rate = 0;
  std::optional<int64_t> cache_hits;
  std::optional<int64_t> cache_misses;
};

// §10.5 summary statistics.
struct Statistics {
  double ttft_mean_ms = 0, ttft_p90_ms = 0, ttft_p95_ms = 0, ttft_p99_ms = 0;
  double e2e_mean_ms = 0, e2e_p90_ms = 0, e2e_p95_ms = 0, e2e_p99_ms = 0;
  double itl_mean_ms = 0, itl_p90_ms = 0, itl_p95_ms = 0, itl_p99_ms = 0;
  double scheduling_delay_p99_ms = 0;
  double responses_per_sec = 0;
  double tokens_per_sec = 0;
  int64_t injected_requests = 0;
};

// Event kinds of §4.1 (instance queue); step_end is Addendum C's Δ1 (causal profile only).
enum class EventKind { arrival, queued, step, scheduled, request_left, timeout, step_end };

// One processed instance event (§10.6, optional log), with the instance's state right after it,
// so that INV-3, INV-4 and INV-8 can be checked at every event boundary.
struct EventRecord {
  int64_t time = 0;
  EventKind kind = EventKind::step;
  std::string request_id;  // empty for STEP
  int64_t wait_queue_len = 0;
  int64_t running_len = 0;
  int64_t steps_pending = 0;     // 0 or 1 (INV-8)
  int64_t kv_free_count = 0;     // free-list length
  int64_t kv_in_use_blocks = 0;  // |{b : in_use}|
  int64_t kv_ref_sum = 0;        // Σ_b ref(b)
  int64_t kv_owned_sum = 0;      // Σ_r |owner[r]|
  int64_t adv = 0;               // STEP only: the step's advance (Addendum C Δ8); 0 otherwise
};

// One executed step of an instance (Addendum C §C4, laws about steps). Any simulator that can
// say when its steps ran fills these; the reference model fills them with config.record_events.
struct StepRecord {
  int64_t start = 0;               // s
  int64_t end = 0;                 // s + adv: when the step's compute finished
  std::vector<std::string> batch;  // requests with num_new > 0 in this step, batch order
  int64_t tokens = 0;              // Σ num_new over the batch (tokens scheduled)
};

// When one request's phases happened on one instance, absolute µs on the simulator's clock;
// -1 = did not happen (or the source cannot tell). Sub-requests of a PD parent have their own
// entries on their own instances.
struct RequestPhaseTimes {
  int64_t enqueued = -1;              // joined the wait queue (QUEUED, or ENQUEUE_DECODE)
  int64_t first_scheduled = -1;       // first admitted into a batch (start of that step)
  int64_t first_token_step_end = -1;  // end of the step that produced its first token (no OTP)
  int64_t last_token_step_end = -1;   // end of the step that produced its last token (no OTP)
  int64_t left = -1;                  // REQUEST_LEFT (completion as the instance saw it)
  int64_t timed_out = -1;             // TIMEOUT processed
  int64_t preemptions = 0;
  // Decode sub-requests of a PD parent: whose KV they received (the prefill sub-request's id)
  // and when that transfer started and completed; empty / -1 otherwise.
  std::string kv_from;
  int64_t kv_transfer_start = -1;
  int64_t kv_transfer_complete = -1;
};

// Where every request that reached an instance stands at the end (INV-2).
struct FinalRequestState {
  RequestState state = RequestState::queued;
  int64_t pi = 0;
  int64_t kv_blocks_owned = 0;
};

struct InstanceOutput {
  std::string id;
  Role role = Role::none;
  Counters counters;  // before projection
  MetricMaps maps;    // before projection
  std::optional<std::vector<int64_t>> all_itls;
  std::optional<std::vector<int64_t>> step_counters;
  std::optional<Statistics> statistics;  // per-instance summary (§10.5)
  int64_t kv_total_blocks = 0;
  int64_t kv_used_at_end = 0;
  std::vector<std::string> wait_queue_at_end;  // ids, queue order
  std::vector<std::string> running_at_end;     // ids, batch order
  IdMap<FinalRequestState> final_states;
  std::optional<std::vector<EventRecord>> events;  // only with config.record_events
  // Step log and per-request phase times (Addendum C, laws about steps); absent when the source
  // cannot provide them. The reference model fills both with config.record_events.
  std::optional<std::vector<StepRecord>> steps;
  std::optional<IdMap<RequestPhaseTimes>> phase_times;
};

// §10.2-§10.5: the cluster aggregate after correction and projection.
struct Aggregate {
  Counters counters;
  MetricMaps maps;
  std::optional<std::vector<int64_t>> all_itls;
  std::optional<std::vector<int64_t>> step_counters;
  Statistics statistics;
};

// §10.6 cluster counters (pipeline_pending is the reference model's extension, A12).
struct ClusterCounters {
  int64_t trace_requests = 0;
  int64_t arrived = 0;
  int64_t rejected = 0;
  int64_t routing_rejections = 0;
  int64_t pipeline_pending = 0;
  int64_t trace_beyond_horizon = 0;  // trace requests with arrival > horizon
};

// §10.6 PD counters.
struct PdCounters {
  int64_t transfers_initiated = 0;
  int64_t transfers_completed = 0;
  int64_t pd_prefill_completed = 0;
  int64_t pd_decode_completed = 0;
  int64_t pd_decode_timed_out = 0;
  int64_t dropped_at_decode_kv = 0;
  int64_t pending_decode_at_end = 0;
  int64_t pd_in_transfer = 0;
  int64_t active_transfers_at_end = 0;
  int64_t peak_concurrent_transfers = 0;
  int64_t transfer_depth_sum = 0;
  int64_t transfer_start_count = 0;
  bool contention_corrupted = false;
};

// §9.8 outcome of a disaggregated parent.
enum class ParentOutcome {
  prefill_dropped,
  prefill_timed_out,
  prefill_pending,  // prefill sub-request still queued/running (or in the pipeline) at the end
  dropped_at_start,
  in_transfer,
  late_drop,
  decode_pending,
  decode_completed,
  decode_timed_out,
};

// §10.4 branches taken by the projection for one parent.
// decode (T-DECODE, E-DECODE) and timeout (E-TIMEOUT) are the causal profile's branches (Δ7).
enum class TtftBranch {
  none,
  primary,
  fallback,
  negative,
  decode
};  // none = T-NONE or not completed
enum class E2eBranch { none, primary, preempted, fallback, negative, decode, timeout };

// The decode sub-request's final state as seen in the parent record (§10.6).
struct DecodeSubRecord {
  RequestState state = RequestState::waiting_for_remote_kvs;
  int64_t pi = 0;
  int64_t first_token_time = 0;
  std::vector<int64_t> itl;
};

// §9.1 parent record plus the §10.6 extensions.
struct ParentRecord {
  Id id, prefill_id, decode_id;
  int64_t input_len = 0;   // L of the original request
  int64_t output_len = 0;  // N of the original request
  int64_t num_kv_blocks = 0;
  int64_t arrival = 0;
  std::string decode_instance;
  std::string prefill_instance;
  int64_t prefill_enqueue_time = 0;
  int64_t prefill_complete_time = 0;
  int64_t transfer_start_time = 0;
  int64_t transfer_complete_time = 0;
  int64_t decode_enqueue_time = 0;
  int64_t completion_time = 0;
  int64_t decode_detect_tick = 0;
  std::optional<DecodeSubRecord> decode_sub;  // null = never reserved, or cleared by a drop
  int64_t active_at_start = 0;                // transfer divisor used (1 without contention)
  ParentOutcome outcome = ParentOutcome::prefill_pending;
  bool completed = false;  // the §10.4 flag
  // Addendum C Δ7/Δ8 (causal profile): completed and the decode produced a first token that
  // reached the client. Always false under the faithful profile.
  bool served = false;
  TtftBranch ttft_branch = TtftBranch::none;
  E2eBranch e2e_branch = E2eBranch::none;
};

// The trace as simulated (materialised), without token contents.
struct TraceEntry {
  std::string id;
  int64_t arrival = 0;
  int64_t input_len = 0;
  int64_t output_len = 0;
  int64_t max_output_len = 0;
  int64_t deadline = 0;
};

struct RunOutput {
  std::string source = "simcheck";  // producer: "simcheck", "blis", ...
  std::optional<int64_t> seed;
  std::optional<Config> config;
  std::optional<std::vector<TraceEntry>> trace;
  std::vector<InstanceOutput> instances;
  Aggregate aggregate;
  std::optional<ClusterCounters> cluster;
  std::optional<PdCounters> pd;
  std::optional<std::vector<ParentRecord>> parents;
  // Non-fatal diagnostics the model emitted (e.g. "pd_in_transfer < 0"), sorted by occurrence.
  std::vector<std::string> warnings;

  // --- Extensions for outputs read from other simulators (docs/oracle.md); the reference model
  // leaves both empty. ---
  // Fields this type has a non-optional slot for but the source does not report, as paths from
  // the list in docs/oracle.md ("instances.maps", "instances.end_state", "instances.role",
  // "instances.counters.cache_hit_rate", "aggregate.maps.sched_delay", "pd.transfers", ...). A
  // check that reads one of them is "not applicable: <path> not reported", never "violated".
  std::set<std::string> missing_fields;
  // The source's per-request records in the order it listed them (BLIS's `requests[]`), one id
  // per record, duplicates kept: the maps above merge duplicates, a one-record-per-request check
  // must see them.
  std::optional<std::vector<std::string>> request_record_ids;
};

const char* to_string(Role v);
const char* to_string(RequestState v);
const char* to_string(EventKind v);
const char* to_string(ParentOutcome v);
const char* to_string(TtftBranch v);
const char* to_string(E2eBranch v);
bool parse(const std::string& s, Role& out);
bool parse(const std::string& s, RequestState& out);
bool parse(const std::string& s, EventKind& out);
bool parse(const std::string& s, ParentOutcome& out);
bool parse(const std::string& s, TtftBranch& out);
bool parse(const std::string& s, E2eBranch& out);

}  // namespace simcheck::model
