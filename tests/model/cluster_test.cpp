// Spec §8 (cluster loop, routing, in-flight), §9 (PD flow paths incl. the ones unreachable in v1
// through the routability hook), §4.2 vs §8.3 horizon semantics, §10.2 aggregation, §10.3
// correction, §13 A4/A6. Expected numbers are hand-computed in the comments.
#include <gtest/gtest.h>

#include "model/aggregation.h"
#include "model/pd_correction.h"
#include "model/simulate.h"
#include "model/simulate_internal.h"
#include "tests/model/trace_builder.h"

namespace simcheck::model {
namespace {

using testing::appendix_b2_config;
using testing::appendix_b_config;
using testing::make_request;

const ParentRecord& parent(const RunOutput& out, const std::string& id) {
  for (const ParentRecord& p : *out.parents) {
    if (p.id == id) return p;
  }
  ADD_FAILURE() << "no parent " << id;
  return out.parents->front();
}

Config two_plus_two() {
  Config c = appendix_b2_config();
  c.num_instances = 4;
  c.prefill_instances = 2;  // instance_0, instance_1
  c.decode_instances = 2;   // instance_2, instance_3
  return c;
}

// ---- §8.5 / ⚑ A6: one round-robin counter serves both pools ----

TEST(ClusterRouting, SharedCounterSequentialArrivalsUseSamePods) {
  // A at 0, B at 100000 (A long finished). A: decode c=0 → dc[0] = instance_2, prefill c=1 →
  // pc[1] = instance_1. B: decode c=2 → dc[0] = instance_2, prefill c=3 → pc[1] = instance_1.
  const RunOutput out =
      simulate(two_plus_two(), 42,
               Trace{make_request("A", 0, 20, 3, 1), make_request("B", 100000, 20, 3, 1001)});
  EXPECT_EQ(parent(out, "A").decode_instance, "instance_2");
  EXPECT_EQ(parent(out, "A").prefill_instance, "instance_1");
  EXPECT_EQ(parent(out, "B").decode_instance, "instance_2");
  EXPECT_EQ(parent(out, "B").prefill_instance, "instance_1");
}

TEST(ClusterRouting, SharedCounterSimultaneousArrivalsDecideDecodeFirst) {
  // A, B at 0: C_ROUTE(A), C_ROUTE(B) (priority 2) precede both C_PREFILL_ROUTEs (priority 4):
  // decode A c=0 → instance_2, decode B c=1 → instance_3, prefill A c=2 → pc[0] = instance_0,
  // prefill B c=3 → instance_1.
  const RunOutput out = simulate(
      two_plus_two(), 42, Trace{make_request("A", 0, 20, 3, 1), make_request("B", 0, 20, 3, 1001)});
  EXPECT_EQ(parent(out, "A").decode_instance, "instance_2");
  EXPECT_EQ(parent(out, "B").decode_instance, "instance_3");
  EXPECT_EQ(parent(out, "A").prefill_instance, "instance_0");
  EXPECT_EQ(parent(out, "B").prefill_instance, "instance_1");
}

TEST(ClusterRouting, SeparatePolicyPerPoolWhenQuirkOff) {
  // One counter per pool: A: decode 0 → instance_2, prefill 0 → instance_0; B: decode 1 →
  // instance_3, prefill 1 → instance_1.
  Config c = two_plus_two();
  c.quirks.shared_pd_routing_policy = false;
  const RunOutput out = simulate(
      c, 42, Trace{make_request("A", 0, 20, 3, 1), make_request("B", 100000, 20, 3, 1001)});
  EXPECT_EQ(parent(out, "A").decode_instance, "instance_2");
  EXPECT_EQ(parent(out, "A").prefill_instance, "instance_0");
  EXPECT_EQ(parent(out, "B").decode_instance, "instance_3");
  EXPECT_EQ(parent(out, "B").prefill_instance, "instance_1");
}

TEST(ClusterRouting, LeastLoadedSameTickInFlightAndClusterEventsWinTies) {
  // Two instances, least-loaded/first. A (N=1), B (N=3), C (N=1) at 0; D (N=1) at 120.
  // At 0: A → instance_0 (0, 0); B → instance_1 (loads 1, 0); C → instance_0 (1, 1: first).
  // QT = 120: QUEUED and STEP of both instances fall at 120, but the cluster events of D at 120
  // run first (§8.3): loads instance_0 = 0 + 0 + in_flight 2 = 2, instance_1 = 1 → instance_1.
  // (Had the instance events run first, A and C would have completed: instance_0 load 0.)
  Config c = appendix_b_config();
  c.num_instances = 2;
  c.routing_policy = RoutingPolicy::least_loaded;
  const RunOutput out =
      simulate(c, 42,
               Trace{make_request("A", 0, 20, 1, 1), make_request("B", 0, 20, 3, 1001),
                     make_request("C", 0, 20, 1, 2001), make_request("D", 120, 20, 1, 3001)});
  const auto& meta = out.aggregate.maps.requests_meta;
  EXPECT_EQ(meta.at("A").handled_by, "instance_0");
  EXPECT_EQ(meta.at("B").handled_by, "instance_1");
  EXPECT_EQ(meta.at("C").handled_by, "instance_0");
  EXPECT_EQ(meta.at("D").handled_by, "instance_1");
  EXPECT_EQ(out.aggregate.counters.completed, 4);
}

TEST(ClusterRouting, DeciderNeverServesWholeRequestsOnDecodePool) {
  // PD enabled, decider never: 3 instances, 1 prefill (0), 1 decode (1), instance_2 roleless.
  // Every request is injected whole into the decode pool; as B.1: e2e = 3290.
  Config c = appendix_b2_config();
  c.num_instances = 3;
  c.pd_decider = PdDecider::never;
  const RunOutput out = simulate(
      c, 42, Trace{make_request("A", 0, 20, 3, 1), make_request("B", 100000, 20, 3, 1001)});
  EXPECT_EQ(out.aggregate.maps.requests_meta.at("A").handled_by, "instance_1");
  EXPECT_EQ(out.aggregate.maps.requests_meta.at("B").handled_by, "instance_1");
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 3290);
  EXPECT_EQ(out.instances[2].role, Role::none);
  EXPECT_TRUE(out.instances[2].maps.requests_meta.empty());
  EXPECT_TRUE(out.instances[0].maps.requests_meta.empty());
  ASSERT_TRUE(out.parents.has_value());
  EXPECT_TRUE(out.parents->empty());
  EXPECT_EQ(out.pd->transfers_initiated, 0);
  EXPECT_EQ(out.aggregate.counters.completed, 2);
}

// ---- §9.4: detection order is byte-wise sorted ----

TEST(PdFlow, PrefillDetectionSortsIdsBytewise) {
  // request_2 and request_10 both complete prefill in the STEP at 120 (batch order: request_2
  // first). Sorted, "request_10_prefill" < "request_2_prefill", so request_10's C_KV_START runs
  // first: with contention its divisor is 1 (51 µs), request_2's is 2 (52 µs).
  Config c = appendix_b2_config();
  c.pd_transfer_contention = true;
  const RunOutput out = simulate(
      c, 42,
      Trace{make_request("request_2", 0, 20, 3, 1), make_request("request_10", 0, 20, 3, 1001)});
  EXPECT_EQ(parent(out, "request_10").active_at_start, 1);
  EXPECT_EQ(parent(out, "request_10").transfer_complete_time, 171);
  EXPECT_EQ(parent(out, "request_2").active_at_start, 2);
  EXPECT_EQ(parent(out, "request_2").transfer_complete_time, 172);
}

// ---- ⚑ A4: stale decode deadline ----

TEST(PdFlow, StaleDeadlineStepsClockBack) {
  // B.2 with deadline 150: the prefill's TIMEOUT at 150 is lazily cancelled (completed at 120);
  // the transfer ends at 171 and ENQUEUE_DECODE schedules TIMEOUT(A_decode) at 150 < 171. It
  // runs next: the decode sub-request (queued) times out, completion_time = 150 (< enqueue 171).
  // Projection: no decode sched delay → E-FALLBACK 150 − 0 = 150, T-FALLBACK 1170.
  const RunOutput out =
      simulate(appendix_b2_config(), 42, Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/150)});
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.decode_enqueue_time, 171);
  EXPECT_EQ(p.completion_time, 150);
  EXPECT_EQ(p.outcome, ParentOutcome::decode_timed_out);
  EXPECT_TRUE(p.decode_sub->itl.empty());
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 150);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
  EXPECT_EQ(p.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(p.ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(out.aggregate.counters.timed_out, 1);
  EXPECT_EQ(out.aggregate.counters.completed, 0);
  EXPECT_EQ(*out.instances[1].counters.sim_ended, 171);  // the orphan STEP at 171 ran last
  EXPECT_EQ(out.instances[1].kv_used_at_end, 0);
}

TEST(PdFlow, StaleDeadlineQuirkOffTimesOutAtEnqueueTime) {
  // The decode TIMEOUT is placed at max(150, 171) = 171; the STEP at 171 (priority 3) runs
  // before it (priority 6): one decode step (itl [1060], sched delay 171), then the timeout at
  // 171 → completion_time 171. E-FALLBACK 171; T-PRIMARY 171 + 1060 = 1231.
  Config c = appendix_b2_config();
  c.quirks.stale_decode_deadline = false;
  const RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1, 150)});
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.completion_time, 171);
  EXPECT_EQ(p.decode_sub->itl, (std::vector<int64_t>{1060}));
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 171);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1231);
}

