// Golden runs of the causal profile (Addendum C), every number hand-computed from the spec:
// Δ10 (Appendix B.2 under causal, from its table), B.1 under causal (a non-PD request), a timeout
// inside a step with Δ4's visibility rule, and an N = 1 PD parent. Arithmetic in the comments.
// Appendix B constants: QT = trunc(100 + L), OTP = 10, step = trunc(1000 + 2·P + 50·D), so
// s_P = 1002 and s_D = 1050; B.2's transfer lasts 51 µs.
#include <gtest/gtest.h>

#include "model/simulate.h"
#include "tests/model/trace_builder.h"

namespace simcheck::model {
namespace {

using testing::appendix_b2_config;
using testing::appendix_b_config;
using testing::make_request;

Config causal(Config c) {
  c.time_profile = TimeProfile::causal;
  return c;
}

std::vector<std::pair<int64_t, int64_t>> intervals(const InstanceOutput& inst) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const StepRecord& s : *inst.steps) out.emplace_back(s.start, s.end);
  return out;
}

// Δ10, from the table: prefill step [120, 1160) → ttft[A_prefill] = 1170, detection and transfer
// start at 1160, transfer 51 → 1211; first-token step [1211, 2261) → ttft[A_decode] = 2271;
// [2261, 3311) → itl (3311 − 2261) + 10 = 1060; [3311, 4361) → itl 1060, complete;
// e2e[A_decode] = 2271 + 2120 = 4391; completion_time = 4361.
TEST(GoldenCausal, DeltaTenDisaggregated) {
  const RunOutput out =
      simulate(causal(appendix_b2_config()), 42, Trace{make_request("A", 0, 20, 3, 1)});
  ASSERT_TRUE(out.config->record_events);  // Δ8: implied by the causal profile
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.ttft.at("A"), 2271);
  EXPECT_EQ(a.maps.e2e.at("A"), 4391);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1060);
  EXPECT_EQ(a.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(a.maps.completion_time->at("A"), 4391);
  EXPECT_EQ(*a.counters.ttft_sum, 2271);  // (1170 + 2271) + trunc(2271 − 3441)
  EXPECT_EQ(*a.counters.sim_ended, 4361);
  const ParentRecord& p = out.parents->front();
  EXPECT_EQ(p.prefill_complete_time, 1160);
  EXPECT_EQ(p.transfer_start_time, 1160);
  EXPECT_EQ(p.transfer_complete_time, 1211);
  EXPECT_EQ(p.decode_enqueue_time, 1211);
  EXPECT_EQ(p.decode_detect_tick, 4361);
  EXPECT_EQ(p.completion_time, 4361);
  EXPECT_TRUE(p.served);
  EXPECT_EQ(p.ttft_branch, TtftBranch::decode);
  EXPECT_EQ(p.e2e_branch, E2eBranch::decode);
  ASSERT_TRUE(p.decode_sub.has_value());
  EXPECT_EQ(p.decode_sub->itl, (std::vector<int64_t>{1060, 1060}));
  EXPECT_EQ(p.decode_sub->first_token_time, 2271);
  const InstanceOutput& i0 = out.instances[0];
  const InstanceOutput& i1 = out.instances[1];
  EXPECT_EQ(i0.maps.ttft.at("A_prefill"), 1170);
  EXPECT_EQ(i1.maps.ttft.at("A_decode"), 2271);
  EXPECT_EQ(i1.maps.e2e.at("A_decode"), 4391);
  using V = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(intervals(i0), (V{{120, 1160}}));
  EXPECT_EQ(intervals(i1), (V{{1211, 2261}, {2261, 3311}, {3311, 4361}}));
  EXPECT_EQ((*i1.steps)[0].batch, (std::vector<std::string>{"A_decode"}));
  EXPECT_EQ((*i1.steps)[0].tokens, 1);  // the first-token step is one decode token (Δ3b)
  const RequestPhaseTimes& d = i1.phase_times->at("A_decode");
  EXPECT_EQ(d.enqueued, 1211);
  EXPECT_EQ(d.first_scheduled, 1211);
  EXPECT_EQ(d.first_token_step_end, 2261);
  EXPECT_EQ(d.last_token_step_end, 4361);
  EXPECT_EQ(d.left, 4361);
  // Against B.1 (TTFT 1170, E2E 3290): both grow by 51 + 1050 (law L12).
  EXPECT_EQ(a.maps.ttft.at("A") - 1170, 51 + 1050);
  EXPECT_EQ(a.maps.e2e.at("A") - 3290, 51 + 1050);
}

