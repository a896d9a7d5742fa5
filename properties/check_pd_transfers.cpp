// Spec §11 INV-PD-3 (transfer conservation, §9.5/§9.6/§10.3) and INV-P2-2 (fair-share transfer
// duration, §9.5 DURATION) over the PD counters and the parent records.
#include <algorithm>
#include <cmath>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using model::ParentOutcome;
using support::kv;

// Outcomes whose KV reservation succeeded at C_KV_START (§9.8).
bool started_transfer(ParentOutcome o) {
  return o == ParentOutcome::in_transfer || o == ParentOutcome::late_drop ||
         o == ParentOutcome::decode_pending || o == ParentOutcome::decode_completed ||
         o == ParentOutcome::decode_timed_out;
}

// §9.5 DURATION, evaluated in binary64 exactly as written (it is the spec's definition).
int64_t spec_duration(const model::Config& c, int64_t num_blocks, int64_t active) {
  const double bytes = static_cast<double>(num_blocks) *
                       (static_cast<double>(c.block_size_tokens) * c.kv_bytes_per_token);
  double bw = c.pd_transfer_bandwidth_gbps * 1000.0;
  const double base = c.pd_transfer_base_latency_ms * 1000.0;
  if (c.pd_transfer_contention && active > 1) bw = bw / static_cast<double>(active);
  const double d = bw > 0 ? std::ceil(base + bytes / bw) : std::ceil(base);
  return std::max<int64_t>(exact::spec_trunc(d), 1);
}

}  // namespace

CheckResult check_pd_transfer_conservation(const RunOutput& run) {
  const char* id = "INV-PD-3";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.pd) return not_applicable(id, "PD counters missing");
  support::Violations out(id);
  const model::PdCounters& pd = *run.pd;
  const int64_t open = pd.transfers_initiated - pd.transfers_completed;
  if (open != pd.pd_in_transfer) {
    out.fail("", kv("transfers_initiated", pd.transfers_initiated) + " - " +
                     kv("transfers_completed", pd.transfers_completed) + " = " +
                     std::to_string(open) + " != " + kv("pd_in_transfer", pd.pd_in_transfer));
  }
  // §10.3 formula; a negative value is a bookkeeping error.
  const int64_t formula = pd.pd_prefill_completed - pd.pd_decode_completed -
                          pd.pd_decode_timed_out - pd.dropped_at_decode_kv -
                          pd.pending_decode_at_end;
  if (formula != pd.pd_in_transfer || formula < 0) {
    out.fail("",
             "pd_prefill_completed - pd_decode_completed - pd_decode_timed_out - "
             "dropped_at_decode_kv - pending_decode_at_end = " +
                 std::to_string(formula) + (formula < 0 ? " < 0" : "") + ", " +
                 kv("pd_in_transfer", pd.pd_in_transfer));
  }
  if (run.parents) {
    int64_t in_flight = 0;
    for (const auto& p : *run.parents) {
      in_flight += (p.decode_sub && p.transfer_complete_time == 0) ? 1 : 0;
    }
    if (in_flight != pd.pd_in_transfer) {
      out.fail("", std::to_string(in_flight) +
                       " parent(s) hold a decode_sub with transfer_complete_time = 0 but " +
                       kv("pd_in_transfer", pd.pd_in_transfer));
    }
  }
  if (run.config && run.config->pd_transfer_contention) {
    if (pd.active_transfers_at_end != open) {
      out.fail("", kv("active_transfers_at_end", pd.active_transfers_at_end) +
                       " != transfers still open " + std::to_string(open));
    }
    if (pd.contention_corrupted) out.fail("", "contention bookkeeping corrupted (active < 0)");
  }
  return std::move(out).finish();
}

CheckResult check_pd_fair_share(const RunOutput& run) {
  const char* id = "INV-P2-2";
  if (!support::is_pd_run(run)) return not_applicable(id, "not a PD run");
  if (!run.parents) return not_applicable(id, "parents missing");
  if (!run.config) return not_applicable(id, "config missing (bandwidth, block size)");
  support::Violations out(id);
  const model::Config& c = *run.config;
  const bool contention = c.pd_transfer_contention;
  int64_t starts = 0, depth_sum = 0, max_active = 0;
  for (const auto& p : *run.parents) {
    if (!started_transfer(p.outcome)) continue;
    ++starts;
    depth_sum += p.active_at_start;
    max_active = std::max(max_active, p.active_at_start);
    const int64_t B = c.block_size_tokens;
    const int64_t blocks = B > 0 ? (p.input_len + B - 1) / B : 0;
    if (p.num_kv_blocks != blocks) {
      out.fail(p.id, kv("num_kv_blocks", p.num_kv_blocks) + " != ceil_div(" + kv("L", p.input_len) +
                         ", " + kv("B", B) + ") = " + std::to_string(blocks));
    }
    const int64_t divisor = contention ? p.active_at_start : 1;
    if (p.active_at_start < 1 || (!contention && p.active_at_start != 1)) {
      out.fail(p.id, kv("active_at_start", p.active_at_start) +
                         (contention ? " < 1 (its own transfer counts)"
                                     : " but contention is off (divisor must be 1)"));
      continue;
    }
    if (p.transfer_complete_time == 0) continue;  // still in flight at the horizon
    const int64_t expected = spec_duration(c, p.num_kv_blocks, divisor);
    const int64_t actual = p.transfer_complete_time - p.transfer_start_time;
    if (actual != expected) {
      out.fail(p.id, "transfer took " + std::to_string(actual) + " µs, DURATION(" +
                         kv("blocks", p.num_kv_blocks) + ", " + kv("divisor", divisor) +
                         ") = " + std::to_string(expected));
    }
  }
  if (contention && run.pd) {
    const model::PdCounters& pd = *run.pd;
    if ((pd.peak_concurrent_transfers >= 1) != (starts > 0) ||
        pd.peak_concurrent_transfers < max_active) {
      out.fail("", kv("peak_concurrent_transfers", pd.peak_concurrent_transfers) + " with " +
                       std::to_string(starts) + " transfer start(s), largest active_at_start " +
                       std::to_string(max_active));
    }
    if (pd.transfer_start_count != starts || pd.transfer_depth_sum != depth_sum) {
      out.fail("", kv("transfer_start_count", pd.transfer_start_count) + " " +
                       kv("transfer_depth_sum", pd.transfer_depth_sum) + " but the parents give " +
                       std::to_string(starts) + " start(s) with depth sum " +
                       std::to_string(depth_sum));
    }
    if (pd.transfer_start_count > 0 && pd.transfer_depth_sum < pd.transfer_start_count) {
      out.fail("", "mean transfer depth < 1");
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
