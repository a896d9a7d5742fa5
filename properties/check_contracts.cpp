// Spec §11 contracts C-1 (TTFT <= E2E, with the E-FALLBACK known exception), C-2 (TTFTSum
// identity and contract form) and C-3 (one entry per completed parent, and the counting identity).
#include <optional>
#include <string>

#include "properties/causal_contracts.h"
#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {
namespace {

using model::E2eBranch;
using model::TtftBranch;
using support::kv;

// Branches of a parent: recomputed from the §10.4 guards when the pre-projection maps are known
// (so a mislabelled record cannot turn a failure into an exception), else as recorded.
std::pair<TtftBranch, E2eBranch> branches_of(const model::ParentRecord& p, bool have_inputs,
                                             const support::MergedMaps& before) {
  if (!have_inputs) return {p.ttft_branch, p.e2e_branch};
  const ProjectionExpectation x = expected_projection(p, before);
  return {x.ttft_branch, x.e2e_branch};
}

}  // namespace

CheckResult check_ttft_le_e2e(const RunOutput& run) {
  support::Violations out("C-1");
  const model::MetricMaps& m = run.aggregate.maps;
  const auto parents = support::index_parents(run);
  const bool have_inputs = instance_maps_reported(run);
  // The pre-projection maps are needed only to classify a violating parent.
  std::optional<support::MergedMaps> before;
  support::SortedCursor ttft_of(m.ttft);
  for (const auto& [k, e2e] : m.e2e) {
    const double* t = ttft_of.find(k);
    if (t == nullptr) continue;
    const double ttft = *t;
    if (!(ttft > e2e)) continue;  // NaN is REQ-NONNEG's finding
    const std::string values = kv("ttft", ttft) + " > " + kv("e2e", e2e);
    const auto* p = parents.parent(k);
    if (p == nullptr || causal_contracts::is_causal(run)) {  // causal: no exception (Δ9)
      // A non-PD request, or a request of a source without parent records: guaranteed.
      out.fail(k, values);
      continue;
    }
    if (have_inputs && !before) before = support::merge_instance_maps(run);
    const auto [tb, eb] =
        branches_of(*p, have_inputs, have_inputs ? *before : support::MergedMaps{});
    const std::string branches = std::string(model::to_string(tb)) + "/" + model::to_string(eb);
    if (tb == TtftBranch::primary && (eb == E2eBranch::primary || eb == E2eBranch::preempted)) {
      out.fail(k, values + " on " + branches);
    } else if (eb == E2eBranch::fallback) {
      out.known(k, values + " on " + branches + ", outcome " + model::to_string(p->outcome) +
                       " (E-FALLBACK, #1511)");
    } else {
      out.known(k, values + " on " + branches + " (outside C-1's guaranteed branches)");
    }
  }
  return std::move(out).finish();
}

