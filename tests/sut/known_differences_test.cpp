// sut/known_differences: each explanation matches its documented shape and nothing else, so an
// unexplained BLIS breach still gates.
#include "sut/known_differences.h"

#include <gtest/gtest.h>

namespace simcheck::sut {
namespace {

using properties::CounterDifference;
using properties::RequestDifference;
using properties::Violation;

struct Fixture {
  model::RunOutput blis, reference;
  std::vector<Violation> reference_violations;
  RunPair pair() const { return RunPair{blis, reference, reference_violations}; }
};

TEST(KnownDifferences, TheReferenceShowingTheSameKnownBreachExplainsIt) {
  Fixture f;
  f.reference_violations.push_back({"C-1", "request_1", "ttft=5 > e2e=4 on E-FALLBACK", true});
  const Violation v{"C-1", "request_1", "ttft=5 > e2e=4", false};
  auto why = explain_violation(v, f.pair());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("E-FALLBACK"), std::string::npos);
  // Another subject, another invariant, or a gating (unexplained) reference breach: no.
  EXPECT_FALSE(explain_violation({"C-1", "request_2", "", false}, f.pair()));
  EXPECT_FALSE(explain_violation({"C-2", "request_1", "", false}, f.pair()));
  f.reference_violations[0].known_exception = false;
  EXPECT_FALSE(explain_violation(v, f.pair()));
}

TEST(KnownDifferences, InjectedRequestsWithNothingCompletedIsTheSpecGap) {
  Fixture f;
  f.blis.aggregate.counters.dropped_unservable = 1;
  f.blis.aggregate.statistics.injected_requests = 1;
  EXPECT_TRUE(explain_violation({"STAT-INJECTED", "", "", false}, f.pair()));
  f.blis.aggregate.statistics.injected_requests = 2;  // not the bucket sum: a real breach
  EXPECT_FALSE(explain_violation({"STAT-INJECTED", "", "", false}, f.pair()));
  f.blis.aggregate.statistics.injected_requests = 1;
  f.blis.aggregate.counters.completed = 1;  // something completed: §10.5 applies as written
  EXPECT_FALSE(explain_violation({"STAT-INJECTED", "", "", false}, f.pair()));
  // The counter difference against the reference, same shape.
  f.blis.aggregate.counters.completed = 0;
  EXPECT_TRUE(explain_counter({"injected_requests", 0, 1}, f.pair()));
  EXPECT_FALSE(explain_counter({"injected_requests", 0, 3}, f.pair()));
  EXPECT_FALSE(explain_counter({"completed", 0, 1}, f.pair()));
}

TEST(KnownDifferences, AZeroLatencyReadsAsNoEntry) {
  Fixture f;
  RequestDifference d;
  d.id = "request_1";
  d.metric = "e2e";
  d.reference = "0";
  EXPECT_TRUE(explain_difference(d, f.pair()));
  d.reference = "17";
  EXPECT_FALSE(explain_difference(d, f.pair()));
  d.reference = "0";
  d.other = "3";
  EXPECT_FALSE(explain_difference(d, f.pair()));
  // The statistics over the maps miss the same entry only when the reference has a 0.
  EXPECT_FALSE(explain_violation({"STAT-MEANS", "", "", false}, f.pair()));
  f.reference.aggregate.maps.e2e.try_emplace("request_1", 0.0);
  EXPECT_TRUE(explain_violation({"STAT-MEANS", "", "", false}, f.pair()));
}

TEST(KnownDifferences, InvOneShortByThePipelineIsA12) {
  Fixture f;
  f.blis.config = model::Config{};
  f.blis.config->horizon_us = 108;
  model::TraceEntry t;
  t.id = "request_0";
  t.arrival = 108;
  f.blis.trace = std::vector<model::TraceEntry>{t};
  f.reference.cluster = model::ClusterCounters{};
  f.reference.cluster->pipeline_pending = 1;
  EXPECT_TRUE(explain_violation({"INV-1", "", "", false}, f.pair()));
  f.blis.aggregate.counters.completed = 1;  // nothing missing: the shortfall is not the pipeline
  EXPECT_FALSE(explain_violation({"INV-1", "", "", false}, f.pair()));
}

}  // namespace
}  // namespace simcheck::sut
