// io/blis_debug_log: BLIS's --log debug stream -> step log and phase times. The recorded log
// (tests/data/blis-debug/pd-two-requests.*) is real BLIS output (commit d6426f04, 1 prefill +
// 1 decode pod, two one-token requests at 0 and 20 µs, constant step 40 µs, transfer 134 µs);
// every expectation below was read off that log by hand.
#include "io/blis_debug_log.h"

#include <gtest/gtest.h>

#include <string>

#include "io/external_input.h"

namespace simcheck::io {
namespace {

std::string data(const std::string& name) {
  InputError e;
  auto text =
      read_text_file(std::string(SIMCHECK_SOURCE_DIR) + "/tests/data/blis-debug/" + name, e);
  EXPECT_TRUE(text.has_value()) << describe(e);
  return text.value_or("");
}

BlisTimeline parse(const std::string& text) {
  auto r = parse_blis_debug_log(NamedText{"log", text});
  EXPECT_TRUE(std::holds_alternative<BlisTimeline>(r)) << describe(std::get<InputError>(r));
  return std::holds_alternative<BlisTimeline>(r) ? std::get<BlisTimeline>(r) : BlisTimeline{};
}

std::string rec(const std::string& msg) {
  std::string q;
  for (char c : msg) q += c == '"' ? std::string("\\\"") : std::string(1, c);
  return "time=\"2026-01-01T00:00:00Z\" level=debug msg=\"" + q + "\"\n";
}

TEST(BlisDebugLog, RecordedPdRunStepsPerInstance) {
  const BlisTimeline t = parse(data("pd-two-requests.stderr.txt"));
  ASSERT_EQ(t.steps.count("instance_0"), 1u);
  ASSERT_EQ(t.steps.count("instance_1"), 1u);
  const auto& p = t.steps.at("instance_0");
  ASSERT_EQ(p.size(), 2u);
  // Prefill pod: request_0_prefill's step at 0 ends when its RequestLeft fires (40); the step
  // for request_1_prefill starts at 20, inside it (BLIS detects completion at step start).
  EXPECT_EQ(p[0].start, 0);
  EXPECT_EQ(p[0].end, 40);
  EXPECT_EQ(p[0].batch, std::vector<std::string>{"request_0_prefill"});
  EXPECT_EQ(p[0].tokens, 1);
  EXPECT_EQ(p[1].start, 20);
  EXPECT_EQ(p[1].end, 60);
  EXPECT_EQ(p[1].batch, std::vector<std::string>{"request_1_prefill"});
  // The decode pod's reservation (AllocateBlock for request_0_decode inside the prefill step's
  // records) is not a member of the prefill step.
  const auto& d = t.steps.at("instance_1");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].start, 134);
  EXPECT_EQ(d[0].end, 174);
  EXPECT_EQ(d[0].batch, std::vector<std::string>{"request_0_decode"});
  EXPECT_EQ(d[1].start, 154);
  EXPECT_EQ(d[1].end, 194);
  EXPECT_EQ(t.unattributed_steps, 0);
  EXPECT_EQ(t.steps_without_end, 0);
}

TEST(BlisDebugLog, RecordedPdRunPhaseTimes) {
  const BlisTimeline t = parse(data("pd-two-requests.stderr.txt"));
  const auto& pre = t.phase_times.at("instance_0").at("request_0_prefill");
  EXPECT_EQ(pre.enqueued, 0);
  EXPECT_EQ(pre.first_scheduled, 0);
  EXPECT_EQ(pre.first_token_step_end, 40);
  EXPECT_EQ(pre.last_token_step_end, 40);
  EXPECT_EQ(pre.left, 40);
  const auto& dec = t.phase_times.at("instance_1").at("request_1_decode");
  EXPECT_EQ(dec.kv_from, "request_1_prefill");
  EXPECT_EQ(dec.kv_transfer_start, 20);  // logged inside the prefill step that starts at 20
  EXPECT_EQ(dec.kv_transfer_complete, 154);
  EXPECT_EQ(dec.enqueued, 154);
  EXPECT_EQ(dec.first_scheduled, 154);
  EXPECT_EQ(dec.first_token_step_end, 194);
  EXPECT_EQ(dec.last_token_step_end, 194);
  EXPECT_EQ(dec.left, 194);
}

