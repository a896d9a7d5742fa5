// Test helpers: the Appendix B configuration and explicit traces with distinct tokens.
#pragma once

#include <cstdint>
#include <string>

#include "model/case.h"
#include "model/config.h"

namespace simcheck::model::testing {

// Appendix B common configuration: α = [100, 1, 10] (OTP = 10), β = [1000, 2, 50], P = 0,
// B = 16, T = 1000, latencies 0, horizon ∞, cluster driver, one instance.
inline Config appendix_b_config() {
  Config c;
  c.alpha = {100, 1, 10};
  c.beta = {1000, 2, 50};
  c.block_size_tokens = 16;
  c.total_kv_blocks = 1000;
  return c;
}

// B.2's PD additions: 1 prefill + 1 decode instance, decider always, 512 bytes/token,
// 25 GB/s, 0.05 ms base latency.
inline Config appendix_b2_config() {
  Config c = appendix_b_config();
  c.num_instances = 2;
  c.prefill_instances = 1;
  c.decode_instances = 1;
  c.pd_decider = PdDecider::always;
  c.kv_bytes_per_token = 512;
  c.pd_transfer_bandwidth_gbps = 25.0;
  c.pd_transfer_base_latency_ms = 0.05;
  return c;
}

// A request whose tokens collide with no other request's: input = base, base+1, …; output
// continues after the input.
inline Request make_request(const std::string& id, int64_t arrival, int64_t input_len,
                            int64_t output_len, int32_t token_base, int64_t deadline = 0) {
  Request r;
  r.id = id;
  r.arrival = arrival;
  for (int64_t i = 0; i < input_len; ++i) r.input.push_back(token_base + static_cast<int32_t>(i));
  for (int64_t i = 0; i < output_len; ++i) {
    r.output.push_back(token_base + static_cast<int32_t>(input_len + i));
  }
  r.max_output_len = output_len;
  r.deadline = deadline;
  return r;
}

}  // namespace simcheck::model::testing
