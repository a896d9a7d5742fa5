// INV-6: the same configuration, seed and trace produce identical output. Two runs of the same
// case are compared field by field (doubles bit for bit); a later step adds a byte comparison of
// the serialised JSON.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "model/case_validation.h"
#include "model/simulate.h"

namespace simcheck::model {
namespace {

#define EXPECT_SAME_BITS(a, b) \
  EXPECT_EQ(std::bit_cast<uint64_t>(double(a)), std::bit_cast<uint64_t>(double(b)))

template <class V>
void expect_same_map(const IdMap<V>& a, const IdMap<V>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    EXPECT_EQ(ia->first, ib->first);
    if constexpr (std::is_same_v<V, double>) {
      EXPECT_SAME_BITS(ia->second, ib->second);
    } else if constexpr (std::is_same_v<V, RequestMeta>) {
      EXPECT_SAME_BITS(ia->second.arrived_at_s, ib->second.arrived_at_s);
      EXPECT_EQ(ia->second.num_prefill_tokens, ib->second.num_prefill_tokens);
      EXPECT_EQ(ia->second.num_decode_tokens, ib->second.num_decode_tokens);
      EXPECT_EQ(ia->second.handled_by, ib->second.handled_by);
      EXPECT_EQ(ia->second.length_capped, ib->second.length_capped);
    } else if constexpr (std::is_same_v<V, FinalRequestState>) {
      EXPECT_EQ(ia->second.state, ib->second.state);
      EXPECT_EQ(ia->second.pi, ib->second.pi);
      EXPECT_EQ(ia->second.kv_blocks_owned, ib->second.kv_blocks_owned);
    } else {
      EXPECT_EQ(ia->second, ib->second);
    }
  }
}

void expect_same(const MetricMaps& a, const MetricMaps& b) {
  expect_same_map(a.ttft, b.ttft);
  expect_same_map(a.e2e, b.e2e);
  expect_same_map(a.itl_avg, b.itl_avg);
  expect_same_map(a.sched_delay, b.sched_delay);
  ASSERT_EQ(a.completion_time.has_value(), b.completion_time.has_value());
  if (a.completion_time) expect_same_map(*a.completion_time, *b.completion_time);
  expect_same_map(a.requests_meta, b.requests_meta);
}

void expect_same(const Counters& a, const Counters& b) {
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.still_queued, b.still_queued);
  EXPECT_EQ(a.still_running, b.still_running);
  EXPECT_EQ(a.dropped_unservable, b.dropped_unservable);
  EXPECT_EQ(a.timed_out, b.timed_out);
  EXPECT_EQ(a.length_capped_count, b.length_capped_count);
  EXPECT_EQ(a.preemption_count, b.preemption_count);
  EXPECT_EQ(a.kv_allocation_failures, b.kv_allocation_failures);
  EXPECT_EQ(a.total_input_tokens, b.total_input_tokens);
  EXPECT_EQ(a.total_output_tokens, b.total_output_tokens);
  EXPECT_EQ(a.ttft_sum, b.ttft_sum);
  EXPECT_EQ(a.sim_ended, b.sim_ended);
  EXPECT_EQ(a.peak_kv_used, b.peak_kv_used);
  ASSERT_EQ(a.kv_used_integral.has_value(), b.kv_used_integral.has_value());
  if (a.kv_used_integral) EXPECT_SAME_BITS(*a.kv_used_integral, *b.kv_used_integral);
  EXPECT_SAME_BITS(a.cache_hit_rate, b.cache_hit_rate);
  EXPECT_EQ(a.cache_hits, b.cache_hits);
  EXPECT_EQ(a.cache_misses, b.cache_misses);
}

void expect_same(const Statistics& a, const Statistics& b) {
  for (auto f : {&Statistics::ttft_mean_ms, &Statistics::ttft_p90_ms, &Statistics::ttft_p95_ms,
                 &Statistics::ttft_p99_ms, &Statistics::e2e_mean_ms, &Statistics::e2e_p90_ms,
                 &Statistics::e2e_p95_ms, &Statistics::e2e_p99_ms, &Statistics::itl_mean_ms,
                 &Statistics::itl_p90_ms, &Statistics::itl_p95_ms, &Statistics::itl_p99_ms,
                 &Statistics::scheduling_delay_p99_ms, &Statistics::responses_per_sec,
                 &Statistics::tokens_per_sec}) {
    EXPECT_SAME_BITS(a.*f, b.*f);
  }
  EXPECT_EQ(a.injected_requests, b.injected_requests);
}

