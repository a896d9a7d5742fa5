// The strict laws of Addendum C §C4 (LAW-C4-L1 … L11) and L12: each holds on causal runs of the
// reference model and fails, gating, on a hand-broken copy; under the faithful profile its
// breaches are known exceptions naming their quirk; RapidCheck properties over generated cases
// (causal: no law fires; faithful: every firing is a known exception), and L12 on a lone request.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <string>

#include "model/simulate.h"
#include "properties/checks.h"
#include "properties/gen/case_gen.h"
#include "tests/model/trace_builder.h"
#include "tests/properties/rc_support.h"

namespace simcheck::properties {
namespace {

using model::RunOutput;
using model::testing::appendix_b2_config;
using model::testing::appendix_b_config;
using model::testing::make_request;

RunOutput run(model::Config c, bool causal, int64_t n = 3, int64_t deadline = 0) {
  if (causal) c.time_profile = model::TimeProfile::causal;
  c.record_events = true;
  return model::simulate(c, 42, model::Trace{make_request("A", 0, 20, n, 1, deadline)});
}
RunOutput b1(bool causal = true) { return run(appendix_b_config(), causal); }
RunOutput b2(bool causal = true) { return run(appendix_b2_config(), causal); }

bool gating(const CheckResult& r) { return is_gating(r, CheckOptions{}); }
std::string describe(const CheckResult& r) {
  std::string s = r.id + ": " + r.not_applicable_reason;
  for (const auto& v : r.violations) s += "\n  [" + v.subject + "] " + v.detail;
  return s;
}

void expect_holds(CheckFn f, const RunOutput& out) {
  const CheckResult r = f(out);
  EXPECT_EQ(r.status, Status::held) << describe(r);
  EXPECT_TRUE(r.violations.empty()) << describe(r);
}
void expect_fails(CheckFn f, const RunOutput& out) {
  const CheckResult r = f(out);
  EXPECT_EQ(r.status, Status::violated) << describe(r);
  EXPECT_TRUE(gating(r)) << describe(r);
}
void expect_known(CheckFn f, const RunOutput& out, const std::string& quirk) {
  const CheckResult r = f(out);
  ASSERT_EQ(r.status, Status::violated) << describe(r);
  EXPECT_FALSE(gating(r)) << describe(r);
  for (const auto& v : r.violations) {
    EXPECT_NE(v.detail.find("explained by " + quirk), std::string::npos) << v.detail;
  }
}

model::ParentRecord& parent(RunOutput& out) { return out.parents->front(); }

TEST(CausalLaws, HoldOnTheGoldenRuns) {
  for (const RunOutput& out :
       {b1(), b2(), run(appendix_b2_config(), true, 1), run(appendix_b_config(), true, 3, 1165)}) {
    for (CheckFn f : {&check_law_c4_clock, &check_law_c4_step_exclusive, &check_law_c4_tokens,
                      &check_law_c4_latency_order, &check_law_c4_no_phantom_token,
                      &check_law_c4_no_early_completion, &check_law_c4_horizon}) {
      expect_holds(f, out);
    }
    EXPECT_FALSE(gating(check_law_c4_deadline(out)));
  }
  for (CheckFn f :
       {&check_law_c4_kv_ready, &check_law_c4_phase_order, &check_law_c4_pd_first_token}) {
    expect_holds(f, b2());
  }
  expect_holds(&check_law_c4_deadline, run(appendix_b_config(), true, 3, 3260));  // tie: in time
}

TEST(CausalLaws, L1ClockFails) {
  RunOutput out = b1();
  (*out.instances[0].events)[3].time = 5;  // after QUEUED at 120
  expect_fails(&check_law_c4_clock, out);
}

TEST(CausalLaws, L2StepExclusiveFails) {
  RunOutput out = b1();
  (*out.instances[0].steps)[1].start = 1159;  // inside [120, 1160)
  expect_fails(&check_law_c4_step_exclusive, out);
}

TEST(CausalLaws, L3KvReadyFails) {
  RunOutput out = b2();
  parent(out).transfer_start_time = 1159;  // before the prefill step's end 1160
  expect_fails(&check_law_c4_kv_ready, out);
}

TEST(CausalLaws, L4PhaseOrderFails) {
  RunOutput out = b2();
  parent(out).decode_detect_tick = 3311;  // the start of the last decode step
  parent(out).completion_time = 3311;
  expect_fails(&check_law_c4_phase_order, out);
}

TEST(CausalLaws, L5PdFirstTokenFails) {
  RunOutput out = b2();
  out.aggregate.maps.ttft["A"] = 2270;  // bound: (1160 − 0) + 51 + 1050 + 10 = 2271
  expect_fails(&check_law_c4_pd_first_token, out);
}

TEST(CausalLaws, L6TokensFails) {
  RunOutput out = b2();
  parent(out).decode_sub->itl.push_back(1060);  // N tokens need N − 1 gaps
  expect_fails(&check_law_c4_tokens, out);
}

TEST(CausalLaws, L7LatencyOrderFails) {
  RunOutput out = b1();
  out.aggregate.maps.e2e["A"] = 1169;  // < ttft 1170
  expect_fails(&check_law_c4_latency_order, out);
}

TEST(CausalLaws, L8NoPhantomTokenFails) {
  RunOutput out = b1();
  out.aggregate.maps.ttft["A"] = 120 + 1011;  // sched_delay 120; s_P + OTP = 1012
  expect_fails(&check_law_c4_no_phantom_token, out);
}

TEST(CausalLaws, L9DeadlineFails) {
  RunOutput out = b1();
  (*out.trace)[0].deadline = 3259;  // last token at 3260
  expect_fails(&check_law_c4_deadline, out);
}

TEST(CausalLaws, L10NoEarlyCompletionFails) {
  RunOutput out = b1();
  out.aggregate.maps.e2e["A"] = 3289;  // 3289 − 3·10 = 3259 != t_left 3260
  expect_fails(&check_law_c4_no_early_completion, out);
}

TEST(CausalLaws, L11HorizonFails) {
  RunOutput out = b1();
  out.aggregate.counters.sim_ended = 3259;  // last token at 3260
  expect_fails(&check_law_c4_horizon, out);
}

// Faithful B.2 (Appendix B.2): the transfer starts at the prefill step's start (A5), TTFT 1231 <
// 2271 (A5), and the decode's first step is both in TTFT and in the ITL list (A18).
TEST(CausalLaws, FaithfulBreachesNameTheirQuirk) {
  const RunOutput out = b2(false);
  expect_known(&check_law_c4_kv_ready, out, "A5");
  expect_known(&check_law_c4_pd_first_token, out, "A5");
  expect_known(&check_law_c4_tokens, out, "A18");
  expect_known(&check_law_c4_no_early_completion, out, "A18");
  // The same breach without the quirk's shape gates: A5 switched off moves detection to the
  // step end, so a transfer starting early is unexplained.
  RunOutput off = b2(false);
  off.config->quirks.detect_completion_at_step_start = false;
  expect_fails(&check_law_c4_kv_ready, off);
}

bool is_law(const Violation& v) { return v.invariant.rfind("LAW-C4-", 0) == 0; }

TEST(CausalLaws, NoLawFiresOnGeneratedCausalCases) {
  testing::check_property(
      [] {
        gen::CaseGenOptions o;
        o.profile = gen::ProfileMix::causal;
        const RunOutput out = model::simulate(*gen::gen_case(o));
        for (const CheckResult& r : check_all(out)) {
          for (const Violation& v : r.violations) {
            RC_ASSERT_FALSE(v.known_exception);  // causal: no exception anywhere (Δ9)
            if (is_law(v)) RC_FAIL(v.invariant + " [" + v.subject + "] " + v.detail);
          }
          RC_ASSERT(!is_gating(r, CheckOptions{}));
        }
      },
      300);
}

TEST(CausalLaws, EveryFaithfulFiringIsAKnownException) {
  testing::check_property(
      [] {
        const RunOutput out = model::simulate(*gen::gen_case());
        for (const CheckResult& r : check_all(out)) {
          for (const Violation& v : r.violations) {
            if (is_law(v) && !v.known_exception) {
              RC_FAIL(v.invariant + " [" + v.subject + "] " + v.detail);
            }
            if (is_law(v)) RC_ASSERT(v.detail.find("explained by ") != std::string::npos);
          }
        }
      },
      300);
}

// L12: a lone request under causal, PD vs co-located, same coefficients and no KV pressure:
// e2e_PD − e2e_coloc = ttft_PD − ttft_coloc = dur + s_D.
TEST(CausalLaws, L12PdOverheadIsTransferPlusOneDecodeStep) {
  testing::check_property(
      [] {
        const int64_t L = *rc::gen::inRange<int64_t>(1, 200);
        const int64_t N = *rc::gen::inRange<int64_t>(1, 40);
        const int64_t arrival = *rc::gen::inRange<int64_t>(0, 5000);
        model::Config c = appendix_b_config();
        c.time_profile = model::TimeProfile::causal;
        c.alpha = {static_cast<double>(*rc::gen::inRange(0, 400)),
                   static_cast<double>(*rc::gen::inRange(0, 4)),
                   static_cast<double>(*rc::gen::inRange(0, 30))};
        c.beta = {static_cast<double>(*rc::gen::inRange(0, 2000)),
                  static_cast<double>(*rc::gen::inRange(0, 8)),
                  static_cast<double>(*rc::gen::inRange(0, 80))};
        c.post_decode_fixed_overhead_us = *rc::gen::inRange(0, 100);
        c.num_instances = 2;  // same instance count in both runs; the lone request uses one
        const model::Trace trace{make_request("A", arrival, L, N, 1)};
        const RunOutput coloc = model::simulate(c, 1, trace);
        model::Config pd = c;
        pd.prefill_instances = 1;
        pd.decode_instances = 1;
        pd.pd_decider = model::PdDecider::always;
        pd.kv_bytes_per_token = 512;
        const RunOutput dis = model::simulate(pd, 1, trace);
        const auto& p = dis.parents->front();
        const int64_t dur = p.transfer_complete_time - p.transfer_start_time;
        const int64_t s_d = std::max<int64_t>(1, static_cast<int64_t>(c.beta[0] + c.beta[2]));
        RC_ASSERT(dis.aggregate.maps.e2e.at("A") - coloc.aggregate.maps.e2e.at("A") ==
                  static_cast<double>(dur + s_d));
        RC_ASSERT(dis.aggregate.maps.ttft.at("A") - coloc.aggregate.maps.ttft.at("A") ==
                  static_cast<double>(dur + s_d));
      },
      200);
}

}  // namespace
}  // namespace simcheck::properties
