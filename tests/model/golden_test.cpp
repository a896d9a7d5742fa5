// Golden runs whose every expected number is hand-computed from the spec's formulas (the
// arithmetic is in the comments): Appendix B.1 and B.2 (with the historical values B.2 quotes,
// Appendix A), and five more PD cases: drop at transfer start (§9.5), decode timeout (§9.7),
// preempted decode (E-PREEMPTED, §7.4/§10.4), horizon cutting a transfer (§8.3/§10.3), and
// transfer contention (§9.5, INV-P2-2).
#include <gtest/gtest.h>

#include "model/simulate.h"
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

// ---------------------------------------------------------------------------------------------
// B.1: one request, one instance. A: arrival 0, L = 20, N = 3.
//   ARRIVAL 0: QT = trunc(100 + 1·20) = 120 → QUEUED 120 → STEP 120: prefill P = 20,
//   adv = trunc(1000 + 2·20) = 1040, ttft = 120 + 1040 + 10 − 0 = 1170, sched_delay = 120.
//   STEP 1160: D = 1, adv = trunc(1000 + 50) = 1050, itl [1060], pi 21.
//   STEP 2210: pi 22 ≥ 20 + 3 − 1 → complete; itl [1060, 1060]; REQUEST_LEFT at 3260.
//   e2e = 1170 + 2120 + 0 = 3290; itl_avg = 2120 / (3 − 1) = 1060.
TEST(GoldenB1, OneRequestOneInstance) {
  const Trace trace{make_request("A", 0, 20, 3, 1)};
  const RunOutput out = simulate(appendix_b_config(), 42, trace);
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.ttft.at("A"), 1170);
  EXPECT_EQ(a.maps.e2e.at("A"), 3290);
  EXPECT_EQ(a.maps.completion_time->at("A"), 3290);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1060);
  EXPECT_EQ(a.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(a.maps.requests_meta.at("A").handled_by, "instance_0");
  EXPECT_EQ(a.counters.completed, 1);
  EXPECT_EQ(a.counters.total_output_tokens, 3);  // (22 − 20) + 1
  EXPECT_EQ(a.counters.total_input_tokens, 20);
  EXPECT_EQ(*a.counters.ttft_sum, 1170);
  EXPECT_EQ(*a.counters.sim_ended, 3260);
  EXPECT_EQ(*a.counters.peak_kv_used, 2);  // ceil(20/16) blocks; decode tops up block 1
  EXPECT_EQ(*a.all_itls, (std::vector<int64_t>{1060, 1060}));
  EXPECT_EQ(a.counters.still_queued + a.counters.still_running + a.counters.timed_out +
                a.counters.dropped_unservable,
            0);
  // §10.5 statistics over the final aggregate.
  const Statistics& s = a.statistics;
  EXPECT_DOUBLE_EQ(s.ttft_mean_ms, 1.17);
  EXPECT_DOUBLE_EQ(s.e2e_mean_ms, 3.29);
  EXPECT_DOUBLE_EQ(s.e2e_p99_ms, 3.29);  // n = 1: x[0] / 1000
  EXPECT_DOUBLE_EQ(s.itl_mean_ms, 1.06);
  EXPECT_DOUBLE_EQ(s.itl_p90_ms, 1.06);  // rank 0.9: 1060/1000 + (0 · 0.9)/1000
  EXPECT_DOUBLE_EQ(s.scheduling_delay_p99_ms, 0.12);
  EXPECT_DOUBLE_EQ(s.responses_per_sec, 1 / (3260 / 1e6));
  EXPECT_DOUBLE_EQ(s.tokens_per_sec, 3 / (3260 / 1e6));
  EXPECT_EQ(s.injected_requests, 1);
  ASSERT_TRUE(out.cluster.has_value());
  EXPECT_EQ(out.cluster->arrived, 1);
  EXPECT_EQ(out.cluster->pipeline_pending, 0);
  EXPECT_FALSE(out.pd.has_value());
  EXPECT_FALSE(out.parents.has_value());
}

