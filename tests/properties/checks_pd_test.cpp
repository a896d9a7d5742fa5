// PD checks on the Appendix B.2 parent: INV-PD-1..6b, INV-P2-2, LAW-FIRST-TOKEN; each fails on a
// hand-made breach, naming the parent (or the instance / "" for run-level counters).
#include <gtest/gtest.h>

#include "check_expectations.h"
#include "properties/checks.h"
#include "synthetic_runs.h"

namespace simcheck::testing {
namespace {

using properties::CheckOptions;
using properties::is_gating;

ParentRecord& parent(RunOutput& r) { return (*r.parents)[0]; }

TEST(PdKvCompleteness, DecodeEnqueuedBeforeItsKvArrived) {
  RunOutput r = b2_run();
  parent(r).decode_enqueue_time = 170;  // transfer completes at 171
  // The phase chain of INV-PD-4 contains the same order.
  expect_violations(r, "INV-PD-1", "A", {"INV-PD-4"});
}

TEST(PdKvCompleteness, DecodeEnqueuedWithoutATransfer) {
  RunOutput r = b2_run();
  parent(r).transfer_complete_time = 0;
  // INV-PD-3 then counts A as still in transfer (decode_sub set, transfer_complete 0).
  expect_violations(r, "INV-PD-1", "A", {"INV-PD-3"});
}

TEST(PdPools, PrefillOnADecodeInstance) {
  RunOutput r = b2_run();
  parent(r).prefill_instance = "instance_1";
  expect_violations(r, "INV-PD-2", "A", {});
}

TEST(PdPools, HandledByAPrefillInstance) {
  RunOutput r = b2_run();
  r.aggregate.maps.requests_meta["A"].handled_by = "instance_0";
  // C-4 recomputes requests_meta[pid].handled_by = decode_instance.
  expect_violations(r, "INV-PD-2", "A", {"C-4"});
}

TEST(PdPools, RolesNotReported) {
  RunOutput r = b2_run();
  for (auto& inst : r.instances) inst.role = Role::none;
  EXPECT_EQ(properties::check_pd_pool_exclusivity(r).not_applicable_reason,
            "instances[].role missing");
}

TEST(PdPools, RoleChangedSinceConstruction) {
  RunOutput r = b1_run();
  r.instances[0].role = Role::decode;  // §2: no role without PD
  expect_violations(r, "INV-PD-5", "instance_0", {});
  RunOutput n = b2_run();
  n.instances[1].id = "decode_pod";
  n.config.reset();
  EXPECT_EQ(properties::check_pd_pool_stability(n).not_applicable_reason,
            "config missing (roles at construction)");
}

TEST(PdTransfers, InitiatedMinusCompletedIsInTransfer) {
  RunOutput r = b2_run();
  r.pd->transfers_completed = 0;
  expect_violations(r, "INV-PD-3", "", {});
}

TEST(PdTransfers, CorrectionFormulaMustNotGoNegative) {
  RunOutput r = b2_run();
  r.pd->pending_decode_at_end = 1;  // 1 - 1 - 0 - 0 - 1 = -1
  // INV-1-PD counts no decode_pending parent.
  expect_violations(r, "INV-PD-3", "", {"INV-1-PD"});
}

TEST(PdPhases, PrefillEnqueuedAfterItCompleted) {
  RunOutput r = b2_run();
  parent(r).prefill_enqueue_time = 130;  // prefill_complete 120
  expect_violations(r, "INV-PD-4", "A", {});
}

TEST(PdPhases, StaleDeadlineTimeoutIsAKnownException) {
  RunOutput r = b2_run();
  (*r.trace)[0].deadline = 150;
  ParentRecord& p = parent(r);
  p.outcome = ParentOutcome::decode_timed_out;
  p.completion_time = 150;  // < decode_enqueue_time 171
  const auto res = properties::check_pd_phase_causality(r);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_TRUE(res.violations[0].known_exception);
  EXPECT_FALSE(is_gating(res, CheckOptions{}));
  EXPECT_TRUE(is_gating(res, CheckOptions{true}));
  (*r.trace)[0].deadline = 140;  // completion is not the deadline: a plain failure
  EXPECT_TRUE(is_gating(properties::check_pd_phase_causality(r), CheckOptions{}));
}

TEST(PdGranularity, SubRequestKeySurvivesProjection) {
  RunOutput r = b2_run();
  r.aggregate.maps.itl_avg["A_decode"] = 1060.0;  // the pre-#840 shape
  // REQ-ONE-RECORD sees a key that is no trace request.
  expect_violations(r, "INV-PD-6", "A", {"REQ-ONE-RECORD"});
}

TEST(PdGranularity, CompletedParentNeedsItsSchedulingDelay) {
  RunOutput r = b2_run();
  r.aggregate.maps.sched_delay.erase("A");
  // C-4 expects the prefill's 120, INV-5 finds no sched_delay for a completed key, and the
  // scheduling-delay p99 no longer matches its (now empty) map.
  expect_violations(r, "INV-PD-6", "A", {"C-4", "INV-5", "STAT-PERCENTILES"});
}

TEST(PdOverhead, CompletionTimeCarriesP) {
  RunOutput r = b2_run();
  r.config->post_decode_fixed_overhead_us = 5;
  // completion_time 1221 != 1221 + 5 (also INV-PD-4's clause); e2e - ttft - itl[1] = 0 != 5;
  // C-5: the decode sub-request's e2e 2120 - 0 - 5 no longer sums its ITLs 2120.
  expect_violations(r, "INV-PD-6b", "A", {"INV-PD-4", "C-5"});
}

TEST(PdFairShare, DurationFollowsSection95) {
  RunOutput r = b2_run();
  parent(r).prefill_complete_time = 119;
  parent(r).transfer_start_time = 119;  // 171 - 119 = 52, DURATION(2 blocks) = 51
  expect_violations(r, "INV-P2-2", "A", {});
}

TEST(PdFairShare, ContentionDividesBandwidth) {
  // With contention and 2 active transfers: bw = 25000 / 2 = 12500 bytes/µs,
  // ceil(50 + 16384 / 12500) = ceil(51.31072) = 52.
  RunOutput r = b2_run();
  r.config->pd_transfer_contention = true;
  r.pd->peak_concurrent_transfers = 2;
  r.pd->transfer_start_count = 1;
  r.pd->transfer_depth_sum = 2;
  ParentRecord& p = parent(r);
  p.active_at_start = 2;
  p.prefill_complete_time = p.transfer_start_time = 119;  // 171 - 119 = 52
  EXPECT_EQ(properties::check_pd_fair_share(r).status, Status::held)
      << properties::check_pd_fair_share(r).violations[0].detail;
  p.prefill_complete_time = p.transfer_start_time = 120;  // 51: the undivided duration
  EXPECT_EQ(properties::check_pd_fair_share(r).status, Status::violated);
  r.pd->transfer_depth_sum = 1;  // depth sum != sum of active_at_start
  EXPECT_EQ(properties::check_pd_fair_share(r).violations.size(), 2u);
}

TEST(PdFairShare, WithoutContentionTheDivisorIsOne) {
  RunOutput r = b2_run();
  parent(r).active_at_start = 2;
  expect_violations(r, "INV-P2-2", "A", {});
}

TEST(LawFirstToken, TtftBeforeKvArrivalPlusOneDecodeStep) {
  RunOutput r = b2_run();
  // The pre-#931 projection: TTFT = the prefill's 1170 < (171 - 0) + 1060 = 1231 (#930).
  r.aggregate.maps.ttft["A"] = 1170.0;
  r.aggregate.counters.ttft_sum = 1170;
  r.aggregate.statistics.ttft_mean_ms = r.aggregate.statistics.ttft_p90_ms = 1.17;
  r.aggregate.statistics.ttft_p95_ms = r.aggregate.statistics.ttft_p99_ms = 1.17;
  // C-4 expects T-PRIMARY's 1231.
  expect_violations(r, "LAW-FIRST-TOKEN", "A", {"C-4", "INV-PD-6b"});
}

TEST(PdChecks, NotApplicableWithoutParents) {
  RunOutput r = b2_run();
  r.parents.reset();
  const auto results = properties::check_all(r);
  for (const char* id : {"INV-1-PD", "INV-PD-1", "INV-PD-4", "INV-PD-6", "INV-PD-6b", "INV-P2-2",
                         "C-2", "C-4", "LAW-FIRST-TOKEN"}) {
    EXPECT_EQ(result_of(results, id).not_applicable_reason, "parents missing") << id;
  }
}

}  // namespace
}  // namespace simcheck::testing
