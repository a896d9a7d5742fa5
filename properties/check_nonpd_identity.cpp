// Spec §11 C-5 (non-PD E2E identity, §7.6 RECORD): e2e = ttft + sum(itl) + P, itl_avg =
// sum(itl) / max(N - 1, 1), every ITL entry >= 1 + OTP. The run output has no per-request ITL
// list, so sum(itl) is derived as e2e - ttft - P and then held to every consequence of the
// identity; per instance, the derived sums must add up to the instance's all_itls.
#include <algorithm>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"
#include "properties/projection_formulas.h"

namespace simcheck::properties {
namespace {

using support::kv;

// itl_avg as RECORD computes it: (double)s / (double)max(divisor, 1).
double record_itl_avg(int64_t s, int64_t divisor) {
  return static_cast<double>(s) / static_cast<double>(std::max<int64_t>(divisor, 1));
}

// s = e2e - ttft - P·[N > 0] as an exact integer, if it is one that fits in int64.
std::optional<int64_t> itl_sum(double e2e, double ttft, int64_t N, int64_t P) {
  exact::Sum s(e2e);
  s.sub(ttft);
  if (N > 0) s.sub(P);
  return s.as_int64();
}

}  // namespace

CheckResult check_nonpd_e2e_identity(const RunOutput& run) {
  const char* id = "C-5";
  if (!run.config) return not_applicable(id, "config missing (P, OTP)");
  support::Violations out(id);
  const int64_t P = run.config->post_decode_fixed_overhead_us;
  const int64_t otp = exact::spec_trunc(run.config->alpha[2]);
  const int64_t min_itl = 1 + otp;  // every step advances >= 1, plus OTP (§5.2, §7.5)
  const auto parents = support::index_parents(run);
  const model::MetricMaps& m = run.aggregate.maps;

  support::SortedCursor ttft_of(m.ttft);
  support::SortedCursor meta_of(m.requests_meta);
  support::SortedCursor avg_of(m.itl_avg);
  for (const auto& [k, e2e] : m.e2e) {
    const double* ttft = ttft_of.find(k);
    const model::RequestMeta* meta = meta_of.find(k);
    const double* avg = avg_of.find(k);
    if (support::key_kind(run, parents, k) != support::KeyKind::non_pd) continue;
    if (ttft == nullptr || meta == nullptr) continue;  // REQ-ONE-RECORD
    const int64_t N = meta->num_decode_tokens;
    const bool capped = meta->length_capped;
    const auto s = itl_sum(e2e, *ttft, N, P);
    const double e2e_value = e2e;  // clang 14 cannot capture structured bindings
    auto values = [&] {            // built only for a violation
      return kv("e2e", e2e_value) + " " + kv("ttft", *ttft) + " " + kv("P", N > 0 ? P : 0) + " " +
             kv("N", N);
    };
    if (!s) {
      out.fail(k, "e2e - ttft - P is not a whole number of µs (" + values() + ")");
      continue;
    }
    if (avg == nullptr) {
      out.fail(k, "completed without an itl_avg entry");
      continue;
    }
    if (!capped) {
      // N - 1 decode steps (the first token comes from prefill), each ITL >= 1 + OTP.
      const int64_t steps = std::max<int64_t>(N - 1, 0);
      const __int128 least = static_cast<__int128>(steps) * min_itl;
      if ((steps == 0 && *s != 0) || static_cast<__int128>(*s) < least) {
        out.fail(k, "sum(itl) = e2e - ttft - P = " + std::to_string(*s) + " but " +
                        std::to_string(steps) + " ITL entries of >= " + std::to_string(min_itl) +
                        (steps == 0 ? " (must be 0)" : "") + " (" + values() + ")");
        continue;
      }
      const double expected = N > 0 ? record_itl_avg(*s, N - 1) : 0.0;
      if (!(*avg == expected)) {
        out.fail(k, kv("itl_avg", *avg) + " != " + std::to_string(*s) +
                        " / max(N-1,1) = " + exact::str(expected) + " (" + values() + ")");
      }
    } else {
      // Length-capped: |itl| = some m < N, itl_avg = s / max(m - 1, 1).
      bool explained = false;
      const int64_t most =
          std::min<int64_t>(std::max<int64_t>(N - 1, 0), min_itl > 0 && *s >= 0 ? *s / min_itl : 0);
      for (int64_t n_itl = 0; n_itl <= most && !explained; ++n_itl) {
        if (n_itl == 0 && *s != 0) continue;
        explained = *avg == record_itl_avg(*s, n_itl - 1);
      }
      if (!explained) {
        out.fail(k, "length-capped: no ITL count m < N with each entry >= " +
                        std::to_string(min_itl) + " gives " + kv("itl_avg", *avg) +
                        " from sum(itl) = " + std::to_string(*s) + " (" + values() + ")");
      }
    }
  }

  // Per instance: RECORD appends exactly the completed requests' ITLs to all_itls.
  for (const auto& inst : run.instances) {
    if (!inst.all_itls) continue;
    for (std::size_t i = 0; i < inst.all_itls->size(); ++i) {
      if ((*inst.all_itls)[i] < min_itl) {
        out.fail(inst.id, "all_itls[" + std::to_string(i) +
                              "]=" + std::to_string((*inst.all_itls)[i]) +
                              " < 1 + OTP = " + std::to_string(min_itl));
      }
    }
    if (inst.maps.requests_meta.empty() && !inst.maps.e2e.empty()) continue;  // maps not reported
    exact::Sum derived;
    bool complete = true;
    support::SortedCursor inst_meta_of(inst.maps.requests_meta);
    support::SortedCursor inst_ttft_of(inst.maps.ttft);
    for (const auto& [k, e2e] : inst.maps.e2e) {
      const model::RequestMeta* meta = inst_meta_of.find(k);
      const double* t = inst_ttft_of.find(k);
      if (meta == nullptr) {
        complete = false;
        break;
      }
      derived.add(e2e);
      if (t != nullptr) derived.sub(*t);
      if (meta->num_decode_tokens > 0) derived.sub(P);
    }
    if (!complete) continue;
    exact::Sum listed;
    for (int64_t v : *inst.all_itls) listed.add(v);
    if (!(listed == derived)) {
      out.fail(inst.id, "sum(all_itls) = " + listed.str() +
                            " != sum over completed requests of e2e - ttft - P = " + derived.str());
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