TEST(GoldenB1, StandaloneDriverGivesTheSameMetrics) {
  // §4.2 with an infinite horizon processes the same events; only handled_by differs ("").
  Config c = appendix_b_config();
  c.driver = Driver::standalone;
  const RunOutput out = simulate(c, 42, Trace{make_request("A", 0, 20, 3, 1)});
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 3290);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
  EXPECT_EQ(*out.aggregate.counters.sim_ended, 3260);
  EXPECT_EQ(out.aggregate.maps.requests_meta.at("A").handled_by, "");
}

// ---------------------------------------------------------------------------------------------
// B.2: the same request disaggregated (numbers from the spec's table):
//   prefill on instance_0: sched 120, adv 1040, ttft = e2e = 1170, detected at 120;
//   C_KV_START 120: 2 blocks, duration ceil(50 + 16384/25000) = 51 → C_KV_DONE 171;
//   instance_1: STEP 171 (D = 1, adv 1050, itl [1060]), STEP 1221 → complete, e2e = 2120,
//   completion_time = 1221, REQUEST_LEFT 2271.
//   Projection: e2e = 171 + 2120 = 2291, ttft = 171 + 1060 = 1231,
//   ttft_sum = 1170 + 0 + (1231 − 1170) = 1231.
TEST(GoldenB2, DisaggregatedRequest) {
  const RunOutput out = simulate(appendix_b2_config(), 42, Trace{make_request("A", 0, 20, 3, 1)});
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.e2e.at("A"), 2291);
  EXPECT_EQ(a.maps.ttft.at("A"), 1231);
  EXPECT_EQ(*a.counters.ttft_sum, 1231);
  EXPECT_EQ(a.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1060);
  EXPECT_EQ(a.maps.completion_time->at("A"), 2291);
  EXPECT_EQ(a.maps.requests_meta.at("A").handled_by, "instance_1");
  EXPECT_EQ(a.maps.e2e.size(), 1u);  // no sub-request keys survive (INV-PD-6)
  EXPECT_EQ(a.maps.ttft.size(), 1u);
  EXPECT_EQ(a.counters.completed, 1);      // 2 − 1
  EXPECT_EQ(*a.counters.sim_ended, 2271);  // max(1160, 2271)
  EXPECT_EQ(a.counters.total_output_tokens, 3);
  EXPECT_EQ(*a.all_itls, (std::vector<int64_t>{1060, 1060}));

  ASSERT_EQ(out.instances.size(), 2u);
  const InstanceOutput& i0 = out.instances[0];
  const InstanceOutput& i1 = out.instances[1];
  EXPECT_EQ(i0.role, Role::prefill);
  EXPECT_EQ(i1.role, Role::decode);
  EXPECT_EQ(i0.maps.sched_delay.at("A_prefill"), 120);
  EXPECT_EQ(i0.maps.ttft.at("A_prefill"), 1170);
  EXPECT_EQ(i0.maps.e2e.at("A_prefill"), 1170);
  EXPECT_EQ(*i0.counters.sim_ended, 1160);
  EXPECT_EQ(i1.maps.sched_delay.at("A_decode"), 171);
  EXPECT_EQ(i1.maps.e2e.at("A_decode"), 2120);
  EXPECT_EQ(i1.maps.ttft.count("A_decode"), 0u);  // a decode sub-request has no TTFT entry
  EXPECT_EQ(*i1.counters.sim_ended, 2271);

  ASSERT_TRUE(out.pd.has_value());
  EXPECT_EQ(out.pd->pd_in_transfer, 0);
  EXPECT_EQ(out.pd->transfers_initiated, 1);
  EXPECT_EQ(out.pd->transfers_completed, 1);
  EXPECT_EQ(out.pd->pd_prefill_completed, 1);
  EXPECT_EQ(out.pd->pd_decode_completed, 1);

  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.decode_instance, "instance_1");
  EXPECT_EQ(p.prefill_instance, "instance_0");
  EXPECT_EQ(p.num_kv_blocks, 2);
  EXPECT_EQ(p.prefill_enqueue_time, 0);
  EXPECT_EQ(p.prefill_complete_time, 120);
  EXPECT_EQ(p.transfer_start_time, 120);
  EXPECT_EQ(p.transfer_complete_time, 171);
  EXPECT_EQ(p.decode_enqueue_time, 171);
  EXPECT_EQ(p.completion_time, 1221);
  EXPECT_EQ(p.decode_detect_tick, 1221);
  EXPECT_EQ(p.active_at_start, 1);
  EXPECT_EQ(p.outcome, ParentOutcome::decode_completed);
  EXPECT_TRUE(p.completed);
  EXPECT_EQ(p.ttft_branch, TtftBranch::primary);
  EXPECT_EQ(p.e2e_branch, E2eBranch::primary);
  ASSERT_TRUE(p.decode_sub.has_value());
  EXPECT_EQ(p.decode_sub->state, RequestState::completed);
  EXPECT_EQ(p.decode_sub->pi, 22);
  EXPECT_EQ(p.decode_sub->first_token_time, 0);
  EXPECT_EQ(p.decode_sub->itl, (std::vector<int64_t>{1060, 1060}));
}

