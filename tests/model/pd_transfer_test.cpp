// Spec §9.5 DURATION and the contention bookkeeping of §9.5/§9.6 (INV-P2-2).
#include "model/pd_transfer.h"

#include <gtest/gtest.h>

namespace simcheck::model {
namespace {

TEST(TransferDuration, SpecExampleAloneTenGbps) {
  // §9.5: 10 blocks · (16 · 512) = 81920 bytes; 10 GB/s = 10000 B/µs; base 0
  // → ceil(0 + 81920 / 10000) = ceil(8.192) = 9.
  EXPECT_EQ(transfer_duration(10, 16, 512.0, 10.0, 0.0, 1), 9);
}

TEST(TransferDuration, SpecExampleTwoActiveHalvesBandwidth) {
  // bw = 10000 / 2 = 5000 → ceil(81920 / 5000) = ceil(16.384) = 17.
  EXPECT_EQ(transfer_duration(10, 16, 512.0, 10.0, 0.0, 2), 17);
}

TEST(TransferDuration, WorkedExampleB2) {
  // B.2: 2 blocks · 16 · 512 = 16384 bytes; 25 GB/s → 25000 B/µs; base 0.05 ms = 50 µs
  // → ceil(50 + 0.65536) = 51.
  EXPECT_EQ(transfer_duration(2, 16, 512.0, 25.0, 0.05, 1), 51);
}

TEST(TransferDuration, NonPositiveBandwidthIsLatencyOnly) {
  // bw ≤ 0 → ceil(base): 0.0123 ms = 12.3 µs → 13; bytes are ignored.
  EXPECT_EQ(transfer_duration(1000, 16, 512.0, 0.0, 0.0123, 1), 13);
  EXPECT_EQ(transfer_duration(1000, 16, 512.0, -5.0, 0.0123, 3), 13);
}

TEST(TransferDuration, AtLeastOneMicrosecond) {
  // base 0 and bw ≤ 0 → ceil(0) = 0 → max(0, 1) = 1; tiny transfer: ceil(16/25000)=1.
  EXPECT_EQ(transfer_duration(5, 16, 512.0, 0.0, 0.0, 1), 1);
  EXPECT_EQ(transfer_duration(1, 1, 16.0, 25.0, 0.0, 1), 1);
}

TEST(TransferDuration, ConfigOverloadAppliesDivisorOnlyWithContention) {
  Config c;
  c.block_size_tokens = 16;
  c.kv_bytes_per_token = 512.0;
  c.pd_transfer_bandwidth_gbps = 10.0;
  c.pd_transfer_base_latency_ms = 0.0;
  c.pd_transfer_contention = false;
  EXPECT_EQ(transfer_duration(c, 10, 2), 9);  // divisor forced to 1
  c.pd_transfer_contention = true;
  EXPECT_EQ(transfer_duration(c, 10, 2), 17);
  EXPECT_EQ(transfer_duration(c, 10, 1), 9);
}

TEST(TransferContention, StartAndDoneBookkeeping) {
  TransferContention t;
  EXPECT_EQ(t.on_start(), 1);
  EXPECT_EQ(t.on_start(), 2);
  t.on_done();
  EXPECT_EQ(t.on_start(), 2);
  EXPECT_EQ(t.peak, 2);
  EXPECT_EQ(t.depth_sum, 1 + 2 + 2);
  EXPECT_EQ(t.start_count, 3);
  EXPECT_EQ(t.active, 2);
  EXPECT_FALSE(t.corrupted);
}

TEST(TransferContention, UnderflowClampsAndMarksCorrupted) {
  TransferContention t;
  t.on_done();
  EXPECT_EQ(t.active, 0);
  EXPECT_TRUE(t.corrupted);
}

}  // namespace
}  // namespace simcheck::model
