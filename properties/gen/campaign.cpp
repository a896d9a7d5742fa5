// Spec §11, §12: the property campaign (see campaign.h for the determinism contract).
#include "properties/gen/campaign.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "model/simulate.h"
#include "properties/gen/minimise.h"

namespace simcheck::gen {
namespace {

constexpr int64_t kChunk = 64;  // cases per work unit
constexpr int64_t kNoFailure = std::numeric_limits<int64_t>::max();

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t mix_in(uint64_t h, uint64_t v) { return mix64(h ^ mix64(v)); }

// What a case contributes to the outcome digest: its index and its headline numbers.
uint64_t outcome_hash(int64_t index, const CaseVerdict& v) {
  const model::Counters& c = v.output.aggregate.counters;
  uint64_t h = mix64(static_cast<uint64_t>(index));
  for (int64_t x : {c.completed, c.still_queued, c.still_running, c.dropped_unservable, c.timed_out,
                    c.length_capped_count, c.preemption_count, c.total_output_tokens,
                    c.ttft_sum.value_or(-1), c.sim_ended.value_or(-1),
                    static_cast<int64_t>(v.known.size()), static_cast<int64_t>(v.failing.size())}) {
    h = mix_in(h, static_cast<uint64_t>(x));
  }
  return h;
}

// The results of one chunk of the shard's case sequence.
struct ChunkResult {
  bool done = false;
  int64_t cases = 0;
  int64_t first_failure = kNoFailure;  // shard ordinal
  CoverageTable coverage;
  std::map<std::string, int64_t> known_exception_cases;
  uint64_t digest = 0;
};

bool counts_as_failure(const std::string& id, const std::vector<std::string>& filter) {
  return filter.empty() || std::find(filter.begin(), filter.end(), id) != filter.end();
}

}  // namespace

rc::Random case_random(uint64_t seed, int64_t index) {
  // Two fixed words ("simcheck", "campaign") keep these keys apart from RapidCheck's own.
  return rc::Random(rc::Random::Key{seed, static_cast<uint64_t>(index), 0x73696d636865636bull,
                                    0x63616d706169676eull});
}

int case_size(uint64_t seed, int64_t index) {
  // Uniform over [0, kNominalSize]: small and large cases interleave, so any prefix of the
  // sequence (a time-budgeted run, a shard) sees every size.
  return static_cast<int>(mix_in(seed, static_cast<uint64_t>(index)) %
                          static_cast<uint64_t>(rc::kNominalSize + 1));
}

model::Case campaign_case(const CampaignOptions& options, int64_t index) {
  return generate_case(case_random(options.seed, index), case_size(options.seed, index),
                       options.gen);
}

rc::Shrinkable<model::Case> campaign_shrinkable(const CampaignOptions& options, int64_t index) {
  return gen_case(options.gen)(case_random(options.seed, index), case_size(options.seed, index));
}

std::vector<std::string> invariant_ids(const std::vector<properties::Violation>& violations) {
  std::set<std::string> ids;
  for (const auto& v : violations) ids.insert(v.invariant);
  return {ids.begin(), ids.end()};
}

CaseVerdict evaluate_case(const model::Case& c, bool strict,
                          const std::vector<std::string>& failure_invariants) {
  CaseVerdict v;
  try {
    v.output = model::simulate(c);
  } catch (const std::exception& e) {
    v.failing.push_back({"SIMULATE-EXCEPTION", "", e.what(), false});
    return v;
  }
  std::vector<properties::CheckResult> results;
  try {
    results = properties::check_all(v.output);
  } catch (const std::exception& e) {
    v.failing.push_back({"CHECK-EXCEPTION", "", e.what(), false});
    return v;
  }
  const properties::CheckOptions check_options{strict};
  for (const properties::CheckResult& r : results) {
    if (r.status != properties::Status::violated) continue;
    const bool gating = properties::is_gating(r, check_options);
    for (const properties::Violation& viol : r.violations) {
      const bool this_gates = gating && (strict || !viol.known_exception);
      if (this_gates && counts_as_failure(viol.invariant, failure_invariants)) {
        v.failing.push_back(viol);
      } else if (viol.known_exception) {
        v.known.push_back(viol);
      }
    }
  }
  return v;
}

CampaignResult run_campaign(const CampaignOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  CampaignResult result;
  result.coverage_gate_enforced = options.coverage_gate;

  const int64_t shard_count = std::max(options.shard_count, 1);
  const int64_t shard_index = std::clamp<int64_t>(options.shard_index, 0, shard_count - 1);
  const int64_t cases = std::max<int64_t>(options.cases, 0);
  const int64_t planned =
      cases > shard_index ? (cases - shard_index + shard_count - 1) / shard_count : 0;
  result.cases_planned = planned;
  auto global_index = [&](int64_t ordinal) { return shard_index + ordinal * shard_count; };

  const int64_t chunk_count = (planned + kChunk - 1) / kChunk;
  std::vector<ChunkResult> chunks(static_cast<size_t>(chunk_count));
  std::atomic<int64_t> next_chunk{0};
  std::atomic<int64_t> first_failure{kNoFailure};
  std::atomic<int64_t> cases_done{0};
  std::atomic<bool> out_of_time{false};
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(std::max(options.time_budget_s, 0.0)));