CheckResult check_ttft_sum(const RunOutput& run) {
  if (causal_contracts::is_causal(run)) return causal_contracts::ttft_sum(run);
  const char* id = "C-2";
  if (!run.aggregate.counters.ttft_sum) return not_applicable(id, "ttft_sum missing");
  const bool pd = support::is_pd_run(run);
  if (pd && !run.parents) return not_applicable(id, "parents missing");
  support::Violations out(id);
  const int64_t reported = *run.aggregate.counters.ttft_sum;
  const model::MetricMaps& m = run.aggregate.maps;
  const bool have_inputs = instance_maps_reported(run);

  // ---- Exact identity ----
  // sum over x completed on an instance of FTT(x) (its TTFT entry, 0 if it has none: a decode
  // sub-request never re-prefilled) + sum over T-PRIMARY parents of trunc(ttft[pid] - pt).
  const bool have_parents = run.parents && !run.parents->empty();
  const support::MergedMaps before =
      have_inputs && have_parents ? support::merge_instance_maps(run) : support::MergedMaps{};
  if (have_inputs) {
    exact::Sum ftt_total;
    for (const auto& inst : run.instances) {
      exact::Sum ftt;
      support::SortedCursor ttft_of(inst.maps.ttft);
      for (const auto& [k, e2e] : inst.maps.e2e) {
        if (const double* t = ttft_of.find(k)) ftt.add(*t);
      }
      if (inst.counters.ttft_sum && !(exact::Sum(*inst.counters.ttft_sum) == ftt)) {
        out.fail(inst.id,
                 kv("ttft_sum", *inst.counters.ttft_sum) +
                     " != sum of first-token times of its completed requests = " + ftt.str());
      }
      ftt_total.add(ftt);
    }
    exact::Sum identity = ftt_total;
    if (have_parents) {
      for (const auto& p : *run.parents) {
        // T-PRIMARY as the §10.4 guards decide it; the delta from the stored value, evaluated
        // as §10.4 writes it (binary64 subtraction, then trunc), so that C-2 tests the counter's
        // consistency with the maps and C-4 the maps' values.
        const ProjectionExpectation x = expected_projection(p, before);
        const auto stored = m.ttft.find(p.id);
        if (x.ttft_branch == TtftBranch::primary && stored != m.ttft.end() && x.pt) {
          identity.add(exact::spec_trunc(stored->second - *x.pt));
        }
      }
    }
    if (!(exact::Sum(reported) == identity)) {
      out.fail("", kv("ttft_sum", reported) + " != sum of FTTs of completed (sub-)requests " +
                       ftt_total.str() + " + T-PRIMARY deltas = " + identity.str());
    }
  }

  // ---- Contract form ----
  // If (a) no parent ends with its prefill completed but completed = false and (b) no completed
  // decode sub-request has first_token_time != 0, then ttft_sum = sum of ttft[k] over keys(e2e).
  bool preconditions = true;
  if (have_parents) {
    for (const auto& p : *run.parents) {
      const bool prefill_completed = before.e2e.count(p.prefill_id) != 0;
      if (prefill_completed && !p.completed) preconditions = false;
      const bool decode_completed = before.e2e.count(p.decode_id) != 0;
      if (decode_completed && before.ttft.count(p.decode_id) != 0) preconditions = false;
      if (p.decode_sub && p.decode_sub->state == model::RequestState::completed &&
          p.decode_sub->first_token_time != 0) {
        preconditions = false;
      }
    }
  }
  if (preconditions) {
    exact::Sum over_e2e;
    support::SortedCursor ttft_of(m.ttft);
    for (const auto& [k, e2e] : m.e2e) {
      if (const double* t = ttft_of.find(k)) over_e2e.add(*t);
    }
    if (!(exact::Sum(reported) == over_e2e)) {
      out.fail("", kv("ttft_sum", reported) + " != sum of ttft over keys(e2e) = " + over_e2e.str() +
                       " (contract form; its preconditions hold)");
    }
  }
  return std::move(out).finish();
}

CheckResult check_one_entry_per_parent(const RunOutput& run) {
  if (causal_contracts::is_causal(run)) return causal_contracts::one_entry_per_parent(run);
  const char* id = "C-3";
  const bool pd = support::is_pd_run(run);
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  const int64_t completed = run.aggregate.counters.completed;
  const auto keys = static_cast<int64_t>(m.e2e.size());
  if (!pd) {
    if (keys != completed) {
      out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " != " + kv("completed", completed));
    }
    return std::move(out).finish();
  }
  if (!run.parents) {
    if (!run.pd) return not_applicable(id, "parents and PD counters missing");
    // Without parent records only bounds are known: decode timeouts always add a key, drops at
    // transfer start add one unless they happened at t = 0 (A13).
    const int64_t lo = completed + run.pd->pd_decode_timed_out;
    const int64_t hi = lo + run.pd->dropped_at_decode_kv;
    if (keys < lo || keys > hi) {
      out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " outside [completed + " +
                       "pd_decode_timed_out, + dropped_at_decode_kv] = [" + std::to_string(lo) +
                       ", " + std::to_string(hi) + "]");
    }
    return std::move(out).finish();
  }
  int64_t extra = 0;  // completed by the flag, decode not completed
  int64_t negative = 0;
  for (const auto& p : *run.parents) {
    for (const model::Id* sub : {&p.prefill_id, &p.decode_id}) {
      if (m.ttft.count(*sub) || m.e2e.count(*sub)) {
        out.fail(p.id, "a ttft/e2e entry under sub-request id " + *sub);
      }
    }
    if (!p.completed) continue;
    if (p.outcome != model::ParentOutcome::decode_completed) ++extra;
    if (p.e2e_branch == E2eBranch::negative) {
      ++negative;
    } else if (m.e2e.count(p.id) == 0) {
      out.fail(p.id, "completed parent without its e2e entry");
    }
    if (m.ttft.count(p.id) == 0 && p.ttft_branch != TtftBranch::none) {
      out.fail(p.id, "completed parent without its ttft entry");
    }
  }
  // |keys(e2e)| = completed + parents completed by the flag whose decode did not complete
  // (E-NEGATIVE parents, unreachable in v1, have no entry).
  if (keys != completed + extra - negative) {
    out.fail("", "|keys(e2e)| = " + std::to_string(keys) + " != " + kv("completed", completed) +
                     " + " + std::to_string(extra) +
                     " parent(s) completed by the flag without a completed decode" +
                     (negative ? " - " + std::to_string(negative) + " E-NEGATIVE" : ""));
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
