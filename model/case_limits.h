// Sanity caps on case sizes (docs/formats.md "Limits"): not in the spec; they keep a valid case
// from exhausting memory or overflowing int64 sums of times, and are far above realistic runs.
#pragma once

#include <cstdint>

namespace simcheck::model::limits {

inline constexpr int64_t kMaxInstances = 4096;
inline constexpr int64_t kMaxKvBlocksPerInstance = 100'000'000;  // total_kv_blocks
inline constexpr int64_t kMaxKvBlocksTotal = 200'000'000;        // num_instances x total_kv_blocks
inline constexpr int64_t kMaxBlockSize = 1'000'000;              // block_size_tokens
// Time values of a case (arrivals, deadlines, latencies, timeouts, P) and max_output_len: 2^53 µs
// is about 285 years, so sums of a few of them cannot overflow int64.
inline constexpr int64_t kMaxTimeUs = int64_t{1} << 53;
inline constexpr double kMaxCoefficient = 1e9;  // each alpha/beta coefficient (µs per unit)
inline constexpr double kMaxKvBytesPerToken = 1e12;
inline constexpr int64_t kMaxRequests = 10'000'000;      // trace length, generator max_requests
inline constexpr int64_t kMaxTotalTokens = 500'000'000;  // Σ (L + N): 2 GB of int32 token ids

// §12.2/§12.3 token-id ranges.
inline constexpr int64_t kRandomTokenRange = 128'000;  // U(128000)
inline constexpr int64_t kMaxTokenId = 2'147'483'647;  // INT32_MAX (model::Token)
inline constexpr int64_t kDefaultPrefixLength = 50;    // §12.3 generator prefix default

}  // namespace simcheck::model::limits
