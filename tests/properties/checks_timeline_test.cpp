// properties/check_timeline.cpp: each timeline law holds on a hand-built timeline and fails on a
// breach of it; a breach a faithful quirk explains is a known exception naming the quirk, any
// other breach gates.
//
// Base timeline (spec Appendix B.1, alpha = [100, 1, 10], beta = [1000, 2, 50]): request A,
// arrival 0, L = 20, N = 3. QUEUED at 100 + 1·20 = 120; prefill step [120, 1160) (1000 + 2·20
// = 1040), TTFT = 1160 + 10 − 0 = 1170; decode steps [1160, 2210) and [2210, 3260) (1000 + 50);
// E2E = 1170 + 1060 + 1060 = 3290.
#include <gtest/gtest.h>

#include "properties/checks.h"

namespace simcheck::properties {
namespace {

using model::RequestPhaseTimes;
using model::RunOutput;
using model::StepRecord;

StepRecord step(int64_t s, int64_t e, std::vector<std::string> batch, int64_t tokens) {
  StepRecord r;
  r.start = s;
  r.end = e;
  r.batch = std::move(batch);
  r.tokens = tokens;
  return r;
}

// A request that was queued and first scheduled at `start`, made its first token in the step
// ending at `first`, its last in the step ending at `last`, and left then.
RequestPhaseTimes phases(int64_t start, int64_t first, int64_t last) {
  RequestPhaseTimes t;
  t.enqueued = start;
  t.first_scheduled = start;
  t.first_token_step_end = first;
  t.last_token_step_end = last;
  t.left = last;
  return t;
}

RunOutput b1_timeline() {
  RunOutput run;
  model::TraceEntry a;
  a.id = "A";
  a.input_len = 20;
  a.output_len = 3;
  a.max_output_len = 3;
  run.trace = std::vector<model::TraceEntry>{a};
  run.config = model::Config{};
  run.instances.resize(1);
  model::InstanceOutput& inst = run.instances[0];
  inst.id = "instance_0";
  inst.steps = std::vector<StepRecord>{step(120, 1160, {"A"}, 20), step(1160, 2210, {"A"}, 1),
                                       step(2210, 3260, {"A"}, 1)};
  inst.phase_times.emplace();
  inst.phase_times->try_emplace("A", phases(120, 1160, 3260));
  run.aggregate.maps.ttft.try_emplace("A", 1170.0);
  run.aggregate.maps.e2e.try_emplace("A", 3290.0);
  return run;
}

// Appendix B.2's parent A disaggregated: prefill [120, 1160) on instance_0, the transfer
// [1160, 1211) (after the prefill step, as the causal profile has it), decode on instance_1
// from 1211.
RunOutput b2_timeline() {
  RunOutput run = b1_timeline();
  run.instances.resize(2);
  model::InstanceOutput& pre = run.instances[0];
  pre.steps = std::vector<StepRecord>{step(120, 1160, {"A_prefill"}, 20)};
  pre.phase_times.emplace();
  pre.phase_times->try_emplace("A_prefill", phases(120, 1160, 1160));
  model::InstanceOutput& dec = run.instances[1];
  dec.id = "instance_1";
  dec.steps =
      std::vector<StepRecord>{step(1211, 2261, {"A_decode"}, 1), step(2261, 3311, {"A_decode"}, 1),
                              step(3311, 4361, {"A_decode"}, 1)};
  RequestPhaseTimes d = phases(1211, 2261, 4361);
  d.kv_from = "A_prefill";
  d.kv_transfer_start = 1160;
  d.kv_transfer_complete = 1211;
  dec.phase_times.emplace();
  dec.phase_times->try_emplace("A_decode", d);
  run.aggregate.maps.ttft["A"] = 2271.0;
  run.aggregate.maps.e2e["A"] = 4391.0;
  return run;
}

model::RequestPhaseTimes& times(RunOutput& run, std::size_t inst, const std::string& id) {
  return run.instances[inst].phase_times->at(id);
}

struct Count {
  std::size_t gating = 0, known = 0;
};
Count count(const CheckResult& r) {
  Count c;
  for (const auto& v : r.violations) (v.known_exception ? c.known : c.gating)++;
  return c;
}

TEST(Timeline, BaseTimelinesHoldEveryLaw) {
  for (const RunOutput& run : {b1_timeline(), b2_timeline()}) {
    for (auto fn : {&check_law_c4_step_exclusive, &check_timeline_token_after_step}) {
      const CheckResult r = fn(run);
      EXPECT_EQ(r.status, Status::held) << r.id;
    }
  }
  EXPECT_EQ(check_timeline_kv_ready(b2_timeline()).status, Status::held);
  EXPECT_EQ(check_timeline_kv_ready(b1_timeline()).status, Status::not_applicable);
}

TEST(Timeline, NotApplicableWithoutTheTimeline) {
  RunOutput run;
  run.instances.resize(1);
  EXPECT_EQ(check_law_c4_step_exclusive(run).status, Status::not_applicable);
  EXPECT_EQ(check_timeline_kv_ready(run).status, Status::not_applicable);
  EXPECT_EQ(check_timeline_token_after_step(run).status, Status::not_applicable);
}

// The step log's own laws (LAW-C4-L2) on a timeline as the BLIS reader builds it: steps and
// phase times, no event log and no parent records.
TEST(Timeline, ClockBackwardsAndZeroLengthStepsGate) {
  RunOutput back = b1_timeline();
  (*back.instances[0].steps)[2].start = 100;  // starts before the previous step started
  (*back.instances[0].steps)[2].end = 3260;
  CheckResult r = check_law_c4_step_exclusive(back);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);
  EXPECT_EQ(r.violations[0].subject, "instance_0");
  RunOutput zero = b1_timeline();
  (*zero.instances[0].steps)[1].end = 1160;
  r = check_law_c4_step_exclusive(zero);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_NE(r.violations[0].detail.find("<= start=1160"), std::string::npos);
}

TEST(Timeline, OverlappingStepGatesUnlessEveryMemberFinishedInTheEarlierStep) {
  RunOutput run = b1_timeline();
  (*run.instances[0].steps)[1].start = 1100;  // inside [120, 1160); A did not finish there
  CheckResult r = check_law_c4_step_exclusive(run);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);
  EXPECT_NE(r.violations[0].detail.find("inside step 0 [120, 1160)"), std::string::npos);
  // O1: the earlier step's only member finished in it (completion detected at its start).
  RunOutput o1 = b2_timeline();
  (*o1.instances[1].steps)[0] = step(1211, 2261, {"B_decode"}, 1);
  model::RequestPhaseTimes b;
  b.last_token_step_end = 2261;
  b.left = 2261;
  o1.instances[1].phase_times->try_emplace("B_decode", b);
  (*o1.instances[1].steps)[1].start = 2000;
  r = check_law_c4_step_exclusive(o1);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 0u);
  EXPECT_EQ(count(r).known, 1u);
  EXPECT_NE(r.violations[0].detail.find("O1/A5"), std::string::npos);
}