void expect_same(const InstanceOutput& a, const InstanceOutput& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.role, b.role);
  expect_same(a.counters, b.counters);
  expect_same(a.maps, b.maps);
  EXPECT_EQ(a.all_itls, b.all_itls);
  EXPECT_EQ(a.step_counters, b.step_counters);
  ASSERT_EQ(a.statistics.has_value(), b.statistics.has_value());
  if (a.statistics) expect_same(*a.statistics, *b.statistics);
  EXPECT_EQ(a.kv_total_blocks, b.kv_total_blocks);
  EXPECT_EQ(a.kv_used_at_end, b.kv_used_at_end);
  EXPECT_EQ(a.wait_queue_at_end, b.wait_queue_at_end);
  EXPECT_EQ(a.running_at_end, b.running_at_end);
  expect_same_map(a.final_states, b.final_states);
  ASSERT_EQ(a.events.has_value(), b.events.has_value());
  if (!a.events) return;
  ASSERT_EQ(a.events->size(), b.events->size());
  for (size_t i = 0; i < a.events->size(); ++i) {
    const EventRecord& x = (*a.events)[i];
    const EventRecord& y = (*b.events)[i];
    EXPECT_EQ(x.time, y.time);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.request_id, y.request_id);
    EXPECT_EQ(x.wait_queue_len, y.wait_queue_len);
    EXPECT_EQ(x.running_len, y.running_len);
    EXPECT_EQ(x.steps_pending, y.steps_pending);
    EXPECT_EQ(x.kv_free_count, y.kv_free_count);
    EXPECT_EQ(x.kv_in_use_blocks, y.kv_in_use_blocks);
    EXPECT_EQ(x.kv_ref_sum, y.kv_ref_sum);
    EXPECT_EQ(x.kv_owned_sum, y.kv_owned_sum);
  }
}

void expect_same(const ParentRecord& a, const ParentRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.prefill_id, b.prefill_id);
  EXPECT_EQ(a.decode_id, b.decode_id);
  EXPECT_EQ(a.input_len, b.input_len);
  EXPECT_EQ(a.output_len, b.output_len);
  EXPECT_EQ(a.num_kv_blocks, b.num_kv_blocks);
  EXPECT_EQ(a.arrival, b.arrival);
  EXPECT_EQ(a.decode_instance, b.decode_instance);
  EXPECT_EQ(a.prefill_instance, b.prefill_instance);
  EXPECT_EQ(a.prefill_enqueue_time, b.prefill_enqueue_time);
  EXPECT_EQ(a.prefill_complete_time, b.prefill_complete_time);
  EXPECT_EQ(a.transfer_start_time, b.transfer_start_time);
  EXPECT_EQ(a.transfer_complete_time, b.transfer_complete_time);
  EXPECT_EQ(a.decode_enqueue_time, b.decode_enqueue_time);
  EXPECT_EQ(a.completion_time, b.completion_time);
  EXPECT_EQ(a.decode_detect_tick, b.decode_detect_tick);
  ASSERT_EQ(a.decode_sub.has_value(), b.decode_sub.has_value());
  if (a.decode_sub) {
    EXPECT_EQ(a.decode_sub->state, b.decode_sub->state);
    EXPECT_EQ(a.decode_sub->pi, b.decode_sub->pi);
    EXPECT_EQ(a.decode_sub->first_token_time, b.decode_sub->first_token_time);
    EXPECT_EQ(a.decode_sub->itl, b.decode_sub->itl);
  }
  EXPECT_EQ(a.active_at_start, b.active_at_start);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.ttft_branch, b.ttft_branch);
  EXPECT_EQ(a.e2e_branch, b.e2e_branch);
}