TEST(GoldenB2, HistoricalValues) {
  const Trace trace{make_request("A", 0, 20, 3, 1)};
  Config c = appendix_b2_config();
  // "before #1513 e2e = CT − arrival = 1221 < ttft" (the #1513 INV-5 violation).
  c.projection = ProjectionEra::pre_1514;
  RunOutput out = simulate(c, 42, trace);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 1221);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1231);
  EXPECT_EQ(out.aggregate.maps.completion_time->at("A"), 1221);
  // "before #1510 ttft = 1170 + 51 + 1060 = 2281".
  c.projection = ProjectionEra::pre_1512;
  out = simulate(c, 42, trace);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 2281);
  EXPECT_EQ(*out.aggregate.counters.ttft_sum, 2281);  // 1170 + trunc(2281 − 1170)
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 1221);
  // "before #931 ttft = 1170".
  c.projection = ProjectionEra::pre_931;
  out = simulate(c, 42, trace);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
  EXPECT_EQ(*out.aggregate.counters.ttft_sum, 1170);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 1221);
}

TEST(GoldenB2, PostDecodeOverheadInCompletionTimeAndPre846Era) {
  // P = 7: decode e2e = 0 + 2120 + 7 = 2127; CT = 1221 + 7 = 1228 (INV-PD-6b);
  // E-PRIMARY = 171 + 2127 = 2298 (= 2291 + P). TTFT unaffected: 1231.
  const Trace trace{make_request("A", 0, 20, 3, 1)};
  Config c = appendix_b2_config();
  c.post_decode_fixed_overhead_us = 7;
  RunOutput out = simulate(c, 42, trace);
  EXPECT_EQ(parent(out, "A").completion_time, 1228);
  EXPECT_EQ(parent(out, "A").decode_detect_tick, 1221);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 2298);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1231);
  // #846 → #931: E2E = CT − arrival with CT = clock + P = 1228.
  c.projection = ProjectionEra::pre_931;
  out = simulate(c, 42, trace);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 1228);
  // #840 → #846: CT = detection clock, no P: 1221.
  c.projection = ProjectionEra::pre_846;
  out = simulate(c, 42, trace);
  EXPECT_EQ(parent(out, "A").completion_time, 1221);
  EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 1221);
  EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
}

