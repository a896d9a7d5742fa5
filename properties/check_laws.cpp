// Physical laws beyond the spec's numbered invariants: a PD parent's first token comes after its
// KV arrived plus one decode step (LAW-FIRST-TOKEN); an E2E covers the tokens after the first
// (LAW-E2E-COVERS-TOKENS); an instance's token counters match the requests it served
// (LAW-TOKEN-COUNTS, §7.2 step 5 and §7.6 RECORD).
#include <cmath>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {

using support::kv;

namespace {
constexpr double kTwo52 = 4503599627370496.0;
}  // namespace

// For a PD parent whose decode sub-request produced at least one ITL entry after being enqueued:
// ttft >= (decode_enqueue_time - arrival) + itl[0]. Applicability is decided by the data, not by
// the recorded branch label, so historical projections (TTFT = prefill TTFT, #930) are caught.
CheckResult check_law_first_token(const RunOutput& run) {
  const char* id = "LAW-FIRST-TOKEN";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  // Under the causal profile itl[0] is the gap after the first token (Δ3b), and L5 states the
  // bound: LAW-C4-L5-PD-FIRST-TOKEN.
  if (run.config && run.config->causal()) {
    return not_applicable(id, "causal profile (LAW-C4-L5-PD-FIRST-TOKEN replaces it)");
  }
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  for (const auto& p : *run.parents) {
    if (!p.decode_sub || p.decode_sub->itl.empty() || p.decode_enqueue_time <= 0) continue;
    const auto ttft = m.ttft.find(p.id);
    if (ttft == m.ttft.end() || !std::isfinite(ttft->second)) continue;
    exact::Sum earliest(p.decode_enqueue_time);
    earliest.sub(p.arrival).add(p.decode_sub->itl[0]);
    if (exact::Sum(ttft->second) < earliest) {
      out.fail(p.id, kv("ttft", ttft->second) + " < (" +
                         kv("decode_enqueue_time", p.decode_enqueue_time) + " - " +
                         kv("arrival", p.arrival) + ") + " + kv("itl[0]", p.decode_sub->itl[0]) +
                         " = " + earliest.str());
    }
  }
  return std::move(out).finish();
}

// e2e >= ttft + (sum of the ITL entries after the first token).
// * PD parent whose decode sub-request completed with a non-empty ITL list (so T-PRIMARY and
//   E-PRIMARY/E-PREEMPTED apply): e2e >= ttft + sum(itl[1..]), exactly.
// * Completed non-PD request, not length-capped, N = requests_meta's num_decode_tokens: its N - 1
//   ITL entries sum to s with itl_avg = RN(s / (N - 1)). The law s <= e2e - ttft implies, by
//   monotonicity of rounding, itl_avg <= RN((e2e - ttft) / (N - 1)); the check fails exactly when
//   that is false, decided on rationals (multiplying itl_avg back by N - 1 would invent violations
//   from the division's rounding). For N = 1: e2e >= ttft.
CheckResult check_law_e2e_covers_tokens(const RunOutput& run) {
  const char* id = "LAW-E2E-COVERS-TOKENS";
  support::Violations out(id);
  const model::MetricMaps& m = run.aggregate.maps;
  const auto parents = support::index_parents(run);
  bool any_checkable = false;
  if (run.parents) {
    for (const auto& p : *run.parents) {
      if (!p.decode_sub || p.decode_sub->state != model::RequestState::completed ||
          p.decode_sub->itl.empty()) {
        continue;
      }
      const auto e2e = m.e2e.find(p.id);
      const auto ttft = m.ttft.find(p.id);
      if (e2e == m.e2e.end() || ttft == m.ttft.end()) continue;
      if (!std::isfinite(e2e->second) || !std::isfinite(ttft->second)) continue;
      any_checkable = true;
      exact::Sum covered(ttft->second);
      for (std::size_t i = 1; i < p.decode_sub->itl.size(); ++i) covered.add(p.decode_sub->itl[i]);
      if (exact::Sum(e2e->second) < covered) {
        out.fail(p.id, kv("e2e", e2e->second) + " < " + kv("ttft", ttft->second) +
                           " + sum(itl[1..]) = " + covered.str());
      }
    }
  }
  support::SortedCursor ttft_of(m.ttft);
  support::SortedCursor meta_of(m.requests_meta);
  support::SortedCursor avg_of(m.itl_avg);
  for (const auto& [k, e2e] : m.e2e) {
    const double* ttft = ttft_of.find(k);
    const model::RequestMeta* meta = meta_of.find(k);
    const double* avg = avg_of.find(k);
    if (support::key_kind(run, parents, k) != support::KeyKind::non_pd) continue;
    if (ttft == nullptr || meta == nullptr || meta->length_capped) continue;
    if (!std::isfinite(e2e) || !std::isfinite(*ttft)) continue;
    const int64_t N = meta->num_decode_tokens;
    any_checkable = true;
    if (N <= 1) {
      if (e2e < *ttft) out.fail(k, kv("e2e", e2e) + " < " + kv("ttft", *ttft) + " (N <= 1)");
      continue;
    }
    if (avg == nullptr || !std::isfinite(*avg)) continue;
    bool below = false;
    if (std::fabs(e2e) < kTwo52 && std::fabs(*ttft) < kTwo52 && exact::is_integral(e2e) &&
        exact::is_integral(*ttft) && N - 1 < kTwo52) {
      // Fast path: the gap of two integers below 2^52 is exact in binary64, and IEEE division
      // rounds to nearest even, so gap / (N - 1) computed in binary64 IS RN((e2e - ttft)/(N-1)).
      below = (e2e - *ttft) / static_cast<double>(N - 1) < *avg;
    } else {
      const exact::Rational gap = exact::to_rational(e2e) - exact::to_rational(*ttft);
      below = exact::rounds_below(gap / (N - 1), *avg);
    }
    if (below) {
      out.fail(k, kv("e2e", e2e) + " - " + kv("ttft", *ttft) + " < " + kv("N", N) +
                      " - 1 ITL entries averaging " + kv("itl_avg", *avg));
    }
  }
  if (!any_checkable && !m.e2e.empty()) {
    return not_applicable(id,
                          "no checkable request: PD parents need parent records, non-PD keys "
                          "need ttft, requests_meta and itl_avg");
  }
  return std::move(out).finish();
}