  auto worker = [&] {
    for (;;) {
      const int64_t chunk = next_chunk.fetch_add(1);
      if (chunk >= chunk_count) return;
      if (options.time_budget_s > 0 && Clock::now() >= deadline) {
        out_of_time = true;
        return;
      }
      const int64_t begin = chunk * kChunk;
      if (begin > first_failure.load()) return;  // every later chunk is beyond it too
      const int64_t end = std::min(planned, begin + kChunk);
      ChunkResult& out = chunks[static_cast<size_t>(chunk)];
      for (int64_t ordinal = begin; ordinal < end; ++ordinal) {
        const int64_t index = global_index(ordinal);
        const model::Case c = campaign_case(options, index);
        const CaseVerdict v = evaluate_case(c, options.strict, options.failure_invariants);
        ++out.cases;
        out.coverage.add(coverage_of(v.output));
        out.digest += outcome_hash(index, v);
        for (const std::string& id : invariant_ids(v.known)) ++out.known_exception_cases[id];
        cases_done.fetch_add(1, std::memory_order_relaxed);
        if (v.failed()) {
          out.first_failure = ordinal;
          int64_t seen = first_failure.load();
          while (ordinal < seen && !first_failure.compare_exchange_weak(seen, ordinal)) {
          }
          break;
        }
      }
      out.done = true;
    }
  };

  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  std::mutex m;
  std::condition_variable cv;
  int running = jobs;
  threads.reserve(static_cast<size_t>(jobs));
  for (int j = 0; j < jobs; ++j) {
    try {
      threads.emplace_back([&] {
        worker();
        std::lock_guard<std::mutex> lock(m);
        --running;
        cv.notify_all();
      });
    } catch (const std::system_error&) {
      // Out of threads (or memory for their stacks): stop the workers already started and let
      // the caller report it; a joinable std::thread destroyed here would std::terminate.
      next_chunk.store(chunk_count);
      for (std::thread& t : threads) t.join();
      throw;
    }
  }
  {
    std::unique_lock<std::mutex> lock(m);
    while (running > 0) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      if (options.on_progress) options.on_progress(cases_done.load(), planned);
    }
  }
  for (std::thread& t : threads) t.join();

  // Merge in sequence order, up to the first failing case.
  const int64_t failed_ordinal = first_failure.load();
  for (int64_t ci = 0; ci < chunk_count; ++ci) {
    const ChunkResult& c = chunks[static_cast<size_t>(ci)];
    if (!c.done) continue;  // not started (time budget) or skipped (beyond the failure)
    if (failed_ordinal != kNoFailure && ci * kChunk > failed_ordinal) continue;
    result.cases_run += c.cases;
    result.coverage.merge(c.coverage);
    result.outcome_digest += c.digest;
    for (const auto& [id, n] : c.known_exception_cases) result.known_exception_cases[id] += n;
  }
  result.stopped_by_time_budget = out_of_time.load() && failed_ordinal == kNoFailure;
  result.coverage_gaps = coverage_gaps(result.coverage, options.gen.projection,
                                       options.gen.profile != ProfileMix::causal);

  if (failed_ordinal != kNoFailure) {
    CampaignFailure f;
    f.index = global_index(failed_ordinal);
    f.original = campaign_case(options, f.index);
    const CaseVerdict original =
        evaluate_case(f.original, options.strict, options.failure_invariants);
    f.original_invariants = invariant_ids(original.failing);
    // Shrink while one of the originally violated invariants stays violated, so that the
    // minimal case witnesses the same bug rather than drifting to another one.
    const std::vector<std::string> target = f.original_invariants;
    auto still_fails = [&](const model::Case& c) {
      const CaseVerdict v = evaluate_case(c, options.strict, target);
      return v.failed();
    };
    if (options.shrink) {
      Minimised<model::Case> m =
          minimise(campaign_shrinkable(options, f.index), still_fails, options.max_shrink_tries);
      f.minimal = std::move(m.value);
      f.shrink_steps = m.accepted;
      f.shrink_tries = m.tried;
      f.shrink_budget_exhausted = m.exhausted;
    } else {
      f.minimal = f.original;
    }
    f.minimal_verdict = evaluate_case(f.minimal, options.strict, options.failure_invariants);
    f.minimal_invariants = invariant_ids(f.minimal_verdict.failing);
    result.failure = std::move(f);
  }
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace simcheck::gen