TEST(BlisDebugLog, FinalTokenAllocationAndFailedAllocationAreNotScheduledTokens) {
  std::string log =
      rec("[cluster] req request_0 \xE2\x86\x92 instance instance_0 (reason=rr)") +
      rec("[cluster] req request_1 \xE2\x86\x92 instance instance_0 (reason=rr)") +
      rec("[tick 0000100] Executing *sim.StepEvent") +
      rec("AllocateBlock for ReqID: request_0, Num Inputs: 4, startIndex = 5, "
          "endIndex = 6") +
      rec("AllocateBlock for ReqID: request_1, Num Inputs: 8, startIndex = 0, "
          "endIndex = 8") +
      rec("KV cache full: cannot allocate 1 new + 0 cached blocks for req request_1") +
      rec("AllocateBlock for ReqID: request_0, Num Inputs: 4, startIndex = 6, "
          "endIndex = 7") +
      rec("Finished req: ID: request_0 at time: 150") +
      rec("[tick 0000130] Executing *sim.RequestLeftEvent") +
      rec("<< RequestLeft: request_0 at 130 ticks");
  const BlisTimeline t = parse(log);
  const auto& s = t.steps.at("instance_0");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].start, 100);
  EXPECT_EQ(s[0].end, 130);
  EXPECT_EQ(s[0].batch, std::vector<std::string>{"request_0"});
  EXPECT_EQ(s[0].tokens, 1);
  EXPECT_EQ(t.phase_times.at("instance_0").at("request_0").last_token_step_end, 130);
}

TEST(BlisDebugLog, StepEndIsTheNextStepWhenNothingFinished) {
  std::string log = rec("[cluster] req request_0 \xE2\x86\x92 instance instance_2 (reason=rr)") +
                    rec("[tick 0000000] Executing *sim.StepEvent") +
                    rec("AllocateBlock for ReqID: request_0, Num Inputs: 4, startIndex = 0, "
                        "endIndex = 4") +
                    rec("[tick 0000070] Executing *sim.StepEvent") +
                    rec("AllocateBlock for ReqID: request_0, Num Inputs: 4, startIndex = 4, "
                        "endIndex = 5");
  const BlisTimeline t = parse(log);
  const auto& s = t.steps.at("instance_2");
  ASSERT_EQ(s.size(), 1u);  // the last step has no visible end: reported, not guessed
  EXPECT_EQ(s[0].end, 70);
  EXPECT_EQ(t.steps_without_end, 1);
  EXPECT_EQ(t.phase_times.at("instance_2").at("request_0").first_token_step_end, 70);
}

TEST(BlisDebugLog, StepNamingNoRequestIsUnattributed) {
  const BlisTimeline t =
      parse(rec("[tick 0000005] Executing *sim.StepEvent") + rec("<< StepEvent at 5 ticks"));
  EXPECT_TRUE(t.steps.empty());
  EXPECT_EQ(t.unattributed_steps, 1);
}

TEST(BlisDebugLog, UnknownAndNonDebugLinesAreIgnored) {
  const BlisTimeline t =
      parse("garbage line\n" + rec("something BLIS added later") +
            "time=\"x\" level=info msg=\"[tick 0000001] Executing *sim.StepEvent\"\n");
  EXPECT_TRUE(t.steps.empty());
  EXPECT_EQ(t.unattributed_steps, 0);
}

TEST(BlisDebugLog, MalformedNumberIsAnErrorNamingTheLine) {
  auto r = parse_blis_debug_log(
      NamedText{"err.txt", rec("ok") + rec("[tick 00x1] Executing *sim.StepEvent")});
  ASSERT_TRUE(std::holds_alternative<InputError>(r));
  const InputError& e = std::get<InputError>(r);
  EXPECT_EQ(e.file, "err.txt");
  EXPECT_EQ(e.field, "line 2");
  EXPECT_EQ(e.value, "x1");
  auto r2 = parse_blis_debug_log(NamedText{"err.txt", rec("<< Queued: request_0 at 12a ticks")});
  ASSERT_TRUE(std::holds_alternative<InputError>(r2));
  EXPECT_EQ(std::get<InputError>(r2).value, "12a");
}

TEST(BlisDebugLog, ApplyPutsTheTimelineOnTheRunsInstances) {
  const BlisTimeline t = parse(data("pd-two-requests.stderr.txt"));
  model::RunOutput run;
  run.instances.resize(1);
  run.instances[0].id = "instance_1";
  apply_blis_timeline(t, run);
  ASSERT_TRUE(run.instances[0].steps.has_value());
  EXPECT_EQ(run.instances[0].steps->size(), 2u);
  ASSERT_TRUE(run.instances[0].phase_times.has_value());
  EXPECT_EQ(run.instances[0].phase_times->at("request_0_decode").left, 174);
  // instance_0 is in the log but not in the run: said, not invented.
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_NE(run.warnings[0].find("instance_0"), std::string::npos);
}

}  // namespace
}  // namespace simcheck::io