void expect_same(const RunOutput& a, const RunOutput& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.seed, b.seed);
  ASSERT_EQ(a.trace.has_value(), b.trace.has_value());
  if (a.trace) {
    ASSERT_EQ(a.trace->size(), b.trace->size());
    for (size_t i = 0; i < a.trace->size(); ++i) {
      const TraceEntry& x = (*a.trace)[i];
      const TraceEntry& y = (*b.trace)[i];
      EXPECT_EQ(x.id, y.id);
      EXPECT_EQ(x.arrival, y.arrival);
      EXPECT_EQ(x.input_len, y.input_len);
      EXPECT_EQ(x.output_len, y.output_len);
      EXPECT_EQ(x.max_output_len, y.max_output_len);
      EXPECT_EQ(x.deadline, y.deadline);
    }
  }
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (size_t i = 0; i < a.instances.size(); ++i) expect_same(a.instances[i], b.instances[i]);
  expect_same(a.aggregate.counters, b.aggregate.counters);
  expect_same(a.aggregate.maps, b.aggregate.maps);
  EXPECT_EQ(a.aggregate.all_itls, b.aggregate.all_itls);
  EXPECT_EQ(a.aggregate.step_counters, b.aggregate.step_counters);
  expect_same(a.aggregate.statistics, b.aggregate.statistics);
  ASSERT_EQ(a.cluster.has_value(), b.cluster.has_value());
  if (a.cluster) {
    EXPECT_EQ(a.cluster->trace_requests, b.cluster->trace_requests);
    EXPECT_EQ(a.cluster->arrived, b.cluster->arrived);
    EXPECT_EQ(a.cluster->rejected, b.cluster->rejected);
    EXPECT_EQ(a.cluster->routing_rejections, b.cluster->routing_rejections);
    EXPECT_EQ(a.cluster->pipeline_pending, b.cluster->pipeline_pending);
    EXPECT_EQ(a.cluster->trace_beyond_horizon, b.cluster->trace_beyond_horizon);
  }
  ASSERT_EQ(a.pd.has_value(), b.pd.has_value());
  if (a.pd) {
    const PdCounters& x = *a.pd;
    const PdCounters& y = *b.pd;
    for (auto f : {&PdCounters::transfers_initiated, &PdCounters::transfers_completed,
                   &PdCounters::pd_prefill_completed, &PdCounters::pd_decode_completed,
                   &PdCounters::pd_decode_timed_out, &PdCounters::dropped_at_decode_kv,
                   &PdCounters::pending_decode_at_end, &PdCounters::pd_in_transfer,
                   &PdCounters::active_transfers_at_end, &PdCounters::peak_concurrent_transfers,
                   &PdCounters::transfer_depth_sum, &PdCounters::transfer_start_count}) {
      EXPECT_EQ(x.*f, y.*f);
    }
    EXPECT_EQ(x.contention_corrupted, y.contention_corrupted);
  }
  ASSERT_EQ(a.parents.has_value(), b.parents.has_value());
  if (a.parents) {
    ASSERT_EQ(a.parents->size(), b.parents->size());
    for (size_t i = 0; i < a.parents->size(); ++i) expect_same((*a.parents)[i], (*b.parents)[i]);
  }
  EXPECT_EQ(a.warnings, b.warnings);
}

// A generated PD workload that exercises the random paths: Poisson arrivals and Gaussian
// lengths (workload-gen stream), least-loaded with the random tie-break (router stream),
// contention, timeouts and a KV cache small enough to preempt.
Case busy_pd_case(int64_t seed) {
  Case c;
  c.seed = seed;
  Config& k = c.config;
  k.num_instances = 5;
  k.prefill_instances = 2;
  k.decode_instances = 2;
  k.pd_decider = PdDecider::always;
  k.kv_bytes_per_token = 512;
  k.pd_transfer_contention = true;
  k.routing_policy = RoutingPolicy::least_loaded;
  k.least_loaded_tiebreak = LeastLoadedTiebreak::random;
  k.alpha = {100, 1, 10};
  k.beta = {1000, 2, 50};
  k.block_size_tokens = 16;
  k.total_kv_blocks = 64;
  k.max_num_seqs = 8;
  k.record_events = true;
  Workload w;
  w.aggregate_rate = 400;
  w.max_requests = 60;
  Client cl;
  cl.arrival = ArrivalProcess::poisson;
  cl.input_dist = LengthDist{LengthKind::gaussian, 1, 200, 120, 2, 600};
  cl.output_dist = LengthDist{LengthKind::gaussian, 1, 40, 30, 1, 200};
  cl.timeout_us = 400000;
  w.clients.push_back(cl);
  c.workload = w;
  return c;
}

TEST(Determinism, SameCaseTwiceGivesIdenticalOutputPd) {
  const Case c = busy_pd_case(7);
  ASSERT_FALSE(validate_case(c).has_value()) << validate_case(c)->message;
  const RunOutput a = simulate(c);
  const RunOutput b = simulate(c);
  ASSERT_TRUE(a.parents.has_value());
  EXPECT_EQ(a.parents->size(), 60u);
  expect_same(a, b);
}

TEST(Determinism, SameCaseTwiceGivesIdenticalOutputNonPdAndStandalone) {
  Case c = busy_pd_case(11);
  c.config.prefill_instances = 0;
  c.config.decode_instances = 0;
  c.config.pd_decider = PdDecider::never;
  c.config.pd_transfer_contention = false;
  ASSERT_FALSE(validate_case(c).has_value()) << validate_case(c)->message;
  expect_same(simulate(c), simulate(c));
  c.config.num_instances = 1;
  c.config.driver = Driver::standalone;
  c.config.horizon_us = 100000;
  ASSERT_FALSE(validate_case(c).has_value()) << validate_case(c)->message;
  expect_same(simulate(c), simulate(c));
}

TEST(Determinism, SeedChangesTheRun) {
  // Not INV-6 itself, but proof that the comparison above compares something seed-dependent.
  const RunOutput a = simulate(busy_pd_case(7));
  const RunOutput b = simulate(busy_pd_case(8));
  EXPECT_NE(a.aggregate.maps.e2e, b.aggregate.maps.e2e);
}

}  // namespace
}  // namespace simcheck::model
