// Issue 3: campaign throughput with all checks on, default case size (up to 8 instances, up to 64
// requests). One iteration = one campaign case exactly as `simcheck run` processes it (generate
// case i of seed 1, simulate, run the whole catalogue, collect coverage), cycling over the first
// 4096 cases so every run measures the same mix. items_per_second is per CPU second of the
// benchmark thread, i.e. cases per second per core. The other benchmarks split the cost.
//
//   build/campaign_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <vector>

#include "model/simulate.h"
#include "properties/check_result.h"
#include "properties/gen/campaign.h"
#include "properties/gen/coverage.h"

namespace {

using namespace simcheck;

constexpr int64_t kMix = 4096;

const gen::CampaignOptions& options() {
  static const gen::CampaignOptions o;  // seed 1, default generator
  return o;
}

void BM_CampaignCase(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    const model::Case c = gen::campaign_case(options(), i);
    const gen::CaseVerdict v = gen::evaluate_case(c, /*strict=*/false, {});
    benchmark::DoNotOptimize(gen::coverage_of(v.output));
    if (v.failed()) state.SkipWithError("a generated case failed the catalogue");
    i = (i + 1) % kMix;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CampaignCase)->MinTime(2.0);

// The parts, over the same mix.
void BM_Generate(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gen::campaign_case(options(), i));
    i = (i + 1) % kMix;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Generate);

const std::vector<model::Case>& mix_cases() {
  static const std::vector<model::Case> cases = [] {
    std::vector<model::Case> v;
    for (int64_t i = 0; i < kMix; ++i) v.push_back(gen::campaign_case(options(), i));
    return v;
  }();
  return cases;
}

void BM_Simulate(benchmark::State& state) {
  const auto& cases = mix_cases();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model::simulate(cases[i]));
    i = (i + 1) % cases.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Simulate);

void BM_CheckAll(benchmark::State& state) {
  static const std::vector<model::RunOutput> outputs = [] {
    std::vector<model::RunOutput> v;
    for (const auto& c : mix_cases()) v.push_back(model::simulate(c));
    return v;
  }();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(properties::check_all(outputs[i]));
    benchmark::DoNotOptimize(gen::coverage_of(outputs[i]));
    i = (i + 1) % outputs.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckAll);

}  // namespace

BENCHMARK_MAIN();