// ---- §9.8 prefill-side outcomes ----

TEST(PdFlow, PrefillDroppedAtEnqueue) {
  // max_model_len 20 (ceil(20/16) = 2 ≤ T): the prefill sub-request has L = 20 ≥ MML → guard 3
  // drops it on instance_0 (requests_meta erased). Parent never detected: not completed.
  Config c = appendix_b2_config();
  c.max_model_len = 20;
  const RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  EXPECT_EQ(parent(out, "A").outcome, ParentOutcome::prefill_dropped);
  EXPECT_FALSE(parent(out, "A").completed);
  EXPECT_EQ(out.aggregate.counters.dropped_unservable, 1);
  EXPECT_EQ(out.cluster->arrived, 1);
  EXPECT_EQ(out.cluster->pipeline_pending, 0);
  EXPECT_TRUE(out.aggregate.maps.requests_meta.empty());
}

TEST(PdFlow, PrefillTimedOutAtEnqueue) {
  // Deadline 100 < QUEUED time 120: guard 6 times the prefill sub-request out at enqueue.
  const RunOutput out =
      simulate(appendix_b2_config(), 42, Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/100)});
  EXPECT_EQ(parent(out, "A").outcome, ParentOutcome::prefill_timed_out);
  EXPECT_FALSE(parent(out, "A").completed);
  EXPECT_EQ(out.aggregate.counters.timed_out, 1);
  EXPECT_EQ(out.pd->pd_prefill_completed, 0);
  EXPECT_TRUE(out.aggregate.maps.e2e.empty());
}

