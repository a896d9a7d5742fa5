// Spec §10.6 partial outputs: field-based applicability (properties/coverage) and the three
// partial-output checks, each shown to hold and to fail.
#include "properties/coverage.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace simcheck::properties {
namespace {

const CheckResult& result_of(const std::vector<CheckResult>& all, const std::string& id) {
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.id == id; });
  EXPECT_NE(it, all.end()) << id;
  return *it;
}

TEST(Coverage, AncestorPathsCoverTheirChildren) {
  model::RunOutput r;
  EXPECT_TRUE(is_reported(r, "aggregate.maps.sched_delay"));
  r.missing_fields = {"aggregate.maps"};
  EXPECT_FALSE(is_reported(r, "aggregate.maps.sched_delay"));
  EXPECT_FALSE(is_reported(r, "aggregate.maps"));
  EXPECT_TRUE(is_reported(r, "aggregate.mapsx"));
  EXPECT_TRUE(is_reported(r, "aggregate"));
  r.missing_fields = {"pd"};
  EXPECT_EQ(unreported_input("INV-PD-3", r), "pd");
  EXPECT_FALSE(unreported_input("REQ-NONNEG", r));
}

TEST(Coverage, UnreportedInputsMakeChecksNotApplicable) {
  model::RunOutput r;
  r.source = "other";
  r.missing_fields = {"aggregate.statistics"};
  r.aggregate.counters.completed = 1;
  r.aggregate.maps.ttft["x"] = 5;
  r.aggregate.maps.e2e["x"] = 9;
  r.aggregate.maps.requests_meta["x"] = {};
  const auto all = check_all_reported(r);
  const auto& means = result_of(all, "STAT-MEANS");
  EXPECT_EQ(means.status, Status::not_applicable);
  EXPECT_EQ(means.not_applicable_reason, "aggregate.statistics not reported");
  EXPECT_EQ(result_of(all, "C-1").status, Status::held);
  EXPECT_EQ(all.size(), reported_catalogue().size());
}

TEST(RecordIds, DuplicatesAreWitnessedByTheirId) {
  model::RunOutput r;
  EXPECT_EQ(check_record_ids(r).status, Status::not_applicable);
  r.request_record_ids = std::vector<std::string>{"request_0", "request_1"};
  EXPECT_EQ(check_record_ids(r).status, Status::held);
  r.request_record_ids->push_back("request_0");
  const auto c = check_record_ids(r);
  ASSERT_EQ(c.status, Status::violated);
  EXPECT_EQ(c.violations.at(0).subject, "request_0");
  EXPECT_EQ(c.violations.at(0).detail, "listed again as record #2 (first as record #0)");
}

model::RunOutput pd_unknown(int64_t completed, int64_t timed_out, int64_t e2e_keys) {
  model::RunOutput r;
  r.missing_fields = {"pd"};
  r.aggregate.counters.completed = completed;
  r.aggregate.counters.timed_out = timed_out;
  for (int64_t k = 0; k < e2e_keys; ++k) r.aggregate.maps.e2e["r" + std::to_string(k)] = 1;
  return r;
}

TEST(E2eCountBounds, CompletedToCompletedPlusTimeoutsAndDrops) {
  // 3 completed + 1 timed out: 3 or 4 E2E keys are possible (a timed-out PD parent has one).
  EXPECT_EQ(check_e2e_count_bounds(pd_unknown(3, 1, 3)).status, Status::held);
  EXPECT_EQ(check_e2e_count_bounds(pd_unknown(3, 1, 4)).status, Status::held);
  EXPECT_EQ(check_e2e_count_bounds(pd_unknown(3, 1, 2)).status, Status::violated);
  EXPECT_EQ(check_e2e_count_bounds(pd_unknown(3, 1, 5)).status, Status::violated);
  model::RunOutput complete;  // nothing missing: C-3 decides
  EXPECT_EQ(check_e2e_count_bounds(complete).status, Status::not_applicable);
}

model::RunOutput two_instances() {
  model::RunOutput r;
  r.missing_fields = {"instances.maps", "instances.end_state"};
  for (const char* id : {"instance_0", "instance_1"}) {
    model::InstanceOutput inst;
    inst.id = id;
    inst.counters.completed = 4;
    inst.counters.total_input_tokens = 100;
    inst.counters.dropped_unservable = 1;
    inst.counters.sim_ended = 50;
    r.instances.push_back(inst);
  }
  r.instances[1].counters.sim_ended = 70;
  r.aggregate.counters.completed = 8;
  r.aggregate.counters.total_input_tokens = 200;
  r.aggregate.counters.dropped_unservable = 2;
  r.aggregate.counters.sim_ended = 70;
  return r;
}

TEST(ReportedSums, ExactSumsBoundsAndMaxima) {
  EXPECT_EQ(check_reported_sums(two_instances()).status, Status::held);
  auto r = two_instances();
  r.aggregate.counters.total_input_tokens = 201;
  auto c = check_reported_sums(r);
  ASSERT_EQ(c.status, Status::violated);
  EXPECT_EQ(c.violations.at(0).detail,
            "aggregate total_input_tokens=201 != sum over instances = 200");
  r = two_instances();
  r.aggregate.counters.sim_ended = 50;  // max is 70
  EXPECT_EQ(check_reported_sums(r).status, Status::violated);
  // A PD run whose corrections are unreported: completed may be below the sum, never above;
  // dropped may be above, never below.
  r = two_instances();
  r.pd = model::PdCounters{};
  r.missing_fields.insert("pd.pd_prefill_completed");
  r.missing_fields.insert("pd.dropped_at_decode_kv");
  r.missing_fields.insert("pd.pd_in_transfer");
  r.aggregate.counters.completed = 4;
  r.aggregate.counters.dropped_unservable = 3;
  EXPECT_EQ(check_reported_sums(r).status, Status::held);
  r.aggregate.counters.completed = 9;
  EXPECT_EQ(check_reported_sums(r).status, Status::violated);
  r.aggregate.counters.completed = 4;
  r.aggregate.counters.dropped_unservable = 1;
  EXPECT_EQ(check_reported_sums(r).status, Status::violated);
  // With pd_prefill_completed reported the completed identity is exact: 8 - 4 = 4.
  r.aggregate.counters.dropped_unservable = 3;
  r.missing_fields.erase("pd.pd_prefill_completed");
  r.pd->pd_prefill_completed = 4;
  EXPECT_EQ(check_reported_sums(r).status, Status::held);
  r.pd->pd_prefill_completed = 3;
  EXPECT_EQ(check_reported_sums(r).status, Status::violated);
}

}  // namespace
}  // namespace simcheck::properties
