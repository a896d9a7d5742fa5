// Spec §9.5 (transfer DURATION, fair-share contention bookkeeping), §9.6 (active decrement),
// INV-P2-2.
#pragma once

#include <cstdint>

#include "model/config.h"

namespace simcheck::model {

// §9.5 DURATION(nb) with an explicit divisor: `active` is the number of transfers in flight
// including this one (pass 1 when contention is off). All doubles until the ceiling, exactly in
// the spec's order and grouping; the result is at least 1 µs.
int64_t transfer_duration(int64_t num_kv_blocks, int64_t block_size_tokens,
                          double kv_bytes_per_token, double bandwidth_gbps, double base_latency_ms,
                          int64_t active);

// Same, reading the parameters from the configuration.
int64_t transfer_duration(const Config& config, int64_t num_kv_blocks, int64_t active);

// The fair-share bookkeeping of §9.5/§9.6 (only driven when pd_transfer_contention is on).
struct TransferContention {
  int64_t active = 0;
  int64_t peak = 0;
  int64_t depth_sum = 0;
  int64_t start_count = 0;
  bool corrupted = false;  // `active` would have gone negative (§9.6)

  // A transfer starts: returns `active` after its own increment (the divisor for DURATION).
  int64_t on_start();
  // A transfer completes. Going below zero clamps to 0 and marks the run as corrupted.
  void on_done();
};

}  // namespace simcheck::model
