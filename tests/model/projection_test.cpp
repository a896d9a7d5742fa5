// Spec §10.4 (every branch, including the ones unreachable in v1: T-NEGATIVE, T-NONE,
// E-NEGATIVE, late drop), §13 A1/A13, and the Appendix A eras, on synthetic parents.
#include "model/projection.h"

#include <gtest/gtest.h>

namespace simcheck::model {
namespace {

// B.2's parent A after the run (all numbers from Appendix B.2): prefill TTFT 1170 (= its E2E),
// prefill sched delay 120, decode sched delay 171, decode E2E 2120, decode itl [1060, 1060],
// itl_avg 1060, transfer 120 → 171, CT = 1221, ttft_sum = 1170 (prefill) + 0 (decode FTT).
struct Fixture {
  MetricMaps maps;
  int64_t ttft_sum = 1170;
  std::vector<ParentRecord> parents;
  std::vector<std::string> warnings;

  Fixture() {
    maps.completion_time.emplace();
    maps.ttft["A_prefill"] = 1170;
    maps.e2e["A_prefill"] = 1170;
    maps.itl_avg["A_prefill"] = 0;
    maps.sched_delay["A_prefill"] = 120;
    (*maps.completion_time)["A_prefill"] = 1170;
    maps.requests_meta["A_prefill"] = RequestMeta{0, 20, 0, "instance_0", false};
    maps.e2e["A_decode"] = 2120;
    maps.itl_avg["A_decode"] = 1060;
    maps.sched_delay["A_decode"] = 171;
    (*maps.completion_time)["A_decode"] = 2120;
    maps.requests_meta["A_decode"] = RequestMeta{0, 20, 3, "instance_1", false};
    // An unrelated non-PD request must be left alone.
    maps.ttft["other"] = 5;
    maps.e2e["other"] = 7;

    ParentRecord p;
    p.id = "A";
    p.prefill_id = "A_prefill";
    p.decode_id = "A_decode";
    p.input_len = 20;
    p.output_len = 3;
    p.num_kv_blocks = 2;
    p.arrival = 0;
    p.decode_instance = "instance_1";
    p.prefill_instance = "instance_0";
    p.prefill_complete_time = 120;
    p.transfer_start_time = 120;
    p.transfer_complete_time = 171;
    p.decode_enqueue_time = 171;
    p.completion_time = 1221;
    p.decode_detect_tick = 1221;
    p.decode_sub = DecodeSubRecord{RequestState::completed, 22, 0, {1060, 1060}};
    p.outcome = ParentOutcome::decode_completed;
    parents.push_back(p);
  }

  void run(ProjectionEra era = ProjectionEra::current, bool dropped_counts = true) {
    project_pd_metrics(ProjectionTarget{maps, ttft_sum}, parents,
                       ProjectionRules{era, dropped_counts}, warnings);
  }
  const ParentRecord& parent() const { return parents.front(); }