TEST(Timeline, TransferBeforeThePrefillStepEndsIsA5OnlyInsideTheLastStep) {
  RunOutput a5 = b2_timeline();
  times(a5, 1, "A_decode").kv_transfer_start = 120;  // at the prefill step's start (BLIS)
  CheckResult r = check_timeline_kv_ready(a5);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).known, 1u);
  EXPECT_EQ(r.violations[0].subject, "A_decode");
  EXPECT_NE(r.violations[0].detail.find("explained by A5"), std::string::npos);

  RunOutput early = b2_timeline();
  times(early, 1, "A_decode").kv_transfer_start = 50;  // before the prefill was even scheduled
  r = check_timeline_kv_ready(early);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);

  RunOutput use = b2_timeline();
  times(use, 1, "A_decode").first_scheduled = 1200;  // decoding before the KV arrived (1211)
  r = check_timeline_kv_ready(use);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);
  EXPECT_NE(r.violations[0].detail.find("kv_transfer_complete=1211"), std::string::npos);
}

TEST(Timeline, TokenBeforeItsStepEnds) {
  RunOutput ttft = b1_timeline();
  ttft.aggregate.maps.ttft["A"] = 1159.0;  // 0 + 1159 < 1160
  CheckResult r = check_timeline_token_after_step(ttft);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);
  EXPECT_EQ(r.violations[0].subject, "A");

  RunOutput e2e = b1_timeline();
  e2e.aggregate.maps.e2e["A"] = 3259.0;  // no skipped step explains it
  r = check_timeline_token_after_step(e2e);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).gating, 1u);

  // O3: the instance ran a step without A between A's first and last token.
  RunOutput o3 = b1_timeline();
  o3.aggregate.maps.e2e["A"] = 3259.0;
  o3.instances[0].steps =
      std::vector<StepRecord>{step(120, 1160, {"A"}, 20), step(1160, 1500, {"B"}, 1),
                              step(1500, 2210, {"A"}, 1), step(2210, 3260, {"A"}, 1)};
  r = check_timeline_token_after_step(o3);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).known, 1u);
  EXPECT_NE(r.violations[0].detail.find("explained by O3"), std::string::npos);

  // A PD parent's E2E that misses its last decode step: A18.
  RunOutput a18 = b2_timeline();
  a18.aggregate.maps.e2e["A"] = 3341.0;  // the faithful value: ends a step before 4361
  r = check_timeline_token_after_step(a18);
  ASSERT_EQ(r.status, Status::violated);
  EXPECT_EQ(count(r).known, 1u);
  EXPECT_NE(r.violations[0].detail.find("explained by A18"), std::string::npos);
}

}  // namespace
}  // namespace simcheck::properties