// Per instance with per-request maps:
// * total_output_tokens = sum of N over its completed requests (RECORD counts N for every
//   non-capped completion, 0 for a prefill sub-request); skipped if any completion was capped.
// * total_input_tokens = sum of L over the requests still registered in requests_meta that passed
//   the enqueue guards (a drop erases the entry, §7.2) — excluding decode sub-requests, which
//   skip the guards (§7.9); only when nothing is left mid-pipeline (pipeline_pending = 0).
CheckResult check_token_counts(const RunOutput& run) {
  const char* id = "LAW-TOKEN-COUNTS";
  if (!instance_maps_reported(run)) return not_applicable(id, "instances[].maps missing");
  support::Violations out(id);
  const auto parents = support::index_parents(run);
  const bool pd = support::is_pd_run(run);
  const bool pipeline_empty = run.cluster && run.cluster->pipeline_pending == 0;
  for (const auto& inst : run.instances) {
    exact::Sum outputs;
    bool capped = false, known = true;
    support::SortedCursor meta_of(inst.maps.requests_meta);
    for (const auto& [k, e2e] : inst.maps.e2e) {
      const model::RequestMeta* meta = meta_of.find(k);
      if (meta == nullptr) {
        known = false;
        break;
      }
      capped = capped || meta->length_capped;
      outputs.add(meta->num_decode_tokens);
    }
    if (known && !capped && !(outputs == exact::Sum(inst.counters.total_output_tokens))) {
      out.fail(inst.id, kv("total_output_tokens", inst.counters.total_output_tokens) +
                            " != sum of N over completed requests = " + outputs.str());
    }
    if (!pipeline_empty || (pd && !run.parents)) continue;
    exact::Sum inputs;
    for (const auto& [k, meta] : inst.maps.requests_meta) {
      const auto* p = parents.by_sub_id.count(k) ? parents.by_sub_id.at(k) : nullptr;
      if (p && p->decode_id == k) continue;
      inputs.add(meta.num_prefill_tokens);
    }
    if (!(inputs == exact::Sum(inst.counters.total_input_tokens))) {
      out.fail(inst.id, kv("total_input_tokens", inst.counters.total_input_tokens) +
                            " != sum of L over the requests it enqueued = " + inputs.str());
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