  // INV-PD-6: no key of any map names a sub-request after projection.
  void expect_no_sub_keys() const {
    for (const char* k : {"A_prefill", "A_decode"}) {
      EXPECT_EQ(maps.ttft.count(k), 0u) << k;
      EXPECT_EQ(maps.e2e.count(k), 0u) << k;
      EXPECT_EQ(maps.itl_avg.count(k), 0u) << k;
      EXPECT_EQ(maps.sched_delay.count(k), 0u) << k;
      EXPECT_EQ(maps.completion_time->count(k), 0u) << k;
      EXPECT_EQ(maps.requests_meta.count(k), 0u) << k;
    }
    EXPECT_EQ(maps.ttft.at("other"), 5);
    EXPECT_EQ(maps.e2e.at("other"), 7);
  }
};

TEST(Projection, B2PrimaryBranches) {
  Fixture f;
  f.run();
  // E-PRIMARY: 171 + 2120 = 2291; T-PRIMARY: 171 + 1060 = 1231;
  // ttft_sum = 1170 + trunc(1231 − 1170) = 1231; completion_time = 0 + 2291.
  EXPECT_TRUE(f.parent().completed);
  EXPECT_EQ(f.parent().e2e_branch, E2eBranch::primary);
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::primary);
  EXPECT_EQ(f.maps.e2e.at("A"), 2291);
  EXPECT_EQ(f.maps.ttft.at("A"), 1231);
  EXPECT_EQ(f.ttft_sum, 1231);
  EXPECT_EQ(f.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(f.maps.itl_avg.at("A"), 1060);
  EXPECT_EQ(f.maps.completion_time->at("A"), 2291);
  const RequestMeta& meta = f.maps.requests_meta.at("A");
  EXPECT_EQ(meta.handled_by, "instance_1");
  EXPECT_EQ(meta.num_prefill_tokens, 20);
  EXPECT_EQ(meta.num_decode_tokens, 3);
  EXPECT_EQ(meta.arrived_at_s, 0.0);
  f.expect_no_sub_keys();
  EXPECT_EQ(f.parent().completion_time, 1221);  // the lifecycle field is not touched
  EXPECT_TRUE(f.warnings.empty());
}

TEST(Projection, PreemptedDecodeUsesItsOwnE2e) {
  Fixture f;
  // A re-prefilled decode sub-request: FTT ≠ 0; its own E2E (say 3000) already spans from the
  // arrival. E-PREEMPTED: e2e = de = 3000. Post-re-prefill itl [1060] → T-PRIMARY 171 + 1060.
  f.parents[0].decode_sub->first_token_time = 1500;
  f.parents[0].decode_sub->itl = {1060};
  f.maps.e2e["A_decode"] = 3000;
  f.run();
  EXPECT_EQ(f.parent().e2e_branch, E2eBranch::preempted);
  EXPECT_EQ(f.maps.e2e.at("A"), 3000);
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::primary);
  EXPECT_EQ(f.maps.ttft.at("A"), 1231);
  EXPECT_EQ(f.maps.completion_time->at("A"), 3000);
}

TEST(Projection, PreemptedDecodeWithEmptyItlFallsBackToPrefillTtft) {
  Fixture f;
  f.parents[0].decode_sub->first_token_time = 1500;
  f.parents[0].decode_sub->itl.clear();
  f.run();
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
  EXPECT_EQ(f.ttft_sum, 1170);  // no delta on the fallback branch
}

TEST(Projection, DropAtTransferStartIsCompletedWithFallbacks) {
  Fixture f;
  // Drop at start at t = 120: completion = transfer_start = 120, no decode sub-request, no
  // decode entries. E-FALLBACK = 120 − 0 = 120; T-FALLBACK = pt = 1170 (A2: ttft > e2e).
  ParentRecord& p = f.parents[0];
  p.decode_sub.reset();
  p.transfer_complete_time = 0;
  p.decode_enqueue_time = 0;
  p.completion_time = 120;
  p.decode_detect_tick = 0;
  p.outcome = ParentOutcome::dropped_at_start;
  for (const char* k : {"A_decode"}) {
    f.maps.e2e.erase(k);
    f.maps.itl_avg.erase(k);
    f.maps.sched_delay.erase(k);
    f.maps.completion_time->erase(k);
    f.maps.requests_meta.erase(k);
  }
  f.run();
  EXPECT_TRUE(p.completed);
  EXPECT_EQ(p.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(p.ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(f.maps.e2e.at("A"), 120);
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
  EXPECT_EQ(f.maps.completion_time->at("A"), 120);
  EXPECT_EQ(f.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(f.maps.itl_avg.count("A"), 0u);  // INV-PD-6: only when the decode completed
  EXPECT_EQ(f.ttft_sum, 1170);
  f.expect_no_sub_keys();
}

TEST(Projection, DropAtTimeZeroIsNotCompleted) {
  Fixture f;
  ParentRecord& p = f.parents[0];
  // ⚑ A13: completion_time = 0 fails the `> 0` test: no parent entries, sub keys still erased.
  p.decode_sub.reset();
  p.completion_time = 0;
  p.outcome = ParentOutcome::dropped_at_start;
  f.run();
  EXPECT_FALSE(p.completed);
  EXPECT_EQ(p.e2e_branch, E2eBranch::none);
  EXPECT_EQ(p.ttft_branch, TtftBranch::none);
  for (const char* k : {"A"}) {
    EXPECT_EQ(f.maps.ttft.count(k), 0u);
    EXPECT_EQ(f.maps.e2e.count(k), 0u);
    EXPECT_EQ(f.maps.sched_delay.count(k), 0u);
    EXPECT_EQ(f.maps.requests_meta.count(k), 0u);
    EXPECT_EQ(f.maps.completion_time->count(k), 0u);
  }
  f.expect_no_sub_keys();
  EXPECT_EQ(f.ttft_sum, 1170);
}

TEST(Projection, DecodeTimeoutWithItlIsPrimaryTtftFallbackE2e) {
  Fixture f;
  ParentRecord& p = f.parents[0];
  // Decode timed out at 1500 after one decode step: sched_delay[dec] = 171 and itl [1060]
  // exist, e2e[dec] does not. E-FALLBACK = 1500 − 0; T-PRIMARY = 171 + 1060 = 1231.
  p.decode_sub = DecodeSubRecord{RequestState::timed_out, 21, 0, {1060}};
  p.completion_time = 1500;
  p.outcome = ParentOutcome::decode_timed_out;
  f.maps.e2e.erase("A_decode");
  f.maps.itl_avg.erase("A_decode");
  f.maps.completion_time->erase("A_decode");
  f.run();
  EXPECT_EQ(p.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(f.maps.e2e.at("A"), 1500);
  EXPECT_EQ(p.ttft_branch, TtftBranch::primary);
  EXPECT_EQ(f.maps.ttft.at("A"), 1231);
  EXPECT_EQ(f.ttft_sum, 1231);
  EXPECT_EQ(f.maps.itl_avg.count("A"), 0u);
}

TEST(Projection, LateDropUnreachableInV1) {
  Fixture f;
  ParentRecord& p = f.parents[0];
  // §9.6 late drop at transfer completion 171: decode_sub cleared, completion_time = 171,
  // no decode entries. E-FALLBACK = 171, T-FALLBACK = 1170.
  p.decode_sub.reset();
  p.decode_enqueue_time = 0;
  p.completion_time = 171;
  p.outcome = ParentOutcome::late_drop;
  f.maps.e2e.erase("A_decode");
  f.maps.itl_avg.erase("A_decode");
  f.maps.sched_delay.erase("A_decode");
  f.maps.completion_time->erase("A_decode");
  f.maps.requests_meta.erase("A_decode");
  f.run();
  EXPECT_TRUE(p.completed);
  EXPECT_EQ(p.e2e_branch, E2eBranch::fallback);
  EXPECT_EQ(f.maps.e2e.at("A"), 171);
  EXPECT_EQ(p.ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
}

TEST(Projection, NegativeBranchesUnreachableInV1) {
  Fixture f;
  // A synthetic decode scheduling delay of −5000: T: −5000 + 1060 = −3940 < 0 → T-NEGATIVE,
  // ttft[A] = pt = 1170, no ttft_sum change. E: 2120 + (−5000) = −2880 < 0 → E-NEGATIVE:
  // nothing inserted (and so no completion_time entry), an error is logged.
  f.maps.sched_delay["A_decode"] = -5000;
  f.run();
  const ParentRecord& p = f.parent();
  EXPECT_EQ(p.ttft_branch, TtftBranch::negative);
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
  EXPECT_EQ(f.ttft_sum, 1170);
  EXPECT_EQ(p.e2e_branch, E2eBranch::negative);
  EXPECT_EQ(f.maps.e2e.count("A"), 0u);
  EXPECT_EQ(f.maps.completion_time->count("A"), 0u);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_NE(f.warnings[0].find("A"), std::string::npos);
  f.expect_no_sub_keys();
}

TEST(Projection, NoPrefillTtftIsTNone) {
  Fixture f;
  f.maps.ttft.erase("A_prefill");
  f.run();
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::none);
  EXPECT_EQ(f.maps.ttft.count("A"), 0u);
  EXPECT_EQ(f.ttft_sum, 1170);
  EXPECT_EQ(f.maps.e2e.at("A"), 2291);  // E2E unaffected
}

TEST(Projection, DroppedParentNotCompletedWhenQuirkOff) {
  Fixture f;
  ParentRecord& p = f.parents[0];
  p.decode_sub.reset();
  p.completion_time = 120;
  p.outcome = ParentOutcome::dropped_at_start;
  f.run(ProjectionEra::current, /*dropped_counts=*/false);
  EXPECT_FALSE(p.completed);
  EXPECT_EQ(f.maps.e2e.count("A"), 0u);
  EXPECT_EQ(f.maps.ttft.count("A"), 0u);
  f.expect_no_sub_keys();
}

TEST(Projection, DecodeCompletedStillCompletedWhenQuirkOff) {
  Fixture f;
  f.run(ProjectionEra::current, /*dropped_counts=*/false);
  EXPECT_TRUE(f.parent().completed);
  EXPECT_EQ(f.maps.e2e.at("A"), 2291);
}

// ---- Appendix A eras on B.2's parent (historical values quoted in B.2) ----

TEST(ProjectionEras, Pre1514E2eIsCtMinusArrival) {
  Fixture f;
  f.run(ProjectionEra::pre_1514);
  // "before #1513 e2e = CT − arrival = 1221"; TTFT rule is already the current one: 1231.
  EXPECT_EQ(f.maps.e2e.at("A"), 1221);
  EXPECT_EQ(f.maps.ttft.at("A"), 1231);
  EXPECT_EQ(f.ttft_sum, 1231);
  EXPECT_EQ(f.maps.completion_time->at("A"), 1221);    // completion_time[pid] = CT
  EXPECT_LT(f.maps.e2e.at("A"), f.maps.ttft.at("A"));  // the INV-5 violation of #1513
}

TEST(ProjectionEras, Pre1512TtftAddsTransferAndItl0) {
  Fixture f;
  f.run(ProjectionEra::pre_1512);
  // "before #1510 ttft = 1170 + 51 + 1060 = 2281"; ttft_sum = 1170 + trunc(2281 − 1170) = 2281.
  EXPECT_EQ(f.maps.ttft.at("A"), 2281);
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::primary);
  EXPECT_EQ(f.ttft_sum, 2281);
  EXPECT_EQ(f.maps.e2e.at("A"), 1221);
  EXPECT_EQ(f.maps.completion_time->at("A"), 1221);
}

TEST(ProjectionEras, Pre1512HasNoNegativeGuardAndNeedsTransferStart) {
  Fixture f;
  // transfer_start = 0 fails the #931 guard → pt.
  f.parents[0].transfer_start_time = 0;
  f.run(ProjectionEra::pre_1512);
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
}

TEST(ProjectionEras, Pre931KeepsPrefillTtft) {
  Fixture f;
  f.run(ProjectionEra::pre_931);
  // "before #931 ttft = 1170", no ttft_sum change, E2E = CT − arrival = 1221.
  EXPECT_EQ(f.maps.ttft.at("A"), 1170);
  EXPECT_EQ(f.parent().ttft_branch, TtftBranch::fallback);
  EXPECT_EQ(f.ttft_sum, 1170);
  EXPECT_EQ(f.maps.e2e.at("A"), 1221);
  EXPECT_EQ(f.maps.sched_delay.at("A"), 120);  // the prefill's
  EXPECT_EQ(f.maps.itl_avg.at("A"), 1060);     // the decode's
  f.expect_no_sub_keys();
}

TEST(ProjectionEras, Pre846SameProjectionAsPre931) {
  // The #840 → #846 era differs from #846 → #931 only in how the cluster sets CT (no P), which
  // the projection takes as given: with CT = 1221 the outputs coincide.
  Fixture a, b;
  a.run(ProjectionEra::pre_846);
  b.run(ProjectionEra::pre_931);
  EXPECT_EQ(a.maps.ttft, b.maps.ttft);
  EXPECT_EQ(a.maps.e2e, b.maps.e2e);
  EXPECT_EQ(*a.maps.completion_time, *b.maps.completion_time);
  EXPECT_EQ(a.ttft_sum, b.ttft_sum);
}

TEST(Projection, ResultDoesNotDependOnParentOrder) {
  // Two parents; projecting in either order gives the same maps and ttft_sum.
  auto build = [](bool reversed) {
    Fixture f;
    ParentRecord q = f.parents[0];
    q.id = "B";
    q.prefill_id = "B_prefill";
    q.decode_id = "B_decode";
    f.maps.ttft["B_prefill"] = 1000;
    f.maps.sched_delay["B_prefill"] = 100;
    f.maps.sched_delay["B_decode"] = 200;
    f.maps.e2e["B_decode"] = 500;
    f.ttft_sum += 1000;
    if (reversed) {
      f.parents.insert(f.parents.begin(), q);
    } else {
      f.parents.push_back(q);
    }
    f.run();
    return f;
  };
  Fixture a = build(false), b = build(true);
  EXPECT_EQ(a.maps.ttft, b.maps.ttft);
  EXPECT_EQ(a.maps.e2e, b.maps.e2e);
  EXPECT_EQ(a.ttft_sum, b.ttft_sum);
  // B: T-PRIMARY 200 + 1060 = 1260; sum = 1170 + 1000 + 61 + 260 = 2491.
  EXPECT_EQ(a.maps.ttft.at("B"), 1260);
  EXPECT_EQ(a.ttft_sum, 2491);
}

}  // namespace
}  // namespace simcheck::model
