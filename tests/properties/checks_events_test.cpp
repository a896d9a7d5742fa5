// Checks over the processed-event log: INV-3 (clock, with the stale-deadline known exception),
// LAW-END-TIME, INV-4 (KV blocks), INV-8 (work conservation), INV-2's re-entry rule.
#include <gtest/gtest.h>

#include "check_expectations.h"
#include "properties/checks.h"
#include "synthetic_runs.h"

namespace simcheck::testing {
namespace {

using properties::CheckOptions;
using properties::is_gating;

TEST(Clock, ATimeStepBackFails) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[5].time = 1100;  // STEP after the STEP at 1160
  expect_violations(r, "INV-3", "instance_0", {});
}

// B.2 where A's deadline (150) passes during the KV transfer (120 -> 171): ENQUEUE_DECODE
// schedules TIMEOUT(A_decode) at 150 < the instance's last event; it runs next, stepping the
// clock back (§9.7). Here we only shape what INV-3 and INV-PD-4 read.
RunOutput stale_deadline_run() {
  RunOutput r = b2_run();
  (*r.trace)[0].deadline = 150;
  auto& ev = *r.instances[1].events;
  ev = {ev[0], ev[1], ev[2]};  // STEP 171, SCHEDULED 171, STEP 1221
  ev.push_back(testing::ev(150, EventKind::timeout, "A_decode", 0, 0, 0, 1000, 0));
  ParentRecord& p = (*r.parents)[0];
  p.outcome = ParentOutcome::decode_timed_out;
  p.completion_time = 150;
  p.decode_sub->state = RequestState::timed_out;
  return r;
}

TEST(Clock, StaleDecodeDeadlineIsAKnownException) {
  const RunOutput r = stale_deadline_run();
  const auto res = properties::check_clock(r);
  ASSERT_EQ(res.status, Status::violated);
  ASSERT_EQ(res.violations.size(), 1u);
  EXPECT_TRUE(res.violations[0].known_exception);
  EXPECT_EQ(res.violations[0].subject, "instance_1");
  EXPECT_FALSE(is_gating(res, CheckOptions{false}));
  EXPECT_TRUE(is_gating(res, CheckOptions{true}));
}

TEST(Clock, StepBackIsAFailureWhenItIsNotTheDocumentedException) {
  RunOutput wrong_deadline = stale_deadline_run();
  (*wrong_deadline.trace)[0].deadline = 160;  // the TIMEOUT is not at the deadline
  EXPECT_TRUE(is_gating(properties::check_clock(wrong_deadline), CheckOptions{}));
  RunOutput quirk_off = stale_deadline_run();
  quirk_off.config->quirks.stale_decode_deadline = false;  // a causal profile: no exception
  EXPECT_TRUE(is_gating(properties::check_clock(quirk_off), CheckOptions{}));
  RunOutput not_decode = stale_deadline_run();
  (*not_decode.instances[1].events)[3].kind = EventKind::step;
  (*not_decode.instances[1].events)[3].request_id = "";
  EXPECT_TRUE(is_gating(properties::check_clock(not_decode), CheckOptions{}));
}

TEST(Clock, NotApplicableWithoutEventLog) {
  RunOutput r = b1_run();
  r.instances[0].events.reset();
  const auto results = properties::check_all(r);
  for (const char* id : {"INV-3", "LAW-END-TIME", "INV-8"}) {
    EXPECT_EQ(result_of(results, id).status, Status::not_applicable) << id;
    EXPECT_EQ(result_of(results, id).not_applicable_reason,
              "instances[].events missing (record_events off)");
  }
  // INV-4 still checks the end state without the log.
  EXPECT_EQ(result_of(results, "INV-4").status, Status::held);
}

TEST(EndTime, SimEndedIsTheLastProcessedEvent) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[6].time = 3300;  // REQUEST_LEFT later than sim_ended 3260
  expect_violations(r, "LAW-END-TIME", "instance_0", {});
  RunOutput h = b1_run();
  h.config->horizon_us = 3000;  // sim_ended must then be min(3260, 3000)
  const auto res = properties::check_end_time(h);
  ASSERT_EQ(res.status, Status::violated);
  EXPECT_NE(res.violations[0].detail.find("horizon=3000"), std::string::npos);
}

TEST(KvBlocks, FreePlusInUseIsTotalAtEveryEvent) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[2].kv_free_count = 997;  // 997 + 2 != 1000
  expect_violations(r, "INV-4", "instance_0", {});
}

TEST(KvBlocks, RefsEqualOwnerEntries) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[4].kv_ref_sum = 3;  // owners hold 2 entries
  expect_violations(r, "INV-4", "instance_0", {});
}

TEST(KvBlocks, NoBlocksAtTheEndWithoutPendingWork) {
  RunOutput r = b1_run();
  r.instances[0].kv_used_at_end = 2;
  expect_violations(r, "INV-4", "instance_0", {});
}

TEST(KvBlocks, OnlyRunningRequestsOrReservedDecodesOwnBlocks) {
  RunOutput r = b1_run();
  r.instances[0].final_states["A"].kv_blocks_owned = 2;  // COMPLETED requests released theirs
  expect_violations(r, "INV-4", "A", {});
  // A decode sub-request waiting for its KV may hold the reservation (transfer in flight).
  RunOutput t = b2_run();
  t.instances[1].final_states["A_decode"] =
      FinalRequestState{RequestState::waiting_for_remote_kvs, 20, 2};
  t.instances[1].kv_used_at_end = 2;
  (*t.parents)[0].decode_enqueue_time = 0;
  EXPECT_TRUE(properties::check_kv_blocks(t).violations.empty())
      << properties::check_kv_blocks(t).violations[0].detail;
}

TEST(WorkConservation, PendingWorkNeedsAPendingStep) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[4].steps_pending = 0;  // A is running after the STEP at 1160
  expect_violations(r, "INV-8", "instance_0", {});
}

TEST(WorkConservation, AtMostOneStepPending) {
  RunOutput r = b1_run();
  (*r.instances[0].events)[0].steps_pending = 2;
  expect_violations(r, "INV-8", "instance_0", {});
}

TEST(Lifecycle, NoReentryAfterLeaving) {
  RunOutput r = b1_run();
  r.instances[0].events->push_back(ev(3260, EventKind::scheduled, "A", 0, 0, 0, 1000, 0));
  // "an event after its REQUEST_LEFT" and 1 re-admission with preemption_count 0.
  expect_violations(r, "INV-2", "A", {});
  EXPECT_EQ(properties::check_lifecycle(r).violations.size(), 2u);
}

TEST(Lifecycle, QueuedNeedsArrival) {
  RunOutput r = b1_run();
  auto& ev = *r.instances[0].events;
  ev.erase(ev.begin());  // QUEUED(A) without ARRIVAL(A)
  expect_violations(r, "INV-2", "A", {});
}

}  // namespace
}  // namespace simcheck::testing