// ---- ⚑ A5 switched off: detection at the end of the finishing step ----

TEST(PdFlow, DetectionAtStepEndWhenQuirkOff) {
  // B.2 with detection at step end. Prefill STEP 120 (adv 1040) → detected at 1160:
  // prefill_complete = transfer_start = 1160, C_KV_DONE 1160 + 51 = 1211, decode STEP 1211
  // (adv 1050, itl [1060]), STEP 2261 completes → detected at 2261 + 1050 = 3311 (+ P = 7).
  // e2e[A_decode] = 2120 + 7; E-PRIMARY 1211 + 2127 = 3338; T-PRIMARY 1211 + 1060 = 2271;
  // ttft_sum = 1170 + (2271 − 1170) = 2271; sim_ended = max(1160, 3311) = 3311.
  Config c = appendix_b2_config();
  c.quirks.detect_completion_at_step_start = false;
  c.post_decode_fixed_overhead_us = 7;
  const RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.prefill_complete_time, 1160);
  EXPECT_EQ(p.transfer_start_time, 1160);
  EXPECT_EQ(p.transfer_complete_time, 1211);
  EXPECT_EQ(p.decode_detect_tick, 3311);
  EXPECT_EQ(p.completion_time, 3318);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 3338);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 2271);
  EXPECT_EQ(*out.aggregate.counters.ttft_sum, 2271);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 3311);
  EXPECT_TRUE(out.warnings.empty());
}

// ---- paths unreachable in v1, reached through the routability hook ----

RunOutput run_b2_with(RoutablePredicate routable) {
  return simulate_with_hooks(appendix_b2_config(), 42, Trace{make_request("A", 0, 20, 3, 1)},
                             ClusterHooks{std::move(routable)});
}

TEST(PdFlowHooks, LateDropAtTransferCompletion) {
  // instance_1 unroutable from 150: reserved at 120, C_KV_DONE at 171 finds it unroutable →
  // release, dropped_at_decode_kv, completion_time = 171, decode_sub cleared.
  // E-FALLBACK 171 − 0; T-FALLBACK 1170. completed 1 − 1 = 0; dropped_unservable 0 + 1.
  const RunOutput out = run_b2_with([](int i, int64_t t) { return !(i == 1 && t >= 150); });
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.outcome, ParentOutcome::late_drop);
  EXPECT_EQ(p.transfer_complete_time, 171);
  EXPECT_EQ(p.completion_time, 171);
  EXPECT_EQ(p.decode_enqueue_time, 0);
  EXPECT_FALSE(p.decode_sub.has_value());
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 171);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
  EXPECT_EQ(out.aggregate.counters.completed, 0);
  EXPECT_EQ(out.aggregate.counters.dropped_unservable, 1);
  EXPECT_EQ(out.pd->pd_in_transfer, 0);
  EXPECT_EQ(out.instances[1].kv_used_at_end, 0);
}

