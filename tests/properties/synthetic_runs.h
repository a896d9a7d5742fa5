// Hand-built run outputs consistent with every invariant, from the spec's worked examples
// (Appendix B.1: one request on one instance; B.2: the same request disaggregated). Every number
// is hand-computed from the spec's formulas; the arithmetic is in the comments. Tests mutate
// copies of these to show that each check can fail.
#pragma once

#include <string>
#include <vector>

#include "model/run_output.h"

namespace simcheck::testing {

using namespace simcheck::model;

// One processed-event record with the instance state right after it.
inline EventRecord ev(int64_t time, EventKind kind, std::string id, int64_t wq, int64_t run,
                      int64_t pending, int64_t free, int64_t in_use) {
  EventRecord e;
  e.time = time;
  e.kind = kind;
  e.request_id = std::move(id);
  e.wait_queue_len = wq;
  e.running_len = run;
  e.steps_pending = pending;
  e.kv_free_count = free;
  e.kv_in_use_blocks = in_use;
  e.kv_ref_sum = in_use;  // no shared (prefix-cached) blocks in these runs: one ref per block
  e.kv_owned_sum = in_use;
  return e;
}

// Appendix B common configuration: alpha = [100, 1, 10] (OTP = 10), beta = [1000, 2, 50], P = 0,
// B = 16, T = 1000, latencies 0, no horizon, cluster driver.
inline Config appendix_b_config() {
  Config c;
  c.alpha = {100, 1, 10};
  c.beta = {1000, 2, 50};
  c.block_size_tokens = 16;
  c.total_kv_blocks = 1000;
  c.record_events = true;
  return c;
}

// Request A: arrival 0, L = 20, N = 3.
inline std::vector<TraceEntry> appendix_b_trace(int64_t deadline = 0) {
  TraceEntry a;
  a.id = "A";
  a.arrival = 0;
  a.input_len = 20;
  a.output_len = 3;
  a.max_output_len = 3;
  a.deadline = deadline;
  return {a};
}

inline RequestMeta meta(double arrived_s, int64_t L, int64_t N, std::string handled_by) {
  RequestMeta m;
  m.arrived_at_s = arrived_s;
  m.num_prefill_tokens = L;
  m.num_decode_tokens = N;
  m.handled_by = std::move(handled_by);
  return m;
}

// B.1. Events on instance_0:
//   0    ARRIVAL(A): QT = trunc(100 + 1*20) = 120 -> QUEUED at 120
//   120  QUEUED(A): wait queue [A], STEP scheduled
//   120  STEP: admit A, ceil_div(20,16) = 2 blocks, sched_delay = 120,
//        adv = trunc(1000 + 2*20) = 1040, ttft = 120 + 1040 + 10 = 1170, next STEP 1160
//   120  SCHEDULED(A)
//   1160 STEP: decode (top-up, no new block), adv = trunc(1000 + 50*1) = 1050, itl [1060]
//   2210 STEP: decode, pi = 22 >= 20 + 3 - 1 -> complete, release 2 blocks,
//        REQUEST_LEFT at 2210 + 1050 = 3260; e2e = 1170 + 1060 + 1060 = 3290
//   3260 REQUEST_LEFT(A)
inline RunOutput b1_run() {
  RunOutput r;
  r.source = "simcheck";
  r.seed = 42;
  r.config = appendix_b_config();
  r.trace = appendix_b_trace();

  InstanceOutput i0;
  i0.id = "instance_0";
  i0.role = Role::none;
  Counters& c = i0.counters;
  c.completed = 1;
  c.kv_allocation_failures = 0;
  c.total_input_tokens = 20;
  c.total_output_tokens = 3;  // k = (22 - 20) + 1
  c.ttft_sum = 1170;
  c.sim_ended = 3260;
  c.peak_kv_used = 2;
  c.kv_used_integral = 6280.0;  // 2*1040 + 2*1050 + 2*1050
  c.cache_hit_rate = 0.0;
  c.cache_hits = 0;
  c.cache_misses = 2;
  MetricMaps& m = i0.maps;
  m.ttft = {{"A", 1170.0}};
  m.e2e = {{"A", 3290.0}};
  m.itl_avg = {{"A", 1060.0}};  // 2120 / max(3 - 1, 1)
  m.sched_delay = {{"A", 120}};
  m.completion_time = IdMap<double>{{"A", 3290.0}};  // 3290 + arrival 0
  m.requests_meta = {{"A", meta(0.0, 20, 3, "instance_0")}};
  i0.all_itls = std::vector<int64_t>{1060, 1060};
  i0.step_counters = std::vector<int64_t>{2};  // finished at step 3, scheduled at step 1
  Statistics s;
  s.ttft_mean_ms = 1.17;  // (1170 / 1) / 1000; every percentile of one value is 1170 / 1000
  s.ttft_p90_ms = s.ttft_p95_ms = s.ttft_p99_ms = 1.17;
  s.e2e_mean_ms = s.e2e_p90_ms = s.e2e_p95_ms = s.e2e_p99_ms = 3.29;  // 3290 / 1000
  // ITLs [1060, 1060]: mean (2120 / 2) / 1000; percentiles 1060/1000 + (0 * frac)/1000
  s.itl_mean_ms = s.itl_p90_ms = s.itl_p95_ms = s.itl_p99_ms = 1.06;
  s.scheduling_delay_p99_ms = 0.12;        // 120 / 1000
  s.responses_per_sec = 1 / (3260 / 1e6);  // completed / (sim_ended / 1e6)
  s.tokens_per_sec = 3 / (3260 / 1e6);     // total_output_tokens / (sim_ended / 1e6)
  s.injected_requests = 1;
  i0.statistics = s;
  i0.kv_total_blocks = 1000;
  i0.kv_used_at_end = 0;
  i0.final_states = {{"A", FinalRequestState{RequestState::completed, 22, 0}}};
  i0.events = std::vector<EventRecord>{
      ev(0, EventKind::arrival, "A", 0, 0, 0, 1000, 0),
      ev(120, EventKind::queued, "A", 1, 0, 1, 1000, 0),
      ev(120, EventKind::step, "", 0, 1, 1, 998, 2),
      ev(120, EventKind::scheduled, "A", 0, 1, 1, 998, 2),
      ev(1160, EventKind::step, "", 0, 1, 1, 998, 2),
      ev(2210, EventKind::step, "", 0, 0, 0, 1000, 0),
      ev(3260, EventKind::request_left, "A", 0, 0, 0, 1000, 0),
  };
  r.instances.push_back(i0);

  // One instance, no PD: the aggregate equals the instance.
  r.aggregate.counters = c;
  r.aggregate.maps = m;
  r.aggregate.all_itls = i0.all_itls;
  r.aggregate.step_counters = i0.step_counters;
  r.aggregate.statistics = s;

  ClusterCounters cl;
  cl.trace_requests = 1;
  cl.arrived = 1;
  r.cluster = cl;
  r.parents = std::vector<ParentRecord>{};
  return r;
}

// B.2: num_instances 2, prefill 1, decode 1, decider always, kv_bytes_per_token 512, 25 GB/s,
// base 0.05 ms.
//   instance_0 (prefill): ARRIVAL(A_prefill) 0, QUEUED 120, STEP 120 (adv 1040, ttft 1170, N = 0
//     so it completes in this step: e2e = 1170, REQUEST_LEFT 1160), SCHEDULED 120,
//     REQUEST_LEFT 1160.
//   cluster: prefill detected at 120 -> transfer_start 120, 2 blocks reserved on instance_1,
//     DURATION = ceil(50 + 2*(16*512) / 25000) = ceil(50.65536) = 51 -> KV_DONE at 171,
//     decode_enqueue 171, STEP at max(0, 171).
//   instance_1 (decode): STEP 171 (admit A_decode, sched_delay 171, D = 1, adv 1050, itl [1060]),
//     SCHEDULED 171, STEP 1221 (pi 22 -> complete, e2e[A_decode] = 0 + 2120 = 2120,
//     REQUEST_LEFT 2271; detection: completion_time = 1221 + P(0)), REQUEST_LEFT 2271.
//   projection: E-PRIMARY e2e[A] = 2120 + 171 = 2291; T-PRIMARY ttft[A] = 171 + 1060 = 1231;
//     ttft_sum = 1170 + 0 + trunc(1231 - 1170) = 1231; sched_delay[A] = 120 (prefill's);
//     itl_avg[A] = 1060; completion_time[A] = 0 + 2291.
inline RunOutput b2_run() {
  RunOutput r;
  r.source = "simcheck";
  r.seed = 42;
  Config cfg = appendix_b_config();
  cfg.num_instances = 2;
  cfg.prefill_instances = 1;
  cfg.decode_instances = 1;
  cfg.pd_decider = PdDecider::always;
  cfg.kv_bytes_per_token = 512;
  cfg.pd_transfer_bandwidth_gbps = 25.0;
  cfg.pd_transfer_base_latency_ms = 0.05;
  r.config = cfg;
  r.trace = appendix_b_trace();

  InstanceOutput p;
  p.id = "instance_0";
  p.role = Role::prefill;
  p.counters.completed = 1;
  p.counters.kv_allocation_failures = 0;
  p.counters.total_input_tokens = 20;
  p.counters.total_output_tokens = 0;  // k = 20 - 20 = 0, not < N = 0
  p.counters.ttft_sum = 1170;
  p.counters.sim_ended = 1160;
  p.counters.peak_kv_used = 2;
  p.counters.kv_used_integral = 2080.0;  // 2 * 1040
  p.counters.cache_hits = 0;
  p.counters.cache_misses = 2;
  p.maps.ttft = {{"A_prefill", 1170.0}};
  p.maps.e2e = {{"A_prefill", 1170.0}};  // FTT + 0 + 0
  p.maps.itl_avg = {{"A_prefill", 0.0}};
  p.maps.sched_delay = {{"A_prefill", 120}};
  p.maps.completion_time = IdMap<double>{{"A_prefill", 1170.0}};
  p.maps.requests_meta = {{"A_prefill", meta(0.0, 20, 0, "instance_0")}};
  p.all_itls = std::vector<int64_t>{};
  p.step_counters = std::vector<int64_t>{0};
  Statistics ps;
  ps.ttft_mean_ms = ps.ttft_p90_ms = ps.ttft_p95_ms = ps.ttft_p99_ms = 1.17;
  ps.e2e_mean_ms = ps.e2e_p90_ms = ps.e2e_p95_ms = ps.e2e_p99_ms = 1.17;
  ps.scheduling_delay_p99_ms = 0.12;  // no ITLs: every ITL statistic is 0
  ps.responses_per_sec = 1 / (1160 / 1e6);
  ps.tokens_per_sec = 0 / (1160 / 1e6);
  ps.injected_requests = 1;
  p.statistics = ps;
  p.kv_total_blocks = 1000;
  p.kv_used_at_end = 0;
  p.final_states = {{"A_prefill", FinalRequestState{RequestState::completed, 20, 0}}};
  p.events = std::vector<EventRecord>{
      ev(0, EventKind::arrival, "A_prefill", 0, 0, 0, 1000, 0),
      ev(120, EventKind::queued, "A_prefill", 1, 0, 1, 1000, 0),
      ev(120, EventKind::step, "", 0, 0, 0, 1000, 0),  // admitted and completed in one step
      ev(120, EventKind::scheduled, "A_prefill", 0, 0, 0, 1000, 0),
      ev(1160, EventKind::request_left, "A_prefill", 0, 0, 0, 1000, 0),
  };

  InstanceOutput d;
  d.id = "instance_1";
  d.role = Role::decode;
  d.counters.completed = 1;
  d.counters.kv_allocation_failures = 0;
  d.counters.total_input_tokens = 0;   // decode sub-requests skip the guards
  d.counters.total_output_tokens = 3;  // k = 22 - 20 = 2 < 3 -> 3
  d.counters.ttft_sum = 0;             // FTT of a never-preempted decode sub-request is 0
  d.counters.sim_ended = 2271;
  d.counters.peak_kv_used = 2;
  d.counters.kv_used_integral = 4200.0;  // 2 * 1050 + 2 * 1050
  d.counters.cache_hits = 0;
  d.counters.cache_misses = 2;  // the reservation's two fresh blocks
  d.maps.e2e = {{"A_decode", 2120.0}};
  d.maps.itl_avg = {{"A_decode", 1060.0}};
  d.maps.sched_delay = {{"A_decode", 171}};
  d.maps.completion_time = IdMap<double>{{"A_decode", 2120.0}};
  d.maps.requests_meta = {{"A_decode", meta(0.0, 20, 3, "instance_1")}};
  d.all_itls = std::vector<int64_t>{1060, 1060};
  d.step_counters = std::vector<int64_t>{1};
  Statistics ds;  // no TTFT entries: the TTFT statistics are 0
  ds.e2e_mean_ms = ds.e2e_p90_ms = ds.e2e_p95_ms = ds.e2e_p99_ms = 2.12;
  ds.itl_mean_ms = ds.itl_p90_ms = ds.itl_p95_ms = ds.itl_p99_ms = 1.06;
  ds.scheduling_delay_p99_ms = 0.171;
  ds.responses_per_sec = 1 / (2271 / 1e6);
  ds.tokens_per_sec = 3 / (2271 / 1e6);
  ds.injected_requests = 1;
  d.statistics = ds;
  d.kv_total_blocks = 1000;
  d.kv_used_at_end = 0;
  d.final_states = {{"A_decode", FinalRequestState{RequestState::completed, 22, 0}}};
  d.events = std::vector<EventRecord>{
      ev(171, EventKind::step, "", 0, 1, 1, 998, 2),
      ev(171, EventKind::scheduled, "A_decode", 0, 1, 1, 998, 2),
      ev(1221, EventKind::step, "", 0, 0, 0, 1000, 0),
      ev(2271, EventKind::request_left, "A_decode", 0, 0, 0, 1000, 0),
  };
  r.instances = {p, d};

  Aggregate& a = r.aggregate;
  a.counters.completed = 1;  // 1 + 1 - pd_prefill_completed 1
  a.counters.kv_allocation_failures = 0;
  a.counters.total_input_tokens = 20;
  a.counters.total_output_tokens = 3;
  a.counters.ttft_sum = 1231;
  a.counters.sim_ended = 2271;  // max(1160, 2271)
  a.counters.peak_kv_used = 2;
  a.counters.kv_used_integral = 6280.0;  // 2080 + 4200
  a.counters.cache_hit_rate = 0.0;       // (0 + 0) / 2
  a.counters.cache_hits = 0;
  a.counters.cache_misses = 4;
  a.maps.ttft = {{"A", 1231.0}};
  a.maps.e2e = {{"A", 2291.0}};
  a.maps.itl_avg = {{"A", 1060.0}};
  a.maps.sched_delay = {{"A", 120}};
  a.maps.completion_time = IdMap<double>{{"A", 2291.0}};
  a.maps.requests_meta = {{"A", meta(0.0, 20, 3, "instance_1")}};
  a.all_itls = std::vector<int64_t>{1060, 1060};
  a.step_counters = std::vector<int64_t>{0, 1};
  Statistics as;
  as.ttft_mean_ms = as.ttft_p90_ms = as.ttft_p95_ms = as.ttft_p99_ms = 1.231;
  as.e2e_mean_ms = as.e2e_p90_ms = as.e2e_p95_ms = as.e2e_p99_ms = 2.291;
  as.itl_mean_ms = as.itl_p90_ms = as.itl_p95_ms = as.itl_p99_ms = 1.06;
  as.scheduling_delay_p99_ms = 0.12;
  as.responses_per_sec = 1 / (2271 / 1e6);
  as.tokens_per_sec = 3 / (2271 / 1e6);
  as.injected_requests = 1;
  a.statistics = as;

  ClusterCounters cl;
  cl.trace_requests = 1;
  cl.arrived = 1;
  r.cluster = cl;
  PdCounters pd;
  pd.transfers_initiated = 1;
  pd.transfers_completed = 1;
  pd.pd_prefill_completed = 1;
  pd.pd_decode_completed = 1;
  r.pd = pd;

  ParentRecord par;
  par.id = "A";
  par.prefill_id = "A_prefill";
  par.decode_id = "A_decode";
  par.input_len = 20;
  par.output_len = 3;
  par.num_kv_blocks = 2;
  par.arrival = 0;
  par.decode_instance = "instance_1";
  par.prefill_instance = "instance_0";
  par.prefill_enqueue_time = 0;
  par.prefill_complete_time = 120;
  par.transfer_start_time = 120;
  par.transfer_complete_time = 171;
  par.decode_enqueue_time = 171;
  par.completion_time = 1221;
  par.decode_detect_tick = 1221;
  par.decode_sub = DecodeSubRecord{RequestState::completed, 22, 0, {1060, 1060}};
  par.active_at_start = 1;
  par.outcome = ParentOutcome::decode_completed;
  par.completed = true;
  par.ttft_branch = TtftBranch::primary;
  par.e2e_branch = E2eBranch::primary;
  r.parents = std::vector<ParentRecord>{par};
  return r;
}

}  // namespace simcheck::testing