// ---------------------------------------------------------------------------------------------
// G1: drop at transfer start. B.2 config with T = 3 on every instance (guard: ceil(20/16) = 2
// ≤ 3). A: arrival 0, L 20, N 3. B: arrival 100, L 20, N 3.
//   A exactly as B.2 (its prefill releases its 2 blocks at 120; its decode reserves 2 of the
//   decode instance's 3 blocks at 120 and holds them until its completion step at 1221).
//   B_prefill: QT = trunc(100 + 20) = 120 → QUEUED 220 → STEP 220 (instance_0 idle): admit,
//   adv = 1040, ttft = 220 + 1040 + 10 − 100 = 1170, sched_delay = 120, complete.
//   Detection at 220 → C_KV_START 220: RESERVE needs 2 blocks, 1 free → DROP_AT_START:
//   transfer_start = completion = 220, degenerate C_KV_DONE at 220.
//   B: completed flag (220 > 0) → E-FALLBACK 220 − 100 = 120, T-FALLBACK = 1170 (ttft > e2e, A2).
//   Counters: instance_0 completed 2, instance_1 completed 1 → 3 − 2 = 1; dropped_unservable
//   0 + 1 = 1; pd_in_transfer = 2 − 1 − 0 − 1 − 0 = 0.
//   ttft_sum = 1170 + 1170 + 0 + (1231 − 1170) = 2401. sim_ended = max(220+1040, 2271) = 2271.
TEST(GoldenPd, DropAtTransferStart) {
  Config c = appendix_b2_config();
  c.total_kv_blocks = 3;
  const Trace trace{make_request("A", 0, 20, 3, 1), make_request("B", 100, 20, 3, 1001)};
  const RunOutput out = simulate(c, 42, trace);
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.e2e.at("A"), 2291);
  EXPECT_EQ(a.maps.ttft.at("A"), 1231);
  EXPECT_EQ(a.maps.e2e.at("B"), 120);
  EXPECT_EQ(a.maps.ttft.at("B"), 1170);
  EXPECT_EQ(a.maps.sched_delay.at("B"), 120);
  EXPECT_EQ(a.maps.completion_time->at("B"), 220);  // 100 + 120
  EXPECT_EQ(a.maps.itl_avg.count("B"), 0u);
  EXPECT_EQ(a.maps.requests_meta.at("B").handled_by, "instance_1");
  EXPECT_EQ(a.counters.completed, 1);
  EXPECT_EQ(a.counters.dropped_unservable, 1);
  EXPECT_EQ(a.counters.still_running, 0);
  EXPECT_EQ(*a.counters.ttft_sum, 2401);
  EXPECT_EQ(*a.counters.sim_ended, 2271);
  EXPECT_EQ(out.pd->dropped_at_decode_kv, 1);
  EXPECT_EQ(out.pd->transfers_initiated, 2);
  EXPECT_EQ(out.pd->transfers_completed, 2);
  EXPECT_EQ(out.pd->pd_prefill_completed, 2);
  EXPECT_EQ(out.pd->pd_decode_completed, 1);
  EXPECT_EQ(out.pd->pd_in_transfer, 0);
  const ParentRecord& b = parent(out, "B");
  EXPECT_EQ(b.outcome, ParentOutcome::dropped_at_start);
  EXPECT_EQ(b.transfer_start_time, 220);
  EXPECT_EQ(b.completion_time, 220);
  EXPECT_EQ(b.transfer_complete_time, 0);
  EXPECT_FALSE(b.decode_sub.has_value());
  EXPECT_EQ(b.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(b.ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(parent(out, "A").outcome, ParentOutcome::decode_completed);
}

// ---------------------------------------------------------------------------------------------
// G2: decode timeout. B.2 with deadline 1000 for A.
//   Prefill as B.2 (ENQUEUE at 120: 1000 > 120, TIMEOUT(A_prefill) at 1000 — later lazily
//   cancelled). Transfer 120 → 171; ENQUEUE_DECODE schedules TIMEOUT(A_decode) at 1000.
//   instance_1: STEP 171 admits (sched_delay 171), itl [1060], pi 21; next STEP at 1221.
//   t = 1000: TIMEOUT: RUNNING → TIMED_OUT, released, removed; STEP 1221 is then an orphan.
//   Detection: completion_time = 1000 (no P). Projection: E-FALLBACK 1000 − 0 = 1000;
//   T-PRIMARY 171 + 1060 = 1231 (C-1 known exception, #1511); no itl_avg.
//   Counters: completed 1 − 1 = 0, timed_out 1; ttft_sum = 1170 + 61 = 1231;
//   sim_ended = max(1160, 1221) = 1221; all statistics 0 because completed == 0 (§10.5).
TEST(GoldenPd, DecodeTimeout) {
  const RunOutput out =
      simulate(appendix_b2_config(), 42, Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/1000)});
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.e2e.at("A"), 1000);
  EXPECT_EQ(a.maps.ttft.at("A"), 1231);
  EXPECT_EQ(a.maps.completion_time->at("A"), 1000);
  EXPECT_EQ(a.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(a.maps.itl_avg.count("A"), 0u);
  EXPECT_EQ(a.counters.completed, 0);
  EXPECT_EQ(a.counters.timed_out, 1);
  EXPECT_EQ(*a.counters.ttft_sum, 1231);
  EXPECT_EQ(*a.counters.sim_ended, 1221);
  EXPECT_EQ(a.counters.total_output_tokens, 0);
  EXPECT_TRUE(a.all_itls->empty());
  EXPECT_EQ(a.statistics.ttft_mean_ms, 0);
  EXPECT_EQ(a.statistics.e2e_mean_ms, 0);
  EXPECT_EQ(out.pd->pd_decode_timed_out, 1);
  EXPECT_EQ(out.pd->pd_in_transfer, 0);
  const ParentRecord& p = parent(out, "A");
  EXPECT_EQ(p.outcome, ParentOutcome::decode_timed_out);
  EXPECT_EQ(p.completion_time, 1000);
  EXPECT_EQ(p.decode_detect_tick, 0);
  EXPECT_EQ(p.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(p.ttft_branch, TtftBranch::primary);
  ASSERT_TRUE(p.decode_sub.has_value());
  EXPECT_EQ(p.decode_sub->state, RequestState::timed_out);
  EXPECT_EQ(p.decode_sub->itl, (std::vector<int64_t>{1060}));
}

// ---------------------------------------------------------------------------------------------
// G3: preempted decode. B.2's PD config with B = 4, T = 4. A: arrival 0, L 4, N 6;
// B: arrival 0, L 4, N 6 (distinct tokens).
//   instance_0: QT = trunc(100 + 4) = 104 for both → STEP 104 admits A_prefill, B_prefill
//   (1 block each), P = 8, adv = trunc(1000 + 16) = 1016, ttft = 104 + 1016 + 10 = 1130 each,
//   sched_delay 104 each, both complete; detection (sorted) A, B at 104.
//   Transfers: 1 block = 4 · 512 = 2048 bytes → ceil(50 + 0.08192) = 51 → both done at 155.
//   instance_1 (free [0,1,2,3]): reserve A → 0, B → 1. STEP 155: A pops 2, B pops 3 (free 0);
//   D = 2, adv = 1100, itl 1110 each. Steps 1255, 2355, 3455 (adv 1100) top up blocks 2 and 3
//   (full after out3). STEP 4555: A needs a fresh block, none free → tail B preempted
//   (released: free [3, 1]), A pops 3; adv = 1050 (D = 1); A pi 9 → complete, itl
//   [1110 ×4, 1060], e2e[A_decode] = 5500, itl_avg 5500/5 = 1100; REQUEST_LEFT 5605; A released.
//   STEP 5605: B re-admitted (sched_delay[B_decode] = 5605), ALLOCATE(0, 1) PREFILL, adv =
//   trunc(1000 + 2) = 1002 → STEP 6607: prefill 3 more, adv 1006, pi 4 = L → FTT = 6607 + 1006
//   + 10 = 7623. Decode steps at 7613, 8663, 9713, 10763, 11813 (adv 1050): itl [1060 ×5],
//   complete at 11813, e2e[B_decode] = 7623 + 5300 = 12923, itl_avg = 5300/5 = 1060,
//   REQUEST_LEFT 12863.
//   Projection: A: E-PRIMARY 155 + 5500 = 5655; T-PRIMARY 155 + 1110 = 1265 (+135).
//   B: FTT ≠ 0 → E-PREEMPTED 12923; T-PRIMARY 5605 + 1060 = 6665 (+5535, A14).
//   ttft_sum = (1130 + 1130) + (0 + 7623) + 135 + 5535 = 15553.
TEST(GoldenPd, PreemptedDecode) {
  Config c = appendix_b2_config();
  c.block_size_tokens = 4;
  c.total_kv_blocks = 4;
  const Trace trace{make_request("A", 0, 4, 6, 1), make_request("B", 0, 4, 6, 1001)};
  const RunOutput out = simulate(c, 42, trace);
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.e2e.at("A"), 5655);
  EXPECT_EQ(a.maps.ttft.at("A"), 1265);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1100);
  EXPECT_EQ(a.maps.e2e.at("B"), 12923);
  EXPECT_EQ(a.maps.ttft.at("B"), 6665);
  EXPECT_EQ(a.maps.itl_avg.at("B"), 1060);
  EXPECT_EQ(a.maps.sched_delay.at("A"), 104);
  EXPECT_EQ(a.maps.sched_delay.at("B"), 104);
  EXPECT_EQ(a.maps.completion_time->at("B"), 12923);
  EXPECT_EQ(*a.counters.ttft_sum, 15553);
  EXPECT_EQ(a.counters.completed, 2);  // 4 − 2
  EXPECT_EQ(a.counters.preemption_count, 1);
  EXPECT_EQ(a.counters.total_output_tokens, 12);
  EXPECT_EQ(*a.counters.sim_ended, 12863);
  EXPECT_EQ(*a.all_itls,
            (std::vector<int64_t>{1110, 1110, 1110, 1110, 1060, 1060, 1060, 1060, 1060, 1060}));
  const InstanceOutput& i1 = out.instances[1];
  EXPECT_EQ(i1.maps.sched_delay.at("A_decode"), 155);
  EXPECT_EQ(i1.maps.sched_delay.at("B_decode"), 5605);
  EXPECT_EQ(i1.maps.ttft.at("B_decode"), 7623);
  EXPECT_EQ(i1.maps.e2e.at("B_decode"), 12923);
  EXPECT_EQ(i1.maps.e2e.at("A_decode"), 5500);
  const ParentRecord& pa = parent(out, "A");
  const ParentRecord& pb = parent(out, "B");
  EXPECT_EQ(pa.completion_time, 4555);
  EXPECT_EQ(pb.completion_time, 11813);
  EXPECT_EQ(pa.e2e_branch, E2eBranch::primary);
  EXPECT_EQ(pb.e2e_branch, E2eBranch::preempted);
  EXPECT_EQ(pb.ttft_branch, TtftBranch::primary);
  EXPECT_EQ(pb.decode_sub->first_token_time, 7623);
  EXPECT_EQ(pb.decode_sub->itl, (std::vector<int64_t>{1060, 1060, 1060, 1060, 1060}));
}

