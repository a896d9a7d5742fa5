// Spec §9.5 (transfer DURATION, contention bookkeeping), §9.6.
#include "model/pd_transfer.h"

#include <cmath>
#include <limits>

namespace simcheck::model {
namespace {

// §0 ceil(x): mathematical ceiling, then int64. Out-of-range values (only possible with absurd
// configurations) saturate like §0's trunc, so the arithmetic stays defined.
int64_t ceil_to_int64(double x) {
  const double c = std::ceil(x);
  if (std::isnan(c) || c >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
  if (c < -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(c);
}

}  // namespace

int64_t transfer_duration(int64_t num_kv_blocks, int64_t block_size_tokens,
                          double kv_bytes_per_token, double bandwidth_gbps, double base_latency_ms,
                          int64_t active) {
  const double bytes = static_cast<double>(num_kv_blocks) *
                       (static_cast<double>(block_size_tokens) * kv_bytes_per_token);
  double bw = bandwidth_gbps * 1000.0;                    // bytes per µs
  const double base = base_latency_ms * 1000.0;           // µs
  if (active > 1) bw = bw / static_cast<double>(active);  // fair share, INV-P2-2
  const int64_t d = (bw > 0) ? ceil_to_int64(base + bytes / bw) : ceil_to_int64(base);
  return d > 1 ? d : 1;
}

int64_t transfer_duration(const Config& config, int64_t num_kv_blocks, int64_t active) {
  return transfer_duration(num_kv_blocks, config.block_size_tokens, config.kv_bytes_per_token,
                           config.pd_transfer_bandwidth_gbps, config.pd_transfer_base_latency_ms,
                           config.pd_transfer_contention ? active : 1);
}

int64_t TransferContention::on_start() {
  active += 1;
  if (active > peak) peak = active;
  depth_sum += active;
  start_count += 1;
  return active;
}

void TransferContention::on_done() {
  active -= 1;
  if (active < 0) {
    active = 0;
    corrupted = true;
  }
}

}  // namespace simcheck::model
