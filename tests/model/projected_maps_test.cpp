// Spec §10.2 + §10.4: the one-pass aggregate maps (build_projected_maps) equal AGGREGATE's merge
// followed by PROJECT, and the one-pass path declines every input where the two could differ.
#include "model/projected_maps.h"

#include <gtest/gtest.h>

#include "model/aggregation.h"

namespace simcheck::model {
namespace {

// Appendix B.2's parent A (numbers as in projection_test): prefill TTFT 1170, prefill sched
// delay 120, decode sched delay 171, decode E2E 2120, decode itl [1060, 1060].
ParentRecord parent(const std::string& id) {
  ParentRecord p;
  p.id = id;
  p.prefill_id = id + "_prefill";
  p.decode_id = id + "_decode";
  p.input_len = 20;
  p.output_len = 3;
  p.arrival = 0;
  p.decode_instance = "instance_1";
  p.prefill_instance = "instance_0";
  p.transfer_start_time = 120;
  p.transfer_complete_time = 171;
  p.completion_time = 1221;
  p.decode_sub = DecodeSubRecord{RequestState::completed, 22, 0, {1060, 1060}};
  p.outcome = ParentOutcome::decode_completed;
  return p;
}

void add_prefill(InstanceOutput& inst, const std::string& id) {
  inst.maps.ttft[id] = 1170;
  inst.maps.e2e[id] = 1170;
  inst.maps.itl_avg[id] = 0;
  inst.maps.sched_delay[id] = 120;
  (*inst.maps.completion_time)[id] = 1170;
  inst.maps.requests_meta[id] = RequestMeta{0, 20, 0, "instance_0", false};
}

void add_decode(InstanceOutput& inst, const std::string& id, double e2e) {
  inst.maps.e2e[id] = e2e;
  inst.maps.itl_avg[id] = 1060;
  inst.maps.sched_delay[id] = 171;
  (*inst.maps.completion_time)[id] = e2e;
  inst.maps.requests_meta[id] = RequestMeta{0, 20, 3, "instance_1", false};
}

struct Outcome {
  MetricMaps maps;
  std::vector<ParentRecord> parents;
  int64_t ttft_sum = 1170;
  std::vector<std::string> warnings;
};

// The spec's order: merge (§10.2), then project parent by parent (§10.4).
Outcome two_steps(const std::vector<InstanceOutput>& instances, std::vector<ParentRecord> parents) {
  Outcome r;
  r.parents = std::move(parents);
  r.maps = aggregate_instances(instances, r.warnings).maps;
  project_pd_metrics(ProjectionTarget{r.maps, r.ttft_sum}, r.parents, ProjectionRules{},
                     r.warnings);
  return r;
}

void expect_same(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.maps.ttft, b.maps.ttft);
  EXPECT_EQ(a.maps.e2e, b.maps.e2e);
  EXPECT_EQ(a.maps.itl_avg, b.maps.itl_avg);
  EXPECT_EQ(a.maps.sched_delay, b.maps.sched_delay);
  EXPECT_EQ(a.maps.completion_time, b.maps.completion_time);
  ASSERT_EQ(a.maps.requests_meta.size(), b.maps.requests_meta.size());
  for (const auto& [k, m] : a.maps.requests_meta) {
    const RequestMeta& n = b.maps.requests_meta.at(k);
    EXPECT_EQ(m.arrived_at_s, n.arrived_at_s) << k;
    EXPECT_EQ(m.num_prefill_tokens, n.num_prefill_tokens) << k;
    EXPECT_EQ(m.num_decode_tokens, n.num_decode_tokens) << k;
    EXPECT_EQ(m.handled_by, n.handled_by) << k;
    EXPECT_EQ(m.length_capped, n.length_capped) << k;
  }
  EXPECT_EQ(a.ttft_sum, b.ttft_sum);
  EXPECT_EQ(a.warnings, b.warnings);
  ASSERT_EQ(a.parents.size(), b.parents.size());
  for (size_t i = 0; i < a.parents.size(); ++i) {
    EXPECT_EQ(a.parents[i].completed, b.parents[i].completed) << i;
    EXPECT_EQ(a.parents[i].ttft_branch, b.parents[i].ttft_branch) << i;
    EXPECT_EQ(a.parents[i].e2e_branch, b.parents[i].e2e_branch) << i;
  }
}

std::vector<InstanceOutput> two_instances() {
  std::vector<InstanceOutput> v(2);
  v[0].maps.completion_time.emplace();
  v[1].maps.completion_time.emplace();
  return v;
}

// Parent "A" complete: its prefill sub-request on instance_0, its decode sub-request on
// instance_1 (the base of the declined-input tests).
std::vector<InstanceOutput> parent_a_instances() {
  std::vector<InstanceOutput> inst = two_instances();
  add_prefill(inst[0], "A_prefill");
  add_decode(inst[1], "A_decode", 2120);
  return inst;
}

TEST(ProjectedMaps, EqualsMergeThenProject) {
  std::vector<InstanceOutput> inst = two_instances();
  // Ids whose byte order differs from their sub-requests' order ("A" < "A0" but
  // "A0_decode" < "A_decode"), an E-NEGATIVE parent (de = −5000, dd = 171: −4829 < 0), a parent
  // that is not completed (CT = 0: its sub-request keys are only erased), and a non-PD key.
  for (const char* id : {"A", "A0", "Z"}) add_prefill(inst[0], std::string(id) + "_prefill");
  add_decode(inst[1], "A_decode", 2120);
  add_decode(inst[1], "A0_decode", -5000);
  add_decode(inst[1], "Z_decode", 2120);
  inst[0].maps.ttft["other"] = 5;
  std::vector<ParentRecord> parents{parent("A"), parent("A0"), parent("Z")};
  parents[2].completion_time = 0;

  Outcome fast;
  fast.parents = parents;
  ASSERT_TRUE(build_projected_maps(inst, fast.parents, ProjectionRules{}, fast.maps, fast.ttft_sum,
                                   fast.warnings));
  expect_same(fast, two_steps(inst, parents));
  // Hand-checked: A is E-PRIMARY 171 + 2120 = 2291 and T-PRIMARY 171 + 1060 = 1231; A0 gets no
  // E2E entry (negative) but its TTFT 1231; ttft_sum = 1170 + 2 · trunc(1231 − 1170) = 1292.
  EXPECT_EQ(fast.maps.e2e.at("A"), 2291);
  EXPECT_EQ(fast.maps.e2e.count("A0"), 0u);
  EXPECT_EQ(fast.maps.ttft.at("A0"), 1231);
  EXPECT_EQ(fast.ttft_sum, 1292);
  EXPECT_EQ(fast.warnings.size(), 1u);
  EXPECT_EQ(fast.maps.requests_meta.count("Z"), 0u);
  EXPECT_EQ(fast.maps.requests_meta.count("Z_prefill"), 0u);
  EXPECT_EQ(fast.maps.ttft.at("other"), 5);
}

TEST(ProjectedMaps, WithoutParentsIsTheMerge) {
  std::vector<InstanceOutput> inst = two_instances();
  add_prefill(inst[0], "b");
  add_prefill(inst[1], "a");
  add_prefill(inst[0], "c");
  std::vector<ParentRecord> none;
  Outcome fast;
  ASSERT_TRUE(
      build_projected_maps(inst, none, ProjectionRules{}, fast.maps, fast.ttft_sum, fast.warnings));
  expect_same(fast, two_steps(inst, {}));
  EXPECT_EQ(fast.maps.ttft.size(), 3u);
}

// Every input on which merge-then-project could differ from the one-pass result is declined, and
// nothing is written.
void expect_declined(const std::vector<InstanceOutput>& inst, std::vector<ParentRecord> parents) {
  Outcome fast;
  fast.parents = parents;
  EXPECT_FALSE(build_projected_maps(inst, fast.parents, ProjectionRules{}, fast.maps, fast.ttft_sum,
                                    fast.warnings));
  EXPECT_TRUE(fast.maps.ttft.empty());
  EXPECT_TRUE(fast.maps.requests_meta.empty());
  EXPECT_FALSE(fast.maps.completion_time.has_value());
  EXPECT_EQ(fast.ttft_sum, 1170);
  EXPECT_TRUE(fast.warnings.empty());
  EXPECT_FALSE(fast.parents[0].completed);
}

TEST(ProjectedMaps, DeclinesADuplicateKeyAcrossInstances) {
  std::vector<InstanceOutput> inst = parent_a_instances();
  inst[1].maps.ttft["A_prefill"] = 1;  // the merge would warn and keep this one
  expect_declined(inst, {parent("A")});
}

TEST(ProjectedMaps, DeclinesADuplicateOtherKeyAcrossInstances) {
  // A key that names no sub-request, in two instances' maps: the merge would warn too.
  std::vector<InstanceOutput> inst = parent_a_instances();
  inst[0].maps.e2e["whole"] = 5;
  inst[1].maps.e2e["whole"] = 6;
  expect_declined(inst, {parent("A")});
}

TEST(ProjectedMaps, DeclinesAParentNamedLikeASubRequest) {
  std::vector<InstanceOutput> inst = parent_a_instances();
  // Projecting "A" erases "A_prefill", which would be the other parent's own key.
  expect_declined(inst, {parent("A_prefill"), parent("A")});
}

TEST(ProjectedMaps, DeclinesAParentIdAmongTheInstanceKeys) {
  std::vector<InstanceOutput> inst = parent_a_instances();
  inst[0].maps.ttft["A"] = 3;  // PROJECT would overwrite it
  expect_declined(inst, {parent("A")});
}

TEST(ProjectedMaps, DeclinesDuplicateParentIds) {
  std::vector<InstanceOutput> inst = parent_a_instances();
  expect_declined(inst, {parent("A"), parent("A")});
}

}  // namespace
}  // namespace simcheck::model
