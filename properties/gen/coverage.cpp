// Spec §7.2, §7.4, §7.6, §7.8, §8.3, §9.5, §9.8, §10.4: coverage of one run and of a campaign.
#include "properties/gen/coverage.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <string_view>

namespace simcheck::gen {
namespace {

using R = Requirement;
using I = CoverageItem;

constexpr std::array<CoverageItemInfo, kCoverageItemCount> kItems = {{
    {I::t_primary, "T-PRIMARY", R::required_current, "parent TTFT = dd + itl[0]"},
    {I::t_fallback, "T-FALLBACK", R::required_current, "parent TTFT = prefill TTFT"},
    {I::e_primary, "E-PRIMARY", R::required_current, "parent E2E = dd + de"},
    {I::e_preempted, "E-PREEMPTED", R::required_current, "parent E2E = de (decode re-prefilled)"},
    {I::e_fallback, "E-FALLBACK", R::required_current, "parent E2E = CT - arrival"},
    {I::t_none, "T-NONE", R::unreachable, "completed parent without prefill TTFT"},
    {I::t_negative, "T-NEGATIVE", R::unreachable, "dd + itl[0] < 0"},
    {I::e_negative, "E-NEGATIVE", R::unreachable, "parent E2E < 0"},
    {I::late_drop, "late_drop", R::unreachable, "decode pod unroutable at transfer end"},
    {I::drop_mml_input, "drop.mml_input", R::required, "guard 3: L >= max_model_len"},
    {I::drop_mml_budget, "drop.mml_budget", R::required, "guard 3: L + max_output_len > MML"},
    {I::drop_kv_capacity, "drop.kv_capacity", R::required, "guard 4: ceil(L/B) > T"},
    {I::drop_negative_budget, "drop.negative_budget", R::unreachable,
     "guard 2: max_output_len < 0 (validation forbids it)"},
    {I::drop_at_transfer_start, "drop.transfer_start", R::required,
     "decode KV reservation failed at t > 0"},
    {I::drop_at_start_t0, "drop.transfer_start_t0", R::informational,
     "the same at t = 0 (parent not completed, A13)"},
    {I::timeout_at_enqueue, "timeout.at_enqueue", R::required, "guard 6: deadline <= enqueue time"},
    {I::timeout_queued, "timeout.queued", R::required, "TIMEOUT removed a queued request"},
    {I::timeout_running, "timeout.running", R::required, "TIMEOUT removed a running request"},
    {I::timeout_decode, "timeout.decode", R::required, "PD decode sub-request timed out"},
    {I::stale_deadline, "timeout.stale_deadline", R::informational,
     "decode deadline passed during the transfer (A4)"},
    {I::preemption, "preemption", R::required, "preemption_count > 0"},
    {I::length_cap, "length_cap", R::required, "length_capped_count > 0"},
    {I::prefix_hit, "prefix_hit", R::required, "cache_hits > 0"},
    {I::zero_new_token_admission, "zero_new_token_admission", R::informational,
     "fully cached prompt admitted alone (A7)"},
    {I::kv_allocation_failure, "kv_allocation_failure", R::informational,
     "final-token KV allocation failed (§7.6)"},
    {I::contention_1, "contention.1", R::required, "transfer started alone (contention on)"},
    {I::contention_2, "contention.2", R::required, "transfer started with 2 active"},
    {I::contention_3_plus, "contention.3+", R::required, "transfer started with >= 3 active"},
    {I::horizon_pipeline_pending, "horizon.pipeline_pending", R::required,
     "horizon cut requests in admission/routing"},
    {I::horizon_in_transfer, "horizon.in_transfer", R::required,
     "horizon cut KV transfers (pd_in_transfer > 0)"},
    {I::horizon_work_left, "horizon.work_left", R::required, "horizon cut queued or running work"},
    {I::standalone_driver, "driver.standalone", R::informational, "standalone driver (§4.2)"},
    {I::pd_decider_never, "pd.decider_never", R::informational,
     "PD pools with decider never (served whole)"},
}};

constexpr size_t idx(CoverageItem i) { return static_cast<size_t>(i); }

// The id of the user request a (sub-)request id belongs to.
std::string_view user_id(std::string_view id) {
  constexpr std::string_view kPrefill = "_prefill";
  if (id.size() > kPrefill.size() && id.substr(id.size() - kPrefill.size()) == kPrefill) {
    id.remove_suffix(kPrefill.size());
  }
  return id;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// §7.2 guards 1-4 and 6 for a QUEUED event of a request with these trace values at `now`.
void classify_enqueue(const model::TraceEntry& t, const model::Config& cfg, int64_t now,
                      CoverageHits& h) {
  const int64_t L = t.input_len;
  const int64_t mml = cfg.max_model_len;
  int64_t budget = t.max_output_len;
  if (budget == 0 && mml > 0 && L < mml) budget = mml - L;
  if (budget < 0) {
    h[idx(I::drop_negative_budget)] = true;
  } else if (mml > 0 && L >= mml) {
    h[idx(I::drop_mml_input)] = true;
  } else if (mml > 0 && budget > 0 && L + budget > mml) {
    h[idx(I::drop_mml_budget)] = true;
  } else if (ceil_div(L, cfg.block_size_tokens) > cfg.total_kv_blocks) {
    h[idx(I::drop_kv_capacity)] = true;
  } else if (t.deadline > 0 && t.deadline <= now) {
    h[idx(I::timeout_at_enqueue)] = true;
  }
}

// Drops and timeouts, read from the processed-event logs.
void cover_events(const model::RunOutput& out, const model::Config& cfg, CoverageHits& h) {
  std::map<std::string_view, const model::TraceEntry*> by_id;
  if (out.trace) {
    for (const model::TraceEntry& t : *out.trace) by_id.emplace(t.id, &t);
  }
  for (const model::InstanceOutput& inst : out.instances) {
    if (!inst.events) continue;
    model::EventRecord before{};  // the state before the first event: empty
    for (const model::EventRecord& e : *inst.events) {
      if (e.kind == model::EventKind::queued) {
        auto it = by_id.find(user_id(e.request_id));
        if (it != by_id.end()) classify_enqueue(*it->second, cfg, e.time, h);
      } else if (e.kind == model::EventKind::timeout) {
        // §7.8 removes the request from exactly one container; a TIMEOUT that removes nothing
        // (already timed out) changes neither length.
        if (e.running_len < before.running_len) h[idx(I::timeout_running)] = true;
        if (e.wait_queue_len < before.wait_queue_len) h[idx(I::timeout_queued)] = true;
      }
      before = e;
    }
  }
}

// A7: a zero-new-token admission that is alone in its step leaves S empty, so under
// empty_step_rule = one the step advances 1 µs, while every step with new tokens advances at
// least trunc(beta0). With trunc(beta0) >= 2 a completed request whose TTFT is exactly
// sched_delay + 1 + OTP was therefore admitted with zero new tokens (sched_delay and ttft are
// both rewritten by its last admission, §7.3, §7.5). Admissions sharing a step with other work
// are not visible this way.
void cover_zero_new_token(const model::RunOutput& out, const model::Config& cfg, CoverageHits& h) {
  if (cfg.empty_step_rule != model::EmptyStepRule::one || !(std::trunc(cfg.beta[0]) >= 2.0)) {
    return;
  }
  const auto otp = static_cast<int64_t>(std::trunc(cfg.alpha[2]));
  for (const model::InstanceOutput& inst : out.instances) {
    for (const auto& [id, e2e] : inst.maps.e2e) {
      auto t = inst.maps.ttft.find(id);
      auto d = inst.maps.sched_delay.find(id);
      if (t == inst.maps.ttft.end() || d == inst.maps.sched_delay.end()) continue;
      if (t->second == static_cast<double>(d->second + 1 + otp)) {
        h[idx(I::zero_new_token_admission)] = true;
        return;
      }
    }
  }
}

void cover_parents(const model::RunOutput& out, const model::Config& cfg, CoverageHits& h) {
  if (!out.parents) return;
  for (const model::ParentRecord& p : *out.parents) {
    if (p.completed) {
      switch (p.ttft_branch) {
        case model::TtftBranch::primary:
          h[idx(I::t_primary)] = true;
          break;
        case model::TtftBranch::fallback:
          h[idx(I::t_fallback)] = true;
          break;
        case model::TtftBranch::negative:
          h[idx(I::t_negative)] = true;
          break;
        case model::TtftBranch::none:
          h[idx(I::t_none)] = true;
          break;
        case model::TtftBranch::decode:
          break;  // causal T-DECODE: no coverage item (causal_golden_test, causal_laws_test)
      }
      switch (p.e2e_branch) {
        case model::E2eBranch::primary:
          h[idx(I::e_primary)] = true;
          break;
        case model::E2eBranch::preempted:
          h[idx(I::e_preempted)] = true;
          break;
        case model::E2eBranch::fallback:
          h[idx(I::e_fallback)] = true;
          break;
        case model::E2eBranch::negative:
          h[idx(I::e_negative)] = true;
          break;
        case model::E2eBranch::none:
        case model::E2eBranch::decode:  // causal E-DECODE / E-TIMEOUT: no coverage item
        case model::E2eBranch::timeout:
          break;
      }
    }
    bool transfer_started = false;
    switch (p.outcome) {
      case model::ParentOutcome::dropped_at_start:
        h[idx(p.transfer_start_time > 0 ? I::drop_at_transfer_start : I::drop_at_start_t0)] = true;
        break;
      case model::ParentOutcome::late_drop:
        h[idx(I::late_drop)] = true;
        transfer_started = true;
        break;
      case model::ParentOutcome::decode_timed_out:
        h[idx(I::timeout_decode)] = true;
        if (p.completion_time < p.decode_enqueue_time) h[idx(I::stale_deadline)] = true;
        transfer_started = true;
        break;
      case model::ParentOutcome::in_transfer:
      case model::ParentOutcome::decode_pending:
      case model::ParentOutcome::decode_completed:
        transfer_started = true;
        break;
      default:
        break;
    }
    if (transfer_started && cfg.pd_transfer_contention) {
      h[idx(p.active_at_start <= 1   ? I::contention_1
            : p.active_at_start == 2 ? I::contention_2
                                     : I::contention_3_plus)] = true;
    }
  }
}

}  // namespace

const std::array<CoverageItemInfo, kCoverageItemCount>& coverage_items() { return kItems; }

const CoverageItemInfo& info(CoverageItem item) { return kItems[idx(item)]; }

CoverageHits coverage_of(const model::RunOutput& out) {
  CoverageHits h{};
  if (!out.config) return h;
  const model::Config& cfg = *out.config;
  cover_parents(out, cfg, h);
  cover_events(out, cfg, h);
  cover_zero_new_token(out, cfg, h);

  const model::Counters& c = out.aggregate.counters;
  if (c.preemption_count > 0) h[idx(I::preemption)] = true;
  if (c.length_capped_count > 0) h[idx(I::length_cap)] = true;
  if (c.kv_allocation_failures.value_or(0) > 0) h[idx(I::kv_allocation_failure)] = true;
  for (const model::InstanceOutput& inst : out.instances) {
    if (inst.counters.cache_hits.value_or(0) > 0) h[idx(I::prefix_hit)] = true;
  }
  if (out.cluster && out.cluster->pipeline_pending > 0) {
    h[idx(I::horizon_pipeline_pending)] = true;
  }
  if (out.pd && out.pd->pd_in_transfer > 0) h[idx(I::horizon_in_transfer)] = true;
  if (cfg.horizon_us != model::kNoHorizon && c.still_queued + c.still_running > 0) {
    h[idx(I::horizon_work_left)] = true;
  }
  if (cfg.driver == model::Driver::standalone) h[idx(I::standalone_driver)] = true;
  if (cfg.pd_enabled() && cfg.pd_decider == model::PdDecider::never && c.completed > 0) {
    h[idx(I::pd_decider_never)] = true;
  }
  return h;
}

void CoverageTable::add(const CoverageHits& h) {
  ++cases;
  for (size_t i = 0; i < kCoverageItemCount; ++i) hits[i] += h[i] ? 1 : 0;
}

void CoverageTable::merge(const CoverageTable& other) {
  cases += other.cases;
  for (size_t i = 0; i < kCoverageItemCount; ++i) hits[i] += other.hits[i];
}

bool is_required(CoverageItem item, model::ProjectionEra era, bool faithful_cases) {
  switch (info(item).requirement) {
    case R::required:
      return true;
    // Historical eras route parents through other formulas (Appendix A): the §10.4 branch
    // labels are only meaningful, and only required, for the current projection.
    case R::required_current:
      return era == model::ProjectionEra::current && faithful_cases;
    case R::informational:
    case R::unreachable:
      return false;
  }
  return false;
}

std::vector<CoverageItem> coverage_gaps(const CoverageTable& table, model::ProjectionEra era,
                                        bool faithful_cases) {
  std::vector<CoverageItem> gaps;
  for (const CoverageItemInfo& i : kItems) {
    if (is_required(i.item, era, faithful_cases) && table.count(i.item) == 0) {
      gaps.push_back(i.item);
    }
  }
  return gaps;
}

std::string format_coverage_table(const CoverageTable& table, model::ProjectionEra era,
                                  bool faithful_cases) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%-26s %-13s %10s %8s  %s\n", "coverage item", "requirement",
                "cases", "share", "meaning");
  s += line;
  for (const CoverageItemInfo& i : kItems) {
    const char* req = "informational";
    if (i.requirement == R::unreachable) req = "unreachable";
    const bool required = is_required(i.item, era, faithful_cases);
    if (required) req = "required";
    const int64_t n = table.count(i.item);
    const double share =
        table.cases > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(table.cases) : 0.0;
    const bool gap = required && n == 0;
    std::snprintf(line, sizeof line, "%-26s %-13s %10lld %7.2f%%  %s%s\n", i.name, req,
                  static_cast<long long>(n), share, i.meaning, gap ? "   <-- NOT HIT" : "");
    s += line;
  }
  return s;
}

}  // namespace simcheck::gen