// ---------------------------------------------------------------------------------------------
// G4: horizon cuts a transfer. B.2 config, horizon 1250. A: arrival 0, L 20, N 3;
// B: arrival 1100, L 20, N 3; C: arrival 1200, L 20, N 3.
//   A as B.2: decode completes (detected) at 1221 ≤ 1250.
//   B: prefill ARRIVAL 1100, QUEUED 1220, STEP 1220: ttft = 1220 + 1040 + 10 − 1100 = 1170;
//   detected 1220 → C_KV_START 1220: reserved, duration 51 → C_KV_DONE 1271 > 1250: cut.
//   C: prefill ARRIVAL 1200 → QUEUED at 1320 > 1250: pipeline_pending.
//   End: pd_prefill_completed 2, pd_decode_completed 1 → pd_in_transfer = 2 − 1 = 1;
//   completed = (2 + 1) − 2 = 1; still_running = 0 + 1 = 1; arrived 3 = 1 + 1 + 1 (pending).
//   ttft_sum = 1170 + 1170 + 0 + 61 = 2401; only A gets parent entries.
//   sim_ended = max(min(1220, 1250), min(1221, 1250)) = 1221.
TEST(GoldenPd, HorizonCutsTransfer) {
  Config c = appendix_b2_config();
  c.horizon_us = 1250;
  const Trace trace{make_request("A", 0, 20, 3, 1), make_request("B", 1100, 20, 3, 1001),
                    make_request("C", 1200, 20, 3, 2001)};
  const RunOutput out = simulate(c, 42, trace);
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.counters.completed, 1);
  EXPECT_EQ(a.counters.still_running, 1);
  EXPECT_EQ(a.counters.still_queued, 0);
  EXPECT_EQ(out.pd->pd_in_transfer, 1);
  EXPECT_EQ(out.pd->transfers_initiated, 2);
  EXPECT_EQ(out.pd->transfers_completed, 1);
  EXPECT_EQ(out.cluster->arrived, 3);
  EXPECT_EQ(out.cluster->pipeline_pending, 1);
  EXPECT_EQ(out.cluster->trace_beyond_horizon, 0);
  EXPECT_EQ(*a.counters.ttft_sum, 2401);
  EXPECT_EQ(*a.counters.sim_ended, 1221);
  EXPECT_EQ(a.maps.e2e, (IdMap<double>{{"A", 2291}}));
  EXPECT_EQ(a.maps.ttft, (IdMap<double>{{"A", 1231}}));
  EXPECT_EQ(a.maps.requests_meta.size(), 1u);
  const ParentRecord& b = parent(out, "B");
  EXPECT_EQ(b.outcome, ParentOutcome::in_transfer);
  EXPECT_FALSE(b.completed);
  EXPECT_EQ(b.transfer_start_time, 1220);
  EXPECT_EQ(b.transfer_complete_time, 0);
  ASSERT_TRUE(b.decode_sub.has_value());
  EXPECT_EQ(b.decode_sub->state, RequestState::waiting_for_remote_kvs);
  EXPECT_EQ(b.decode_sub->pi, 20);
  EXPECT_EQ(parent(out, "C").outcome, ParentOutcome::prefill_pending);
  EXPECT_EQ(out.instances[1].kv_used_at_end, 2);  // B's reservation
}