// B.1 under causal: STEP 120 (prefill, adv 1040) → STEP_END 1160: ttft 1160 + 10 = 1170;
// [1160, 2210): itl (2210 − 1160) + 10 = 1060; [2210, 3260): itl 1060, pi 22 → complete at
// 3260 (not at 2210), REQUEST_LEFT 3260; e2e = 1170 + 2120 = 3290.
TEST(GoldenCausal, OneRequestOneInstance) {
  const RunOutput out =
      simulate(causal(appendix_b_config()), 42, Trace{make_request("A", 0, 20, 3, 1)});
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.ttft.at("A"), 1170);
  EXPECT_EQ(a.maps.e2e.at("A"), 3290);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 1060);
  EXPECT_EQ(*a.counters.sim_ended, 3260);
  const InstanceOutput& i0 = out.instances[0];
  using V = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(intervals(i0), (V{{120, 1160}, {1160, 2210}, {2210, 3260}}));
  const RequestPhaseTimes& r = i0.phase_times->at("A");
  EXPECT_EQ(r.enqueued, 120);
  EXPECT_EQ(r.first_token_step_end, 1160);
  EXPECT_EQ(r.left, 3260);
  // The event log alternates STEP and STEP_END; the completion is in the last STEP_END.
  int step_ends = 0;
  for (const EventRecord& e : *i0.events) step_ends += e.kind == EventKind::step_end;
  EXPECT_EQ(step_ends, 3);
  EXPECT_EQ(i0.counters.completed, 1);
}

// Timeout inside a step (Δ4). Deadline 1165: the first token is produced at 1160 but visible at
// 0 + 1170 > 1165, so TIMEOUT(1165) erases it; the decode step [1160, 2210) in flight loses the
// request; sim_ended = 2210 (its STEP_END still runs). Deadline 1170: visible exactly at the
// deadline, so the TTFT 1170 is kept (no E2E).
TEST(GoldenCausal, TimeoutInsideAStep) {
  {
    const RunOutput out = simulate(causal(appendix_b_config()), 42,
                                   Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/1165)});
    const Aggregate& a = out.aggregate;
    EXPECT_EQ(a.maps.ttft.count("A"), 0u);
    EXPECT_EQ(a.maps.e2e.count("A"), 0u);
    EXPECT_EQ(a.counters.timed_out, 1);
    EXPECT_EQ(a.counters.completed, 0);
    EXPECT_EQ(*a.counters.sim_ended, 2210);
    EXPECT_EQ(out.instances[0].phase_times->at("A").timed_out, 1165);
  }
  {
    const RunOutput out = simulate(causal(appendix_b_config()), 42,
                                   Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/1170)});
    EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
    EXPECT_EQ(out.aggregate.maps.e2e.count("A"), 0u);
  }
}

// Δ1's ties: STEP_END (priority 3) runs before TIMEOUT (6) at equal times, so a last token
// produced exactly at the deadline counts. B.1 causal ends its last step at 3260: with deadline
// 3260 the request completes (e2e 3290, as without a deadline); with 3259 it times out in that
// step (TTFT 1170 visible before it, no E2E).
TEST(GoldenCausal, StepEndWinsTheDeadlineTie) {
  {
    const RunOutput out = simulate(causal(appendix_b_config()), 42,
                                   Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/3260)});
    EXPECT_EQ(out.aggregate.counters.completed, 1);
    EXPECT_EQ(out.aggregate.counters.timed_out, 0);
    EXPECT_EQ(out.aggregate.maps.e2e.at("A"), 3290);
  }
  {
    const RunOutput out = simulate(causal(appendix_b_config()), 42,
                                   Trace{make_request("A", 0, 20, 3, 1, /*deadline=*/3259)});
    EXPECT_EQ(out.aggregate.counters.completed, 0);
    EXPECT_EQ(out.aggregate.counters.timed_out, 1);
    EXPECT_EQ(out.aggregate.maps.ttft.at("A"), 1170);
    EXPECT_EQ(out.aggregate.maps.e2e.count("A"), 0u);
  }
}

// N = 1 PD parent: prefill [120, 1160), transfer 1160 → 1211, first-token step [1211, 2261):
// ttft[A_decode] = 2271, and pi = 20 ≥ 20 + 1 − 1 completes it at 2261 with no ITL:
// e2e[A_decode] = 2271 + 0 + 0. itl_avg = 0 / max(1 − 1, 1) = 0. ttft_sum = 1170 + 2271 +
// trunc(2271 − 3441) = 2271. Co-located (TTFT = E2E = 1170) + 51 + 1050 = 2271 (L12).
TEST(GoldenCausal, SingleTokenDisaggregated) {
  const RunOutput out =
      simulate(causal(appendix_b2_config()), 42, Trace{make_request("A", 0, 20, 1, 1)});
  const Aggregate& a = out.aggregate;
  EXPECT_EQ(a.maps.ttft.at("A"), 2271);
  EXPECT_EQ(a.maps.e2e.at("A"), 2271);
  EXPECT_EQ(a.maps.itl_avg.at("A"), 0);
  EXPECT_EQ(*a.counters.ttft_sum, 2271);
  EXPECT_EQ(*a.counters.sim_ended, 2261);
  const ParentRecord& p = out.parents->front();
  EXPECT_EQ(p.decode_detect_tick, 2261);
  EXPECT_EQ(p.completion_time, 2261);
  EXPECT_TRUE(p.decode_sub->itl.empty());
  EXPECT_EQ(a.counters.total_output_tokens, 1);
}

}  // namespace
}  // namespace simcheck::model
