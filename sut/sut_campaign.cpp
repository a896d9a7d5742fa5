// The campaign against an external simulator (see sut_campaign.h).
#include "sut/sut_campaign.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "model/simulate.h"
#include "properties/checks.h"
#include "properties/coverage.h"
#include "properties/gen/campaign.h"
#include "properties/gen/minimise.h"
#include "sut/known_differences.h"

namespace simcheck::sut {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void remove_dir(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

std::string case_dir(const SutCampaignOptions& o, const std::string& name) {
  return (fs::path(o.work_dir) / name).string();
}

}  // namespace

namespace {

// Checks BLIS's output and diffs it against the reference; fills v.failing, v.known, v.diff and
// v.findings.
void judge(const model::Case& c, const model::RunOutput& blis, const SutCampaignOptions& options,
           SutVerdict& v) {
  std::set<std::string> keys;
  try {
    // The faithful reference on the same case: what it reports explains or contradicts BLIS.
    const model::RunOutput reference = model::simulate(c);
    std::vector<properties::Violation> reference_violations;
    for (const properties::CheckResult& r : properties::check_all(reference)) {
      reference_violations.insert(reference_violations.end(), r.violations.begin(),
                                  r.violations.end());
    }
    const RunPair runs{blis, reference, reference_violations};
    for (const properties::CheckResult& r : properties::check_all_reported(blis)) {
      for (properties::Violation x : r.violations) {
        if (!x.known_exception) {
          if (auto why = explain_violation(x, runs)) {
            x.known_exception = true;
            x.detail += "; explained: " + *why;
          }
        }
        const bool gating = !x.known_exception || options.strict;
        (gating ? v.failing : v.known).push_back(x);
        if (gating) keys.insert(x.invariant);
      }
    }
    if (options.diff) {
      properties::DiffResult all = properties::diff_runs(reference, blis, {});
      v.diff = all;
      v.diff.differences.clear();
      v.diff.counters.clear();
      for (const auto& d : all.differences) {
        auto why = explain_difference(d, runs);
        if (why && !options.strict) {
          v.known.push_back({"DIFF:" + d.metric, d.id,
                             "reference " + d.reference.value_or("(none)") + ", blis " +
                                 d.other.value_or("(none)") + "; explained: " + *why,
                             true});
          continue;
        }
        v.diff.differences.push_back(d);
        keys.insert("DIFF:" + d.metric);
      }
      for (const auto& d : all.counters) {
        auto why = explain_counter(d, runs);
        if (why && !options.strict) {
          v.known.push_back({"DIFF:counter:" + d.name, "",
                             "reference " + std::to_string(static_cast<int64_t>(d.reference)) +
                                 ", blis " + std::to_string(static_cast<int64_t>(d.other)) +
                                 "; explained: " + *why,
                             true});
          continue;
        }
        v.diff.counters.push_back(d);
        keys.insert("DIFF:counter:" + d.name);
      }
    }
  } catch (const std::exception& e) {
    v.failing.push_back({"CHECK-EXCEPTION", "", e.what(), false});
    keys.insert("CHECK-EXCEPTION");
  }
  v.findings.assign(keys.begin(), keys.end());
}

}  // namespace

SutVerdict judge_recorded_blis_run(const model::Case& c, const std::string& dir,
                                   const SutCampaignOptions& options) {
  SutVerdict v;
  auto read = read_blis_run(c, dir);
  if (auto* why = std::get_if<std::string>(&read)) {
    v.sut_failure = *why;
    v.findings = {"SUT-FAILED"};
    return v;
  }
  judge(c, std::get<model::RunOutput>(read), options, v);
  return v;
}

SutVerdict evaluate_sut_case(const model::Case& c, const SutCampaignOptions& options,
                             const std::string& dir) {
  SutVerdict v;
  const auto t0 = Clock::now();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    v.sut_failure = dir + ": cannot create: " + ec.message();
    v.findings = {"SUT-FAILED"};
    return v;
  }
  SutRun run = run_blis(c, options.sut, dir);
  v.argv = run.argv;
  v.sut_wall_s = run.process.wall_s;
  if (!run.not_equivalent.empty()) {
    v.expressible = false;
    v.not_expressible = run.not_equivalent.front();
    return v;
  }
  if (!run.ok) {
    v.sut_failure = run.failure;
    v.findings = {"SUT-FAILED"};
    v.check_s = seconds_since(t0) - v.sut_wall_s;
    return v;
  }
  judge(c, run.output, options, v);
  v.check_s = seconds_since(t0) - v.sut_wall_s;
  return v;
}

gen::CaseRecipe sut_case_recipe(const SutCampaignOptions& options, int64_t index) {
  const rc::Random random = gen::case_random(options.seed, index);
  const int size = gen::case_size(options.seed, index);
  return blis_expressible(gen::gen_recipe(options.gen)(random, size).value());
}

model::Case sut_case(const SutCampaignOptions& options, int64_t index) {
  return blis_case(sut_case_recipe(options, index), options.gen, options.blis);
}