TEST(PdFlowHooks, UnroutableDecodePodDropsAtStart) {
  const RunOutput out = run_b2_with([](int i, int64_t t) { return !(i == 1 && t >= 100); });
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.outcome, ParentOutcome::dropped_at_start);
  EXPECT_EQ(p.completion_time, 120);
  EXPECT_EQ(out.pd->dropped_at_decode_kv, 1);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 120);
  EXPECT_EQ(out.instances[1].kv_used_at_end, 0);
}

TEST(PdFlowHooks, NoPrefillCandidateIsARoutingRejection) {
  const RunOutput out = run_b2_with([](int i, int64_t) { return i != 0; });
  EXPECT_EQ(out.cluster->routing_rejections, 1);
  EXPECT_EQ(out.cluster->arrived, 1);
  EXPECT_EQ(parent(out, "A").outcome, ParentOutcome::prefill_dropped);
  EXPECT_FALSE(parent(out, "A").completed);
  EXPECT_TRUE(out.aggregate.maps.requests_meta.empty());
}

TEST(PdFlowHooks, NoDecodeCandidateRejectsBeforeAnyParent) {
  const RunOutput out = run_b2_with([](int i, int64_t) { return i != 1; });
  EXPECT_EQ(out.cluster->routing_rejections, 1);
  EXPECT_TRUE(out.parents->empty());
}

TEST(ClusterHooksTest, StandardRouteRejection) {
  const RunOutput out =
      simulate_with_hooks(appendix_b_config(), 42, Trace{make_request("A", 0, 20, 3, 1)},
                          ClusterHooks{[](int, int64_t) { return false; }});
  EXPECT_EQ(out.cluster->routing_rejections, 1);
  EXPECT_EQ(out.aggregate.counters.completed, 0);
}

// ---- horizon semantics: §8.3 (not executed) vs §4.2 (executed, ⚑ A11) ----

TEST(Horizon, ClusterDoesNotExecuteEventPastHorizon) {
  // B.1 with horizon 2000: STEP at 2210 (the completing one) is past the horizon → not run.
  // still_running 1, sim_ended = min(1160, 2000) = 1160; ttft entry kept (1170).
  Config c = appendix_b_config();
  c.horizon_us = 2000;
  const RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  EXPECT_EQ(out.aggregate.counters.completed, 0);
  EXPECT_EQ(out.aggregate.counters.still_running, 1);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 1160);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
}

TEST(Horizon, StandaloneRunsFirstEventPastHorizon) {
  // Same, standalone: the STEP at 2210 runs (A completes, e2e 3290), then the loop stops.
  // sim_ended = min(2210, 2000) = 2000.
  Config c = appendix_b_config();
  c.driver = Driver::standalone;
  c.horizon_us = 2000;
  RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  EXPECT_EQ(out.aggregate.counters.completed, 1);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 3290);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 2000);
  // Quirk off: stop before it, like the cluster driver.
  c.quirks.standalone_runs_event_past_horizon = false;
  out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  EXPECT_EQ(out.aggregate.counters.completed, 0);
  EXPECT_EQ(out.aggregate.counters.still_running, 1);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 1160);
}

TEST(Horizon, TraceBeyondHorizonClusterVsStandalone) {
  // A (B.1) and B at 5000, horizon 4000. Cluster: C_ARRIVAL(B) never runs: arrived 1,
  // trace_beyond_horizon 1, pipeline_pending 0, sim_ended 3260.
  Config c = appendix_b_config();
  c.horizon_us = 4000;
  const Trace trace{make_request("A", 0, 20, 3, 1), make_request("B", 5000, 20, 3, 1001)};
  RunOutput out = simulate(c, 42, trace);
  EXPECT_EQ(out.cluster->trace_requests, 2);
  EXPECT_EQ(out.cluster->arrived, 1);
  EXPECT_EQ(out.cluster->trace_beyond_horizon, 1);
  EXPECT_EQ(out.cluster->pipeline_pending, 0);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 3260);
  // Standalone: ARRIVAL(B) at 5000 runs (past the horizon), its QUEUED (5120) stays pending:
  // pipeline_pending 1; |trace| 2 = 1 completed + 1 pending; sim_ended = min(5000, 4000).
  c.driver = Driver::standalone;
  out = simulate(c, 42, trace);
  EXPECT_EQ(out.cluster->pipeline_pending, 1);
  EXPECT_EQ(out.cluster->trace_beyond_horizon, 1);
  EXPECT_EQ(out.aggregate.counters.completed, 1);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 4000);
  EXPECT_FALSE(out.warnings.empty());  // "arrive after the horizon"
}