// ---------------------------------------------------------------------------------------------
// G5: contention. B.2 config with contention on. A and B: arrival 0, L 20, N 3.
//   instance_0 STEP 120 admits both: P = 40, adv = 1080, ttft = 120 + 1080 + 10 = 1210 each.
//   Detection 120: C_KV_START A: active 1 → 51 → done 171; B: active 2, bw 25000/2 = 12500 →
//   ceil(50 + 16384/12500 = 1.31072) = 52 → done 172. peak 2, depth_sum 1 + 2 = 3.
//   instance_1: STEP 171 admits A alone (adv 1050, itl [1060]); B enqueued at 172 waits.
//   STEP 1221: A decodes, B admitted (sched_delay 1221); D = 2, adv 1100: A itl [1060, 1110]
//   → complete (CT 1221); B itl [1110]. STEP 2321: B adv 1050, itl [1110, 1060] → complete
//   (CT 2321); REQUEST_LEFT 3371.
//   e2e[A_decode] = e2e[B_decode] = 2170; itl_avg = 1085.
//   A: E-PRIMARY 171 + 2170 = 2341, T-PRIMARY 171 + 1060 = 1231 (+21).
//   B: E-PRIMARY 1221 + 2170 = 3391, T-PRIMARY 1221 + 1110 = 2331 (+1121).
//   ttft_sum = 1210 + 1210 + 21 + 1121 = 3562.
TEST(GoldenPd, TransferContention) {
  Config c = appendix_b2_config();
  c.pd_transfer_contention = true;
  const Trace trace{make_request("A", 0, 20, 3, 1), make_request("B", 0, 20, 3, 1001)};
  const RunOutput out = simulate(c, 42, trace);
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.e2e.at("A"), 2341);
  EXPECT_EQ(a.maps.ttft.at("A"), 1231);
  EXPECT_EQ(a.maps.e2e.at("B"), 3391);
  EXPECT_EQ(a.maps.ttft.at("B"), 2331);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1085);
  EXPECT_EQ(a.maps.itl_avg.at("B"), 1085);
  EXPECT_EQ(a.maps.sched_delay.at("B"), 120);
  EXPECT_EQ(*a.counters.ttft_sum, 3562);
  EXPECT_EQ(*a.counters.sim_ended, 3371);
  EXPECT_EQ(*a.all_itls, (std::vector<int64_t>{1060, 1110, 1110, 1060}));
  const PdCounters& pd = *out.pd;
  EXPECT_EQ(pd.peak_concurrent_transfers, 2);
  EXPECT_EQ(pd.transfer_depth_sum, 3);
  EXPECT_EQ(pd.transfer_start_count, 2);
  EXPECT_EQ(pd.active_transfers_at_end, 0);
  EXPECT_FALSE(pd.contention_corrupted);
  const ParentRecord& pa = parent(out, "A");
  const ParentRecord& pb = parent(out, "B");
  EXPECT_EQ(pa.active_at_start, 1);
  EXPECT_EQ(pa.transfer_complete_time, 171);
  EXPECT_EQ(pb.active_at_start, 2);
  EXPECT_EQ(pb.transfer_complete_time, 172);
  EXPECT_EQ(pb.decode_enqueue_time, 172);
  EXPECT_EQ(pa.completion_time, 1221);
  EXPECT_EQ(pb.completion_time, 2321);
  EXPECT_EQ(out.instances[1].maps.sched_delay.at("B_decode"), 1221);
}

}  // namespace
}  // namespace simcheck::model