namespace {

SutFinding shrink_finding(const SutCampaignOptions& o, const std::string& key, int64_t index,
                          int64_t cases_showing) {
  SutFinding f;
  f.key = key;
  f.index = index;
  f.cases_showing = cases_showing;
  f.original = sut_case(o, index);
  const std::string dir = case_dir(o, "shrink");
  auto fails = [&](const gen::CaseRecipe& recipe) {
    const model::Case c = blis_case(recipe, o.gen, o.blis);
    remove_dir(dir);
    const SutVerdict v = evaluate_sut_case(c, o, dir);
    remove_dir(dir);
    return std::find(v.findings.begin(), v.findings.end(), key) != v.findings.end();
  };
  gen::CaseRecipe minimal = sut_case_recipe(o, index);
  if (o.shrink) {
    auto start = rc::shrinkable::shrinkRecur(minimal, &gen::shrink_recipe);
    auto m = gen::minimise(std::move(start), fails, o.max_shrink_runs);
    minimal = blis_expressible(m.value);
    f.shrink_steps = m.accepted;
    f.shrink_runs = m.tried;
    f.shrink_budget_exhausted = m.exhausted;
  }
  f.minimal = blis_case(minimal, o.gen, o.blis);
  remove_dir(dir);
  f.minimal_verdict = evaluate_sut_case(f.minimal, o, dir);
  remove_dir(dir);
  return f;
}

}  // namespace

SutCampaignResult run_sut_campaign(const SutCampaignOptions& o) {
  SutCampaignResult result;
  const auto t0 = Clock::now();
  result.cases_planned = std::max<int64_t>(o.cases, 0);
  std::vector<std::optional<SutVerdict>> verdicts(static_cast<std::size_t>(result.cases_planned));
  std::atomic<int64_t> next{0}, done{0}, failing{0};
  std::atomic<bool> out_of_time{false}, worker_failed{false};
  std::mutex error_mutex;
  std::string worker_error;

  auto worker = [&] {
    try {
      for (;;) {
        if (o.time_budget_s > 0 && seconds_since(t0) > o.time_budget_s) {
          out_of_time = true;
          return;
        }
        const int64_t i = next.fetch_add(1);
        if (i >= result.cases_planned) return;
        const std::string dir = case_dir(o, "case-" + std::to_string(i));
        SutVerdict v = evaluate_sut_case(sut_case(o, i), o, dir);
        remove_dir(dir);
        if (v.failed()) ++failing;
        // Keep only what the merge reads (finding keys, one known exception per invariant): a
        // long campaign's memory then grows by a few bytes per case, not by its diffs.
        v.failing.clear();
        v.diff = {};
        v.argv.clear();
        std::vector<properties::Violation> one_per_id;
        for (auto& k : v.known) {
          bool seen = false;
          for (const auto& o : one_per_id) seen = seen || o.invariant == k.invariant;
          if (!seen) one_per_id.push_back(std::move(k));
        }
        v.known = std::move(one_per_id);
        verdicts[static_cast<std::size_t>(i)] = std::move(v);
        ++done;
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(error_mutex);
      worker_error = e.what();
      worker_failed = true;
    }
  };
  const int jobs = std::max(1, o.jobs);
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  // Workers leave by taking one index past the end, by the time budget or by an exception.
  while (done.load() < result.cases_planned && !out_of_time.load() && !worker_failed.load() &&
         next.load() < result.cases_planned + jobs) {
    if (o.on_progress) o.on_progress(done.load(), result.cases_planned, failing.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& t : threads) t.join();
  if (!worker_error.empty()) throw std::runtime_error(worker_error);
  if (o.on_progress) o.on_progress(done.load(), result.cases_planned, failing.load());
  result.stopped_by_time_budget = out_of_time.load();

  // Merge in index order: the first case showing each finding is the one shrunk.
  std::map<std::string, int64_t> first_index;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    if (!verdicts[i]) continue;
    const SutVerdict& v = *verdicts[i];
    ++result.cases_run;
    result.sut_wall_s += v.sut_wall_s;
    result.check_s += v.check_s;
    if (!v.expressible) {
      ++result.not_expressible[v.not_expressible];
      continue;
    }
    ++result.cases_expressible;
    if (v.failed()) ++result.cases_failed;
    for (const auto& k : v.findings) {
      ++result.finding_cases[k];
      first_index.try_emplace(k, static_cast<int64_t>(i));
    }
    std::set<std::string> known_ids;
    for (const auto& k : v.known) {
      if (known_ids.insert(k.invariant).second) ++result.known_cases[k.invariant];
      result.known_reason.try_emplace(k.invariant, k.detail);
    }
  }
  verdicts.clear();
  for (const auto& [key, index] : first_index) {
    if (static_cast<int>(result.findings.size()) >= o.max_findings) break;
    result.findings.push_back(shrink_finding(o, key, index, result.finding_cases[key]));
  }
  result.elapsed_s = seconds_since(t0);
  return result;
}

}  // namespace simcheck::sut