namespace simcheck::testing {

// B.2 with the decode reservation failing at transfer start (§9.5 DROP_AT_START at t = 120):
// nothing ever runs on instance_1. Parent: transfer_start = completion = 120, decode_sub null,
// completed = true (120 > 0, decode pod set: A1/#1511); T-FALLBACK ttft[A] = pt = 1170,
// E-FALLBACK e2e[A] = 120 - 0 = 120, so ttft > e2e: C-1's documented known exception.
// Aggregate: completed = 1 - pd_prefill_completed 1 = 0 (every statistic 0), dropped_unservable =
// 0 + dropped_at_decode_kv 1, ttft_sum = 1170 (no T-PRIMARY delta).
inline RunOutput b2_drop_at_start_run() {
  RunOutput r = b2_run();
  InstanceOutput& d = r.instances[1];
  d.counters = Counters{};
  d.counters.kv_allocation_failures = 0;
  d.counters.ttft_sum = 0;
  d.counters.sim_ended = 0;
  d.counters.peak_kv_used = 0;
  d.counters.kv_used_integral = 0.0;
  d.counters.cache_hits = 0;
  d.counters.cache_misses = 0;
  d.maps = MetricMaps{};
  d.maps.completion_time = IdMap<double>{};
  d.all_itls = std::vector<int64_t>{};
  d.step_counters = std::vector<int64_t>{};
  d.statistics = Statistics{};  // completed = 0: every statistic 0
  d.final_states.clear();
  d.events = std::vector<EventRecord>{};

  Aggregate& a = r.aggregate;
  a.counters.completed = 0;
  a.counters.dropped_unservable = 1;
  a.counters.total_input_tokens = 20;
  a.counters.total_output_tokens = 0;
  a.counters.ttft_sum = 1170;
  a.counters.sim_ended = 1160;
  a.counters.peak_kv_used = 2;
  a.counters.kv_used_integral = 2080.0;  // 2080 + 0
  a.counters.cache_misses = 2;
  a.maps.ttft = {{"A", 1170.0}};
  a.maps.e2e = {{"A", 120.0}};
  a.maps.itl_avg.clear();
  a.maps.sched_delay = {{"A", 120}};
  a.maps.completion_time = IdMap<double>{{"A", 120.0}};
  a.all_itls = std::vector<int64_t>{};
  a.step_counters = std::vector<int64_t>{0};
  a.statistics = Statistics{};  // completed = 0

  r.pd->pd_decode_completed = 0;
  r.pd->dropped_at_decode_kv = 1;

  ParentRecord& p = (*r.parents)[0];
  p.transfer_start_time = 120;
  p.completion_time = 120;
  p.transfer_complete_time = 0;
  p.decode_enqueue_time = 0;
  p.decode_detect_tick = 0;
  p.decode_sub.reset();
  p.active_at_start = 0;
  p.outcome = ParentOutcome::dropped_at_start;
  p.ttft_branch = TtftBranch::fallback;
  p.e2e_branch = E2eBranch::fallback;
  return r;
}

// B.1's request repeated n times on one instance, request_k arriving at k * 10000 µs (each one
// done, 3260 µs after its arrival, before the next arrives), so every per-request number is
// B.1's shifted by the arrival. For the scaling test.
inline RunOutput scaled_b1_run(int64_t n) {
  RunOutput r = b1_run();
  const int64_t gap = 10000;
  std::vector<TraceEntry> trace;
  InstanceOutput& inst = r.instances[0];
  MetricMaps m;
  m.completion_time = IdMap<double>{};
  std::vector<EventRecord> events;
  IdMap<FinalRequestState> finals;
  std::vector<int64_t> itls, steps;
  const std::vector<EventRecord> one = *inst.events;  // B.1's log, shifted per request
  for (int64_t k = 0; k < n; ++k) {
    const std::string id = "request_" + std::to_string(k);
    const int64_t t = k * gap;
    TraceEntry e = appendix_b_trace()[0];
    e.id = id;
    e.arrival = t;
    trace.push_back(e);
    m.ttft[id] = 1170.0;
    m.e2e[id] = 3290.0;
    m.itl_avg[id] = 1060.0;
    m.sched_delay[id] = 120;
    (*m.completion_time)[id] = static_cast<double>(t + 3290);
    m.requests_meta[id] = meta(static_cast<double>(t) / 1e6, 20, 3, "instance_0");
    for (EventRecord rec : one) {
      rec.time += t;
      if (!rec.request_id.empty()) rec.request_id = id;
      events.push_back(rec);
    }
    finals[id] = FinalRequestState{RequestState::completed, 22, 0};
    itls.push_back(1060);
    itls.push_back(1060);
    steps.push_back(2);
  }
  const int64_t end = (n - 1) * gap + 3260;
  Counters c = inst.counters;
  c.completed = n;
  c.total_input_tokens = 20 * n;
  c.total_output_tokens = 3 * n;
  c.ttft_sum = 1170 * n;
  c.sim_ended = end;
  c.kv_used_integral = 6280.0 * static_cast<double>(n);  // exact: < 2^53
  c.cache_misses = 2 * n;
  Statistics s = *inst.statistics;  // means and percentiles of identical values are unchanged
  s.responses_per_sec = static_cast<double>(n) / (static_cast<double>(end) / 1e6);
  s.tokens_per_sec = static_cast<double>(3 * n) / (static_cast<double>(end) / 1e6);
  s.injected_requests = n;
  inst.counters = c;
  inst.maps = m;
  inst.all_itls = itls;
  inst.step_counters = steps;
  inst.statistics = s;
  inst.final_states = std::move(finals);
  inst.events = std::move(events);
  r.trace = std::move(trace);
  r.aggregate.counters = c;
  r.aggregate.maps = m;
  r.aggregate.all_itls = itls;
  r.aggregate.step_counters = steps;
  r.aggregate.statistics = s;
  r.cluster->trace_requests = n;
  r.cluster->arrived = n;
  return r;
}

}  // namespace simcheck::testing