TEST(Horizon, PendingClusterHopsArePipelinePending) {
  // Admission latency 50, routing latency 50, horizon 1000; A at 0, B at 960: B's C_ADMIT at
  // 1010 lies beyond the horizon → pipeline_pending 1 (arrived 2).
  Config c = appendix_b_config();
  c.admission_latency_us = 50;
  c.routing_latency_us = 50;
  c.horizon_us = 1000;
  const RunOutput out =
      simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1), make_request("B", 960, 20, 3, 1001)});
  EXPECT_EQ(out.cluster->arrived, 2);
  EXPECT_EQ(out.cluster->pipeline_pending, 1);
  // A: routed at 100, QUEUED at 220, prefill STEP 220 → still running at the horizon.
  EXPECT_EQ(out.aggregate.counters.still_running, 1);
  EXPECT_EQ(out.aggregate.maps.sched_delay.at("A"), 220);
}

// ---- §10.2 aggregation and §10.3 correction (unit level) ----

TEST(Aggregation, SumsMaximaMeanMergeAndConcat) {
  InstanceOutput a, b;
  a.counters.completed = 2;
  b.counters.completed = 3;
  a.counters.sim_ended = 100;
  b.counters.sim_ended = 70;
  a.counters.peak_kv_used = 4;
  b.counters.peak_kv_used = 9;
  a.counters.ttft_sum = 10;
  b.counters.ttft_sum = 5;
  a.counters.cache_hit_rate = 0.5;
  b.counters.cache_hit_rate = 0.0;
  a.maps.e2e["x"] = 1;
  b.maps.e2e["x"] = 2;  // duplicate: the later instance wins, with a warning
  b.maps.e2e["y"] = 3;
  a.all_itls = std::vector<int64_t>{1, 2};
  b.all_itls = std::vector<int64_t>{3};
  std::vector<std::string> warnings;
  const Aggregate agg = aggregate_instances({a, b}, warnings);
  EXPECT_EQ(agg.counters.completed, 5);
  EXPECT_EQ(*agg.counters.sim_ended, 100);
  EXPECT_EQ(*agg.counters.peak_kv_used, 9);
  EXPECT_EQ(*agg.counters.ttft_sum, 15);
  EXPECT_DOUBLE_EQ(agg.counters.cache_hit_rate, 0.25);  // (0.5 + 0) / 2
  EXPECT_EQ(agg.maps.e2e.at("x"), 2);
  EXPECT_EQ(agg.maps.e2e.at("y"), 3);
  EXPECT_EQ(*agg.all_itls, (std::vector<int64_t>{1, 2, 3}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("x"), std::string::npos);
}

TEST(PdCorrection, FormulaAndNegativeInTransferWarning) {
  Counters c;
  c.completed = 5;
  c.dropped_unservable = 1;
  c.still_running = 2;
  PdCounters pd;
  pd.pd_prefill_completed = 4;
  pd.pd_decode_completed = 1;
  pd.pd_decode_timed_out = 1;
  pd.dropped_at_decode_kv = 1;
  pd.pending_decode_at_end = 0;
  std::vector<std::string> w;
  apply_pd_correction(c, pd, w);
  // completed 5 − 4 = 1; dropped 1 + 1 = 2; in transfer 4 − 1 − 1 − 1 − 0 = 1 → running 3.
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(c.dropped_unservable, 2);
  EXPECT_EQ(pd.pd_in_transfer, 1);
  EXPECT_EQ(c.still_running, 3);
  EXPECT_TRUE(w.empty());
  Counters c2;
  PdCounters bad;
  bad.pd_decode_completed = 1;  // 0 − 1 = −1: a bookkeeping error, not added anywhere
  apply_pd_correction(c2, bad, w);
  EXPECT_EQ(bad.pd_in_transfer, -1);
  EXPECT_EQ(c2.still_running, 0);
  EXPECT_EQ(w.size(), 1u);
}

}  // namespace
}  // namespace simcheck::model
