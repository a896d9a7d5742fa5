// INV-1, INV-1-PD, INV-2 (end state), STAT-INJECTED and AGG-SUM-OF-INSTANCES: each fails on a
// hand-made breach of the Appendix B runs, naming the witness.
#include <gtest/gtest.h>

#include "check_expectations.h"
#include "properties/checks.h"
#include "synthetic_runs.h"

namespace simcheck::testing {
namespace {

TEST(Conservation, ClusterFormFailsWhenAnArrivedRequestIsInNoBucket) {
  RunOutput r = b1_run();
  r.cluster->arrived = 2;  // 2 != 1 + 0 + ...; trace_requests 1 - arrived 2 != 0 beyond horizon
  expect_violations(r, "INV-1", "", {});
}

TEST(Conservation, BeyondHorizonCountIsRecomputedFromTheTrace) {
  RunOutput r = b1_run();
  r.cluster->trace_beyond_horizon = 1;  // ignored: trace and horizon known, 0 arrive after it
  EXPECT_EQ(properties::check_conservation(r).status, Status::held);
  r.config->horizon_us = -1;  // now the one trace request lies beyond the horizon
  const auto res = properties::check_conservation(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_NE(res.violations[0].detail.find("trace requests with arrival > horizon = 1"),
            std::string::npos);
}

TEST(Conservation, StandaloneFormCountsThePipeline) {
  RunOutput r = b1_run();
  r.config->driver = Driver::standalone;
  EXPECT_EQ(properties::check_conservation(r).status, Status::held);
  r.cluster->pipeline_pending = 1;  // 1 != 1 + 1 + 0...
  expect_violations(r, "INV-1", "", {});
}

TEST(Conservation, BlisFormFailsWhenATraceRequestVanishes) {
  RunOutput r = b1_run();
  r.cluster.reset();
  EXPECT_EQ(properties::check_conservation(r).status, Status::held);
  TraceEntry b = (*r.trace)[0];
  b.id = "B";
  b.arrival = 5;
  r.trace->push_back(b);  // 2 arrived, 1 accounted for (A12: lost mid-pipeline)
  expect_violations(r, "INV-1", "", {});
  r.trace.reset();
  EXPECT_EQ(properties::check_conservation(r).not_applicable_reason,
            "cluster counters and trace missing");
}

TEST(Conservation, ParentOutcomeMustMatchItsSignatureAndTheCounters) {
  RunOutput r = b2_run();
  (*r.parents)[0].outcome = ParentOutcome::decode_timed_out;  // decode_sub is COMPLETED
  // C-3 counts "completed by the flag, decode not completed" from the outcome, so it follows.
  expect_violations(r, "INV-1-PD", "A", {"C-3"});
  const auto res = properties::check_parent_buckets(r);
  // Signature and both counters (pd_decode_completed 1 vs 0 parents, timed out 0 vs 1).
  EXPECT_EQ(res.violations.size(), 3u);
}

TEST(Conservation, CompletedFlagIsTheSection104Predicate) {
  RunOutput r = b2_run();
  (*r.parents)[0].completed = false;  // completion_time 1221 > 0 and decode pod set
  // A non-completed parent must key nothing (INV-PD-6). (C-3 then skips it: its one e2e key is
  // still matched by completed = 1.)
  expect_violations(r, "INV-1-PD", "A", {"INV-PD-6"});
}

TEST(Conservation, ParentBucketsNotApplicableWithoutParents) {
  RunOutput r = b2_run();
  r.parents.reset();
  EXPECT_EQ(properties::check_parent_buckets(r).not_applicable_reason, "parents missing");
  EXPECT_EQ(properties::check_parent_buckets(b1_run()).not_applicable_reason, "not a PD run");
}

TEST(Lifecycle, QueueMemberMustBeQueuedAndCounted) {
  RunOutput r = b1_run();
  r.instances[0].wait_queue_at_end = {"A"};  // A ends COMPLETED; still_queued says 0
  expect_violations(r, "INV-2", "A", {});
  EXPECT_EQ(properties::check_lifecycle(r).violations.size(), 2u);
}

TEST(Lifecycle, NoRequestInTwoContainers) {
  RunOutput r = b1_run();
  r.instances[0].final_states["A"].state = RequestState::running;
  r.instances[0].running_at_end = {"A", "A"};
  r.instances[0].counters.still_running = 2;
  const auto res = properties::check_lifecycle(r);
  ASSERT_EQ(res.status, Status::violated);
  bool two_containers = false;
  for (const auto& v : res.violations) {
    two_containers = two_containers || v.detail.find("two containers") != std::string::npos;
  }
  EXPECT_TRUE(two_containers);
}

TEST(Lifecycle, CompletedCountMatchesFinalStates) {
  RunOutput r = b1_run();
  r.instances[0].final_states["A"].state = RequestState::timed_out;
  // completed 1 vs 0 COMPLETED, timed_out 0 vs 1, A has an e2e entry, and the log shows
  // REQUEST_LEFT(A).
  expect_violations(r, "INV-2", "A", {});
  EXPECT_EQ(properties::check_lifecycle(r).violations.size(), 4u);
}

TEST(Lifecycle, NotApplicableWithoutFinalStates) {
  RunOutput r = b1_run();
  r.instances[0].final_states.clear();
  EXPECT_EQ(properties::check_lifecycle(r).not_applicable_reason,
            "instances[].final_states missing");
}

TEST(StatInjected, InjectedIsTheBucketSum) {
  RunOutput r = b1_run();
  r.aggregate.statistics.injected_requests = 2;
  expect_violations(r, "STAT-INJECTED", "", {});
  RunOutput q = b1_run();
  q.instances[0].statistics->injected_requests = 0;
  expect_violations(q, "STAT-INJECTED", "instance_0", {});
}

TEST(StatInjected, ZeroWhenNothingCompleted) {
  // The drop-at-start run has aggregate completed = 0 but dropped_unservable = 1: §10.5 makes
  // every statistic 0, injected_requests included.
  RunOutput r = b2_drop_at_start_run();
  EXPECT_EQ(properties::check_stat_injected(r).status, Status::held);
  r.aggregate.statistics.injected_requests = 1;
  expect_violations(r, "STAT-INJECTED", "", {"C-1"});
}

TEST(Aggregation, CountersAreInstanceSums) {
  RunOutput r = b1_run();
  r.aggregate.counters.preemption_count = 1;
  expect_violations(r, "AGG-SUM-OF-INSTANCES", "", {});
}

TEST(Aggregation, PdCorrectionAppliedExactlyOnce) {
  RunOutput r = b2_run();
  // Uncorrected aggregate: completed = 1 + 1 (pd_prefill_completed not subtracted).
  r.aggregate.counters.completed = 2;
  const auto res = properties::check_agg_sum_of_instances(r);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_NE(res.violations[0].detail.find("-pd_prefill_completed"), std::string::npos)
      << res.violations[0].detail;
}

TEST(Aggregation, ListsAndMapsAreMerged) {
  RunOutput r = b2_run();
  r.aggregate.all_itls = std::vector<int64_t>{1060};
  r.aggregate.step_counters = std::vector<int64_t>{1, 0};
  const auto res = properties::check_agg_sum_of_instances(r);
  EXPECT_EQ(res.violations.size(), 2u);
  RunOutput m = b1_run();
  m.instances[0].maps.itl_avg["A"] = 1059.0;  // the aggregate keeps 1060
  const auto merged = properties::check_agg_sum_of_instances(m);
  ASSERT_EQ(merged.status, Status::violated);
  EXPECT_EQ(merged.violations[0].subject, "A");
}

TEST(Aggregation, NotApplicableWithoutInstancesOrPdCounters) {
  RunOutput r = b1_run();
  r.instances.clear();
  EXPECT_EQ(properties::check_agg_sum_of_instances(r).not_applicable_reason, "instances missing");
  RunOutput p = b2_run();
  p.pd.reset();
  EXPECT_EQ(properties::check_agg_sum_of_instances(p).not_applicable_reason,
            "PD counters missing (needed for §10.3)");
}

}  // namespace
}  // namespace simcheck::testing
