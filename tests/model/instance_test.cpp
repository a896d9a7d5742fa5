// Spec §4.1, §4.2, §7 and Appendix B: the instance engine driven through its public API by the
// standalone driver loop of §4.2. Every expected number is hand-computed from the spec; the
// arithmetic is in the comments.
#include "model/instance.h"

#include <gtest/gtest.h>

#include <deque>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace simcheck::model {
namespace {

std::vector<Token> seq(Token first, int n) {
  std::vector<Token> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

// Owns the requests (stable addresses, as the run's arena would) and runs them through one
// instance with the §4.2 loop.
struct Sim {
  Config config;
  std::deque<std::vector<Token>> tokens;
  std::deque<SimRequest> reqs;
  std::vector<EventEffect> effects;

  Sim() { config.record_events = true; }

  SimRequest& add(std::string id, int64_t arrival, std::vector<Token> input,
                  std::vector<Token> output, std::optional<int64_t> max_output_len = {},
                  int64_t deadline = 0) {
    SimRequest& r = reqs.emplace_back();
    r.id = std::move(id);
    r.arrival = arrival;
    const std::vector<Token>* in = &tokens.emplace_back(std::move(input));
    r.set_tokens(in, &tokens.emplace_back(std::move(output)));
    r.max_output_len = max_output_len.value_or(r.N());
    r.deadline = deadline;
    return r;
  }

  // §4.2: inject in trace order, process until the queue is empty or the clock passes the
  // horizon (the event past the horizon has run), then FINALIZE.
  InstanceOutput run(Instance& inst) {
    for (SimRequest& r : reqs) inst.inject(r, r.arrival);
    drain(inst);
    return inst.finalize(config.horizon_us);
  }
  void drain(Instance& inst) {
    while (inst.next_event_time()) {
      effects.push_back(inst.process_next());
      if (inst.clock() > config.horizon_us) break;
    }
  }
  InstanceOutput run() {
    Instance inst("instance_0", Role::none, config);
    return run(inst);
  }
};

// INV-4 and INV-8 at every recorded event boundary.
void expect_boundaries_consistent(const InstanceOutput& out) {
  ASSERT_TRUE(out.events.has_value());
  int64_t prev_time = 0;
  for (const EventRecord& e : *out.events) {
    EXPECT_EQ(e.kv_free_count + e.kv_in_use_blocks, out.kv_total_blocks) << e.time;
    EXPECT_EQ(e.kv_ref_sum, e.kv_owned_sum) << e.time;
    EXPECT_LE(e.steps_pending, 1) << e.time;
    if (e.wait_queue_len + e.running_len > 0) {
      EXPECT_EQ(e.steps_pending, 1) << e.time;
    }
    EXPECT_GE(e.time, prev_time);
    prev_time = e.time;
  }
}

// ---- Appendix B golden cases
// ----------------------------------------------------------------------

TEST(InstanceGolden, AppendixB1OneRequest) {
  Sim sim;
  sim.config.alpha = {100, 1, 10};  // OTP = 10
  sim.config.beta = {1000, 2, 50};
  sim.config.block_size_tokens = 16;
  sim.config.total_kv_blocks = 1000;
  sim.add("A", 0, seq(1, 20), seq(100, 3));
  const InstanceOutput out = sim.run();
  const Counters& c = out.counters;
  // QT = trunc(100 + 20) = 120. STEP 120: adv = 1000 + 2·20 = 1040, ttft = 120 + 1040 + 10.
  EXPECT_EQ(out.maps.sched_delay.at("A"), 120);
  EXPECT_EQ(out.maps.ttft.at("A"), 1170.0);
  // Two decode steps of 1000 + 50 = 1050 (+10 OTP each): e2e = 1170 + 1060 + 1060.
  EXPECT_EQ(out.maps.e2e.at("A"), 3290.0);
  EXPECT_EQ(out.maps.completion_time->at("A"), 3290.0);
  EXPECT_EQ(out.maps.itl_avg.at("A"), 1060.0);  // 2120 / (3 − 1)
  EXPECT_EQ(*out.all_itls, (std::vector<int64_t>{1060, 1060}));
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(c.total_output_tokens, 3);  // (22 − 20) + 1
  EXPECT_EQ(c.total_input_tokens, 20);
  EXPECT_EQ(*c.ttft_sum, 1170);
  // Last event: REQUEST_LEFT at 2210 + 1050 = 3260.
  EXPECT_EQ(*c.sim_ended, 3260);
  // Blocks: 2 for the prompt (16 + 4 tokens); the 2 decode tokens and the final one top up the
  // partial block (4 + 3 = 7 < 16): no more misses, peak 2.
  EXPECT_EQ(*c.cache_misses, 2);
  EXPECT_EQ(*c.peak_kv_used, 2);
  // Integral: 2 blocks over 1040 + 1050 + 1050.
  EXPECT_EQ(*c.kv_used_integral, 2.0 * 3140.0);
  EXPECT_EQ(*out.step_counters, (std::vector<int64_t>{2}));  // finished step 3 − scheduled 1
  EXPECT_EQ(out.kv_used_at_end, 0);
  EXPECT_EQ(out.final_states.at("A").state, RequestState::completed);
  EXPECT_EQ(out.final_states.at("A").pi, 22);
  const RequestMeta& meta = out.maps.requests_meta.at("A");
  EXPECT_EQ(meta.arrived_at_s, 0.0);
  EXPECT_EQ(meta.num_prefill_tokens, 20);
  EXPECT_EQ(meta.num_decode_tokens, 3);
  EXPECT_FALSE(meta.length_capped);
  expect_boundaries_consistent(out);
}

TEST(InstanceGolden, AppendixB3PreemptionAndZeroNewTokenReadmission) {
  Sim sim;
  sim.config.alpha = {0, 0, 0};
  sim.config.beta = {100, 1, 10};
  sim.config.block_size_tokens = 4;
  sim.config.total_kv_blocks = 3;
  sim.add("A", 0, {1, 2, 3, 4}, seq(100, 6));
  sim.add("B", 0, {5, 6, 7, 8}, seq(200, 2));
  Instance inst("instance_0", Role::none, sim.config);
  const InstanceOutput out = sim.run(inst);
  const Counters& c = out.counters;
  // Step 0: both admitted, adv = 100 + 8 = 108, ttft 108 each. Step 108: A takes block 2, B is
  // preempted (preemption_count 1). Step 218: B re-admitted with num_new = 0 (sched 218),
  // ttft[B] = 218 + 110. Step 328: adv = 100 + 2·10 = 120, B completes: e2e = 328 + 120.
  EXPECT_EQ(c.preemption_count, 1);
  EXPECT_EQ(out.maps.sched_delay.at("A"), 0);
  EXPECT_EQ(out.maps.sched_delay.at("B"), 218);
  EXPECT_EQ(out.maps.ttft.at("A"), 108.0);
  EXPECT_EQ(out.maps.ttft.at("B"), 328.0);
  EXPECT_EQ(out.maps.e2e.at("B"), 448.0);
  EXPECT_EQ(out.maps.itl_avg.at("B"), 120.0);  // 120 / max(2 − 1, 1)
  // A: itl 110, 110, 120, 110, 110 → e2e = 108 + 560 = 668, itl_avg = 560 / 5 = 112.
  EXPECT_EQ(out.maps.e2e.at("A"), 668.0);
  EXPECT_EQ(out.maps.itl_avg.at("A"), 112.0);
  EXPECT_EQ(out.maps.completion_time->at("A"), 668.0);
  EXPECT_EQ(out.maps.completion_time->at("B"), 448.0);
  EXPECT_EQ(c.completed, 2);
  EXPECT_EQ(*c.ttft_sum, 436);  // 108 + 328
  EXPECT_EQ(c.total_output_tokens, 8);
  EXPECT_EQ(*out.all_itls, (std::vector<int64_t>{120, 110, 110, 120, 110, 110}));
  EXPECT_EQ(*c.cache_hits, 0);
  EXPECT_EQ(*c.cache_misses, 5);
  EXPECT_EQ(*c.peak_kv_used, 3);
  EXPECT_EQ(*c.sim_ended, 668);
  // Step counters in completion order: B scheduled at step 3 (218), finished at step 4 (328);
  // A scheduled at step 1, finished at step 6 (558).
  EXPECT_EQ(*out.step_counters, (std::vector<int64_t>{1, 5}));
  // kv_used_integral: used after each step's batch formation × adv:
  // 2·108 + 2·110 + 2·110 + 3·120 + 2·110 (B released at 328) + 3·110 (A pops block 1 at 558)
  //  = 216 + 220 + 220 + 360 + 220 + 330 = 1566.
  EXPECT_EQ(*c.kv_used_integral, 1566.0);
  EXPECT_EQ(*c.kv_allocation_failures, 0);
  expect_boundaries_consistent(out);
}

// ---- further hand-computed cases
// -----------------------------------------------------------------

// Common to the cases below: α = 0 (QT = 0, OTP = 0), β = [100, 1, 10], B = 4.
Sim small_sim() {
  Sim sim;
  sim.config.alpha = {0, 0, 0};
  sim.config.beta = {100, 1, 10};
  sim.config.block_size_tokens = 4;
  sim.config.total_kv_blocks = 100;
  return sim;
}

TEST(InstanceGolden, ChunkedPrefillUnderThresholdAndBudget) {
  Sim sim = small_sim();
  sim.config.long_prefill_token_threshold = 4;
  sim.config.max_num_batched_tokens = 6;
  sim.add("A", 0, seq(1, 10), {50, 51});  // L = 10, N = 2
  sim.add("B", 0, {21, 22, 23}, {60});    // L = 3, N = 1
  const InstanceOutput out = sim.run();
  const Counters& c = out.counters;
  // STEP 0 (step 1): budget 6. A: n = min(thr 4, 6) = 4 → budget 2. B: n = min(3, 2) = 2 →
  //   budget 0. P = 6, adv = 106. pi A = 4, B = 2.
  // STEP 106 (step 2): A: n = min(10 − 4 → thr 4, 6) = 4 → budget 2. B: n = 1 → budget 1.
  //   P = 5, adv = 105. B reaches pi = 3 = L: ttft = 106 + 105 = 211, and completes (N = 1):
  //   e2e = 211, itl_avg = 0 / max(0, 1) = 0, output tokens (3 − 3) + 1 = 1.
  // STEP 211 (step 3): A: n = 2, adv = 102, pi = 10: ttft = 211 + 102 = 313.
  // STEP 313 (step 4): A decodes, adv = 110, pi = 11 ≥ 10 + 2 − 1: e2e = 313 + 110 = 423.
  EXPECT_EQ(out.maps.ttft.at("B"), 211.0);
  EXPECT_EQ(out.maps.e2e.at("B"), 211.0);
  EXPECT_EQ(out.maps.itl_avg.at("B"), 0.0);
  EXPECT_EQ(out.maps.ttft.at("A"), 313.0);
  EXPECT_EQ(out.maps.e2e.at("A"), 423.0);
  EXPECT_EQ(out.maps.itl_avg.at("A"), 110.0);
  EXPECT_EQ(*out.all_itls, (std::vector<int64_t>{110}));
  EXPECT_EQ(*c.ttft_sum, 524);  // 211 + 313
  EXPECT_EQ(c.total_output_tokens, 3);
  EXPECT_EQ(c.total_input_tokens, 13);
  EXPECT_EQ(*c.sim_ended, 423);  // REQUEST_LEFT(A)
  // Blocks: A 0 (keyed), B 1, A 2 (keyed), A 3 (after B's release the virgin blocks still come
  // first). Used per step: 2, 3, 3, 3 → integral 2·106 + 3·105 + 3·102 + 3·110 = 1163.
  EXPECT_EQ(*c.cache_misses, 4);
  EXPECT_EQ(*c.peak_kv_used, 3);
  EXPECT_EQ(*c.kv_used_integral, 1163.0);
  // B: scheduled step 1, finished step 2; A: 1 → 4.
  EXPECT_EQ(*out.step_counters, (std::vector<int64_t>{1, 3}));
  expect_boundaries_consistent(out);
}

TEST(InstanceGolden, MaxModelLenCapsTheOutput) {
  Sim sim = small_sim();
  sim.config.max_model_len = 8;
  // max_output_len 0 → guard 1 sets it to 8 − 5 = 3; 5 + 3 ≤ 8 passes guard 3.
  sim.add("A", 0, seq(1, 5), seq(100, 6), /*max_output_len=*/0);
  const InstanceOutput out = sim.run();
  const Counters& c = out.counters;
  // STEP 0: n = min(5, max(8 − 1 − 0, 0)) = 5, adv 105, ttft 105.
  // STEP 105: pi 5 + 1 > 7? no → decode, adv 110, pi 6. Not ≥ 10, not ≥ 7.
  // STEP 215: decode, adv 110, pi 7 ≥ MML − 1 → length cap at 215 (REQUEST_LEFT at 325).
  // RECORD: k = 7 − 5 = 2 < 6 → 3 tokens; e2e = 105 + 220; itl_avg = 220 / max(2 − 1, 1).
  EXPECT_EQ(c.length_capped_count, 1);
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(out.maps.e2e.at("A"), 325.0);
  EXPECT_EQ(out.maps.itl_avg.at("A"), 220.0);
  EXPECT_EQ(c.total_output_tokens, 3);
  EXPECT_EQ(*c.sim_ended, 325);
  EXPECT_TRUE(out.maps.requests_meta.at("A").length_capped);
  EXPECT_EQ(sim.reqs[0].max_output_len, 3);
  EXPECT_TRUE(sim.reqs[0].length_capped);
  EXPECT_EQ(out.final_states.at("A").pi, 7);
  EXPECT_EQ(*c.kv_allocation_failures, 0);
  EXPECT_EQ(out.kv_used_at_end, 0);
}

TEST(InstanceGolden, DeadlineTimeoutWhileRunningAndLazyCancellation) {
  Sim sim = small_sim();
  sim.add("A", 0, {1, 2, 3, 4}, seq(100, 5), {}, /*deadline=*/300);
  sim.add("B", 0, {5, 6, 7, 8}, seq(200, 2), {}, /*deadline=*/1000);
  Instance inst("instance_0", Role::none, sim.config);
  const InstanceOutput out = sim.run(inst);
  const Counters& c = out.counters;
  // STEP 0: both admitted, P = 8 → adv 108, ttft 108 each.
  // STEP 108: two decodes, adv 120: B pi 5 ≥ 4 + 2 − 1 → completes, e2e = 108 + 120 = 228.
  // STEP 228: A decodes, adv 110 → next STEP at 338.
  // TIMEOUT(A) at 300 < 338: A (running) times out, keeps ttft 108 and sched_delay 0, no e2e.
  // STEP 338: nothing left → orphan step (clock 338). TIMEOUT(B) at 1000: B is COMPLETED →
  // lazily cancelled, the clock stays at 338.
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(c.timed_out, 1);
  EXPECT_EQ(out.maps.e2e.at("B"), 228.0);
  EXPECT_EQ(out.maps.e2e.count("A"), 0u);
  EXPECT_EQ(out.maps.completion_time->count("A"), 0u);
  EXPECT_EQ(out.maps.ttft.at("A"), 108.0);
  EXPECT_EQ(out.maps.sched_delay.at("A"), 0);
  EXPECT_EQ(*c.ttft_sum, 108);
  EXPECT_EQ(c.total_output_tokens, 2);
  EXPECT_EQ(*out.all_itls, (std::vector<int64_t>{120}));
  EXPECT_EQ(*c.sim_ended, 338);
  EXPECT_EQ(inst.clock(), 338);
  EXPECT_EQ(out.final_states.at("A").state, RequestState::timed_out);
  EXPECT_EQ(out.final_states.at("A").pi, 6);
  EXPECT_EQ(out.final_states.at("A").kv_blocks_owned, 0);
  EXPECT_EQ(out.kv_used_at_end, 0);
  EXPECT_EQ(c.still_running, 0);
  // Event log: arrival ×2, queued ×2, step 0, scheduled ×2, step 108, step 228,
  // request_left 228, timeout 300, step 338 — the cancelled TIMEOUT(B) is not logged.
  ASSERT_TRUE(out.events.has_value());
  std::vector<EventKind> kinds;
  for (const EventRecord& e : *out.events) kinds.push_back(e.kind);
  using K = EventKind;
  EXPECT_EQ(kinds,
            (std::vector<K>{K::arrival, K::arrival, K::queued, K::queued, K::step, K::scheduled,
                            K::scheduled, K::step, K::step, K::request_left, K::timeout, K::step}));
  EXPECT_EQ(out.events->at(10).time, 300);
  EXPECT_EQ(out.events->at(10).request_id, "A");
  EXPECT_EQ(out.events->back().time, 338);
  // Effects: B recorded by the STEP at 108, A timed out by the event at 300, lazy cancel last.
  ASSERT_EQ(sim.effects.size(), 13u);
  EXPECT_EQ(sim.effects[7].recorded, (std::vector<SimRequest*>{&sim.reqs[1]}));
  EXPECT_EQ(sim.effects[7].delta_completed, 1);
  EXPECT_EQ(sim.effects[10].timed_out, (std::vector<SimRequest*>{&sim.reqs[0]}));
  EXPECT_EQ(sim.effects[10].delta_timed_out, 1);
  EXPECT_TRUE(sim.effects[12].lazily_cancelled);
  EXPECT_EQ(sim.effects[12].time, 1000);
  expect_boundaries_consistent(out);
}

// ---- behaviours -------------------------------------------------------------------------------

TEST(Instance, TimeoutWhileQueuedSchedulesAStepOnlyWhenIdle) {
  Sim sim = small_sim();
  sim.config.max_num_seqs = 1;
  sim.add("A", 0, {1, 2, 3, 4}, seq(100, 3));
  sim.add("B", 0, {5, 6, 7, 8}, seq(200, 1), {}, /*deadline=*/50);
  sim.add("C", 0, {9, 10, 11, 12}, seq(300, 1));
  const InstanceOutput out = sim.run();
  // STEP 0 admits A only (max_num_seqs 1): adv 104. B times out in the queue at 50 (A running,
  // a STEP pending: nothing scheduled). A decodes at 104 (adv 110) and 214 (adv 110, completes
  // at pi 6 ≥ 4 + 3 − 1); C is admitted at 324: ttft = 324 + 104, sched_delay 324.
  EXPECT_EQ(out.counters.timed_out, 1);
  EXPECT_EQ(out.counters.completed, 2);
  EXPECT_EQ(out.maps.sched_delay.count("B"), 0u);
  EXPECT_EQ(out.maps.sched_delay.at("C"), 324);
  EXPECT_EQ(out.maps.ttft.at("C"), 428.0);
  EXPECT_EQ(out.maps.e2e.at("C"), 428.0);
  EXPECT_EQ(out.final_states.at("B").state, RequestState::timed_out);
  EXPECT_EQ(out.maps.requests_meta.count("B"), 1u);  // a timeout keeps the meta entry
  expect_boundaries_consistent(out);
}

TEST(Instance, TimeoutOfTheOnlyRunningRequestLeavesThePendingStepToTheQueue) {
  // A runs alone; C waits behind max_num_seqs = 1; A times out: running becomes empty but the
  // pending STEP (not a new one) admits C.
  Sim sim = small_sim();
  sim.config.max_num_seqs = 1;
  sim.add("A", 0, {1, 2, 3, 4}, seq(100, 5), {}, /*deadline=*/150);
  sim.add("C", 0, {9, 10, 11, 12}, seq(300, 1));
  const InstanceOutput out = sim.run();
  // STEP 0: A, adv 104. STEP 104: A decode, adv 110 → STEP 214. TIMEOUT(A) at 150.
  // STEP 214: admits C (sched 214), adv 104, ttft 318, completes.
  EXPECT_EQ(out.maps.sched_delay.at("C"), 214);
  EXPECT_EQ(out.maps.e2e.at("C"), 318.0);
  EXPECT_EQ(out.counters.timed_out, 1);
  expect_boundaries_consistent(out);
}

TEST(Instance, PastDeadlineAtEnqueueTimesOutImmediately) {
  Sim sim = small_sim();
  sim.config.alpha = {100, 0, 0};  // QT = 100
  sim.add("A", 0, {1, 2, 3, 4}, {7}, {}, /*deadline=*/100);
  const InstanceOutput out = sim.run();
  // QUEUED at 100 with deadline 100 ≤ now: TIMED_OUT, counted as input, no STEP, no TIMEOUT.
  EXPECT_EQ(out.counters.timed_out, 1);
  EXPECT_EQ(out.counters.total_input_tokens, 4);
  EXPECT_EQ(out.counters.completed, 0);
  EXPECT_EQ(out.maps.requests_meta.count("A"), 1u);
  EXPECT_EQ(*out.counters.sim_ended, 100);
  ASSERT_EQ(out.events->size(), 2u);  // ARRIVAL, QUEUED
  EXPECT_EQ(sim.effects[1].timed_out, (std::vector<SimRequest*>{&sim.reqs[0]}));
  EXPECT_EQ(sim.effects[1].delta_timed_out, 1);
}

TEST(Instance, EnqueueDropGuardsInOrder) {
  Sim sim = small_sim();
  sim.config.max_model_len = 10;
  sim.add("neg", 0, {1}, {2}, /*max_output_len=*/-1);               // guard 2
  sim.add("too_long", 0, seq(1, 10), {2});                          // guard 3: L ≥ MML
  sim.add("budget", 0, seq(1, 6), seq(20, 5));                      // guard 3: 6 + 5 > 10
  sim.add("fits", 0, seq(1, 6), seq(20, 4));                        // 6 + 4 = 10 passes
  sim.add("zero_budget_ok", 0, seq(30, 9), seq(50, 3), /*max=*/0);  // → 10 − 9 = 1
  const InstanceOutput out = sim.run();
  EXPECT_EQ(out.counters.dropped_unservable, 3);
  EXPECT_EQ(out.counters.total_input_tokens, 15);  // only the two that passed
  EXPECT_EQ(out.maps.requests_meta.count("neg"), 0u);
  EXPECT_EQ(out.maps.requests_meta.count("too_long"), 0u);
  EXPECT_EQ(out.maps.requests_meta.count("budget"), 0u);
  EXPECT_EQ(out.maps.requests_meta.count("fits"), 1u);
  EXPECT_EQ(sim.reqs[4].max_output_len, 1);
  // Drops happen inside QUEUED events and are reported in the effect deltas.
  int64_t dropped = 0;
  for (const EventEffect& e : sim.effects) dropped += e.delta_dropped_unservable;
  EXPECT_EQ(dropped, 3);
  // Dropped requests keep their state (QUEUED) and are in no container.
  EXPECT_EQ(out.final_states.at("neg").state, RequestState::queued);
  EXPECT_EQ(out.counters.still_queued + out.counters.still_running, 0);
}

TEST(Instance, DropWhenThePromptCanNeverFit) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 2;
  sim.add("huge", 0, seq(1, 9), {1});  // ceil_div(9, 4) = 3 > 2
  sim.add("ok", 0, seq(1, 8), {1});    // 2 ≤ 2
  const InstanceOutput out = sim.run();
  EXPECT_EQ(out.counters.dropped_unservable, 1);
  EXPECT_EQ(out.counters.completed, 1);
  EXPECT_EQ(out.maps.requests_meta.count("huge"), 0u);
  EXPECT_EQ(out.counters.total_input_tokens, 8);
}

TEST(Instance, HeadOfLineBlockingWithoutPreemption) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 3;
  sim.add("X", 0, seq(1, 8), seq(100, 2));   // 2 blocks
  sim.add("A", 0, seq(20, 8), seq(200, 1));  // needs 2, only 1 free
  sim.add("C", 0, seq(40, 4), seq(300, 1));  // would fit, but is behind A
  Instance inst("instance_0", Role::none, sim.config);
  for (SimRequest& r : sim.reqs) inst.inject(r, r.arrival);
  // Process up to and including the first STEP.
  while (true) {
    const EventEffect e = inst.process_next();
    if (sim.reqs[0].state == RequestState::running) break;
    ASSERT_FALSE(e.lazily_cancelled);
  }
  EXPECT_EQ(inst.batch_size(), 1);
  EXPECT_EQ(inst.queue_depth(), 2);
  EXPECT_EQ(sim.reqs[2].state, RequestState::queued);
  sim.drain(inst);
  const InstanceOutput out = inst.finalize(sim.config.horizon_us);
  EXPECT_EQ(out.counters.completed, 3);
  EXPECT_EQ(out.counters.preemption_count, 0);
  // X: STEP 0 adv 108, STEP 108 decode adv 110 → completes (pi 9 ≥ 9), frees its blocks.
  // STEP 218 admits A (2 blocks) and C (1 block): P = 12 → adv 112.
  EXPECT_EQ(out.maps.sched_delay.at("A"), 218);
  EXPECT_EQ(out.maps.sched_delay.at("C"), 218);
  EXPECT_EQ(out.maps.ttft.at("C"), 330.0);
}

TEST(Instance, MaxNumSeqsLimitsAdmissions) {
  Sim sim = small_sim();
  sim.config.max_num_seqs = 1;
  sim.add("A", 0, {1, 2, 3, 4}, {9});
  sim.add("C", 0, {5, 6, 7, 8}, {9});
  const InstanceOutput out = sim.run();
  // A alone at 0 (adv 104) and done; C at 104: ttft = 104 + 104.
  EXPECT_EQ(out.maps.sched_delay.at("C"), 104);
  EXPECT_EQ(out.maps.ttft.at("C"), 208.0);
  EXPECT_EQ(*out.counters.sim_ended, 208);
}

TEST(Instance, PrefixReuseClaimsCachedBlocks) {
  Sim sim = small_sim();
  // B shares A's first 8 tokens (2 blocks) and arrives after A has finished; its blocks are on
  // the free list but still keyed.
  sim.add("A", 0, seq(1, 10), {99});
  sim.add("B", 1000, seq(1, 12), {98});
  const InstanceOutput out = sim.run();
  // A: P = 10, adv 110, completes at once (N = 1). B: LOOKUP finds 2 blocks → c = 8, n = 4:
  // P = 4, adv = 104, ttft = 104.
  EXPECT_EQ(out.maps.ttft.at("A"), 110.0);
  EXPECT_EQ(out.maps.ttft.at("B"), 104.0);
  EXPECT_EQ(*out.counters.cache_hits, 2);
  // Misses: A 3 blocks (+ final-token top-up of its partial block), B 1 fresh + final token
  // needs a fresh block (block 3 is full): 3 + 2 = 5.
  EXPECT_EQ(*out.counters.cache_misses, 5);
  EXPECT_DOUBLE_EQ(out.counters.cache_hit_rate, 2.0 / 7.0);
}

// Zero-new-token admission (A7): C's prompt is fully cached by A, so the step that admits it has
// an empty S and advances by the empty_step_rule.
Sim zero_new_token_sim(EmptyStepRule rule) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 10;
  sim.config.empty_step_rule = rule;
  sim.add("A", 0, {1, 2, 3, 4}, {50});
  sim.add("C", 1000, {1, 2, 3, 4}, {60, 61});
  return sim;
}

TEST(Instance, EmptyStepRuleOne) {
  Sim sim = zero_new_token_sim(EmptyStepRule::one);
  const InstanceOutput out = sim.run();
  // C at 1000: n = 0, S empty → adv 1, ttft 1. Decode at 1001: fresh block, adv 110.
  EXPECT_EQ(out.maps.ttft.at("C"), 1.0);
  EXPECT_EQ(out.maps.e2e.at("C"), 111.0);
  EXPECT_EQ(*out.counters.sim_ended, 1111);
  EXPECT_EQ(*out.counters.cache_hits, 0);  // nothing claimed
}

TEST(Instance, EmptyStepRuleBeta0) {
  Sim sim = zero_new_token_sim(EmptyStepRule::beta0);
  const InstanceOutput out = sim.run();
  // adv = max(1, trunc(β0)) = 100: ttft 100, e2e 100 + 110.
  EXPECT_EQ(out.maps.ttft.at("C"), 100.0);
  EXPECT_EQ(out.maps.e2e.at("C"), 210.0);
  EXPECT_EQ(*out.counters.sim_ended, 1210);
}

TEST(Instance, QuirkOffZeroNewTokenAdmissionHoldsTheCachedPrefix) {
  Sim sim = zero_new_token_sim(EmptyStepRule::one);
  sim.config.quirks.empty_range_claims_nothing = false;
  const InstanceOutput out = sim.run();
  // Same timing (S is still empty), but C claims block 0 at admission: one hit, and the peak
  // during its first step is 1 block instead of 0.
  EXPECT_EQ(out.maps.e2e.at("C"), 111.0);
  EXPECT_EQ(*out.counters.cache_hits, 1);
  EXPECT_EQ(out.kv_used_at_end, 0);
}

// ---- PD decode sub-request entry points (§7.9) -------------------------------------------------

TEST(Instance, DecodeSubReserveAndEnqueueAppendixB2) {
  Sim sim;
  sim.config.alpha = {100, 1, 10};
  sim.config.beta = {1000, 2, 50};
  sim.config.block_size_tokens = 16;
  sim.config.total_kv_blocks = 1000;
  SimRequest& dec = sim.add("A_decode", 0, seq(1, 20), seq(100, 3));
  dec.is_decode_sub = true;
  dec.state = RequestState::waiting_for_remote_kvs;
  Instance inst("instance_1", Role::decode, sim.config);
  ASSERT_TRUE(inst.reserve(dec));
  EXPECT_EQ(dec.pi, 20);
  dec.state = RequestState::queued;
  dec.assigned = "instance_1";
  inst.enqueue_decode(dec, 171);
  EXPECT_EQ(inst.next_event_time(), std::optional<int64_t>(171));  // STEP at max(0, 171)
  sim.drain(inst);
  const InstanceOutput out = inst.finalize(sim.config.horizon_us);
  // STEP 171: admitted, its first step counts as one decode token: adv = 1000 + 50, itl 1060,
  // pi 21, no TTFT. STEP 1221: pi 22 → complete, e2e = 0 + 2120; REQUEST_LEFT at 2271.
  EXPECT_EQ(out.maps.sched_delay.at("A_decode"), 171);
  EXPECT_EQ(out.maps.ttft.count("A_decode"), 0u);
  EXPECT_EQ(out.maps.e2e.at("A_decode"), 2120.0);
  EXPECT_EQ(out.maps.itl_avg.at("A_decode"), 1060.0);
  EXPECT_EQ(dec.first_token_time, 0);
  EXPECT_EQ(*out.counters.ttft_sum, 0);
  EXPECT_EQ(out.counters.total_output_tokens, 3);
  EXPECT_EQ(out.counters.total_input_tokens, 0);  // no enqueue guards on this path
  EXPECT_EQ(*out.counters.sim_ended, 2271);
  EXPECT_EQ(out.maps.requests_meta.at("A_decode").handled_by, "instance_1");
  EXPECT_EQ(*out.counters.cache_misses, 2);  // the 2 reserved blocks; decode tokens top up
}

TEST(Instance, ReserveFailureHoldsNothing) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 1;
  SimRequest& dec = sim.add("d", 0, seq(1, 5), {1});
  dec.is_decode_sub = true;
  Instance inst("instance_1", Role::decode, sim.config);
  EXPECT_FALSE(inst.reserve(dec));
  EXPECT_EQ(dec.pi, 0);
  const InstanceOutput out = inst.finalize(sim.config.horizon_us);
  EXPECT_EQ(out.kv_used_at_end, 0);
}

TEST(Instance, ReleaseForALateDropFreesTheReservation) {
  Sim sim = small_sim();
  SimRequest& dec = sim.add("d", 0, seq(1, 5), {1});
  dec.is_decode_sub = true;
  Instance inst("instance_1", Role::decode, sim.config);
  ASSERT_TRUE(inst.reserve(dec));
  inst.release(dec);
  EXPECT_EQ(inst.finalize(sim.config.horizon_us).kv_used_at_end, 0);
}

TEST(Instance, PreemptedDecodeSubReprefillsInPrefillMode) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 3;
  SimRequest& d1 = sim.add("d1", 0, {1, 2, 3, 4}, seq(100, 3));  // L 4, N 3
  SimRequest& d2 = sim.add("d2", 0, {5, 6, 7}, seq(200, 4));     // L 3, N 4
  Instance inst("instance_1", Role::decode, sim.config);
  for (SimRequest* d : {&d1, &d2}) {
    d->is_decode_sub = true;
    d->state = RequestState::waiting_for_remote_kvs;
    ASSERT_TRUE(inst.reserve(*d));  // d1: block 0; d2: block 1 (3 tokens)
    d->state = RequestState::queued;
  }
  inst.enqueue_decode(d1, 0);
  inst.enqueue_decode(d2, 0);
  sim.drain(inst);
  const InstanceOutput out = inst.finalize(sim.config.horizon_us);
  // STEP 0: d1 pops block 2, d2 tops up block 1; D = 2 → adv 120.
  // STEP 120: d1 tops up block 2; d2 needs a block, none free → d2 (tail) preempted: pi 0,
  //   itl cleared. adv 110; d1 completes at pi 6: e2e = 0 + 230, itl_avg 230 / 2 = 115.
  // STEP 230: d2 re-admitted: ALLOCATE(0, 1) in PREFILL mode, computed 1, P = 1 → adv 101.
  // STEP 331: Phase 1 prefills 2 tokens, adv 102, pi 3 = L → ttft = 331 + 102 = 433.
  // STEPs 433, 543, 653: decodes of 110 each; completes at pi 6 ≥ 3 + 4 − 1.
  //   e2e = 433 + 330 = 763, itl_avg = 330 / 3 = 110.
  EXPECT_EQ(out.counters.preemption_count, 1);
  EXPECT_EQ(out.maps.e2e.at("d1"), 230.0);
  EXPECT_EQ(out.maps.itl_avg.at("d1"), 115.0);
  EXPECT_EQ(out.maps.sched_delay.at("d2"), 230);
  EXPECT_EQ(out.maps.ttft.at("d2"), 433.0);
  EXPECT_EQ(d2.first_token_time, 433);
  EXPECT_EQ(out.maps.e2e.at("d2"), 763.0);
  EXPECT_EQ(out.maps.itl_avg.at("d2"), 110.0);
  EXPECT_EQ(*out.all_itls, (std::vector<int64_t>{120, 110, 110, 110, 110}));
  EXPECT_EQ(*out.counters.ttft_sum, 433);
  EXPECT_EQ(out.counters.total_output_tokens, 7);  // (6 − 4) + 1 and (6 − 3) + 1
  EXPECT_EQ(*out.counters.cache_misses, 5);
  EXPECT_EQ(*out.step_counters, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(*out.counters.sim_ended, 763);
}

TEST(Instance, DecodeSubBlockedAtTheHeadIsNotDropped) {
  Sim sim = small_sim();
  sim.config.total_kv_blocks = 2;
  SimRequest& d1 = sim.add("d1", 0, {1, 2, 3, 4}, seq(100, 2));
  SimRequest& d2 = sim.add("d2", 0, {5, 6, 7, 8}, seq(200, 2));
  Instance inst("instance_1", Role::decode, sim.config);
  for (SimRequest* d : {&d1, &d2}) {
    d->is_decode_sub = true;
    ASSERT_TRUE(inst.reserve(*d));
    d->state = RequestState::queued;
    inst.enqueue_decode(*d, 0);
  }
  // Both hold a full block; neither can take a decode block: idle spin (empty S, adv 1) forever
  // unless something changes. Run a bounded number of events and check nothing was dropped.
  for (int i = 0; i < 20; ++i) inst.process_next();
  EXPECT_EQ(inst.queue_depth(), 2);
  EXPECT_EQ(inst.batch_size(), 0);
  EXPECT_EQ(inst.clock(), 19);  // one STEP per microsecond (empty_step_rule = one)
}

TEST(Instance, StaleDecodeDeadlineStepsTheClockBack) {
  Sim sim = small_sim();
  sim.add("warm", 0, {9, 9, 9, 9}, seq(100, 4));  // runs 0 → 104 → 214 → 324
  SimRequest& dec = sim.add("d", 0, {1, 2, 3, 4}, seq(200, 2), {}, /*deadline=*/300);
  Instance inst("instance_1", Role::decode, sim.config);
  inst.inject(sim.reqs[0], 0);
  while (inst.clock() < 324) inst.process_next();  // the STEP at 324 has run
  dec.is_decode_sub = true;
  ASSERT_TRUE(inst.reserve(dec));
  dec.state = RequestState::queued;
  inst.enqueue_decode(dec, 400);
  // ⚑ A4: TIMEOUT at the deadline 300 < clock 324 is the earliest event.
  EXPECT_EQ(inst.next_event_time(), std::optional<int64_t>(300));
  const EventEffect e = inst.process_next();
  EXPECT_EQ(e.time, 300);
  EXPECT_EQ(inst.clock(), 300);
  EXPECT_EQ(e.timed_out, (std::vector<SimRequest*>{&dec}));
  EXPECT_EQ(dec.state, RequestState::timed_out);
}

TEST(Instance, QuirkOffDecodeDeadlineNotBeforeEnqueue) {
  Sim sim = small_sim();
  sim.config.quirks.stale_decode_deadline = false;
  SimRequest& dec = sim.add("d", 0, {1, 2, 3, 4}, seq(200, 3), {}, /*deadline=*/300);
  Instance inst("instance_1", Role::decode, sim.config);
  dec.is_decode_sub = true;
  ASSERT_TRUE(inst.reserve(dec));
  dec.state = RequestState::queued;
  inst.enqueue_decode(dec, 400);
  // TIMEOUT at max(300, 400) = 400; the STEP at 400 (priority 3) runs first and decodes once,
  // then the TIMEOUT (priority 6) times the running request out.
  sim.drain(inst);
  const InstanceOutput out = inst.finalize(sim.config.horizon_us);
  EXPECT_EQ(out.counters.timed_out, 1);
  EXPECT_EQ(dec.itl.size(), 1u);
  EXPECT_EQ(out.maps.sched_delay.at("d"), 400);
}

TEST(Instance, StandaloneDriverRunsTheFirstEventPastTheHorizon) {
  Sim sim = small_sim();
  sim.config.horizon_us = 150;
  sim.add("A", 0, {1, 2, 3, 4}, seq(100, 5));
  const InstanceOutput out = sim.run();
  // STEP 0 (adv 104, pi 4), STEP 104 (decode, pi 5, next STEP at 214). The STEP at 214 lies past
  // the horizon but still runs (pi 6, A keeps running) before the loop stops (§4.2 ⚑).
  EXPECT_EQ(*out.counters.sim_ended, 150);  // min(clock 214, horizon 150)
  EXPECT_EQ(out.counters.still_running, 1);
  EXPECT_EQ(sim.reqs[0].pi, 6);
  EXPECT_EQ(out.running_at_end, (std::vector<std::string>{"A"}));
  EXPECT_EQ(out.final_states.at("A").kv_blocks_owned, 2);
  EXPECT_EQ(out.kv_used_at_end, 2);
}

TEST(Instance, StatisticsPerInstance) {
  Sim sim = small_sim();
  sim.add("A", 0, {1, 2, 3, 4}, {9});
  sim.add("C", 0, {5, 6, 7, 8}, {9});
  const InstanceOutput out = sim.run();
  // Both admitted at 0, P = 8 → adv 108, both complete: ttft = e2e = 108, sim_ended 108.
  ASSERT_TRUE(out.statistics.has_value());
  EXPECT_DOUBLE_EQ(out.statistics->ttft_mean_ms, 0.108);
  EXPECT_DOUBLE_EQ(out.statistics->e2e_p99_ms, 0.108);
  EXPECT_DOUBLE_EQ(out.statistics->responses_per_sec, 2.0 / (108.0 / 1e6));
  EXPECT_DOUBLE_EQ(out.statistics->tokens_per_sec, 2.0 / (108.0 / 1e6));
  EXPECT_EQ(out.statistics->injected_requests, 2);
}

TEST(Instance, MapsAreKeyedByteWiseWhateverTheIds) {
  Sim sim = small_sim();
  // Ids sharing long prefixes, of different lengths, with a high byte: every map is complete and
  // in byte-wise order ("request_10" < "request_2", "x" < "x\x00y" < "x\xff").
  const std::vector<std::string> ids = {"request_2",          "request_10",           "request_1",
                                        std::string("x\xff"), std::string("x\0y", 3), "x"};
  Token t = 1;
  for (const std::string& id : ids) {
    sim.add(id, 0, {t, t}, {t});
    t += 1;
  }
  const InstanceOutput out = sim.run();
  std::vector<std::string> keys;
  for (const auto& [id, v] : out.maps.e2e) keys.push_back(id);
  EXPECT_EQ(keys, (std::vector<std::string>{"request_1", "request_10", "request_2", "x",
                                            std::string("x\0y", 3), std::string("x\xff")}));
  EXPECT_EQ(out.final_states.size(), ids.size());
  EXPECT_EQ(out.maps.requests_meta.size(), ids.size());
}

// Randomised small runs: the engine's own bookkeeping holds at every event boundary (INV-4,
// INV-8, INV-3), requests are conserved (INV-1, standalone form), and completed requests satisfy
// C-5 — whatever the batch, cache and preemption interplay.
TEST(InstanceRandomised, InvariantsHoldOnSmallRandomRuns) {
  Counters seen;  // totals over all runs: the runs must reach every interesting path
  int64_t drained_runs = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Sim sim;
    Config& c = sim.config;
    c.block_size_tokens = pick(1, 4);
    c.max_num_seqs = pick(1, 4);
    c.max_num_batched_tokens = pick(1, 16);
    c.long_prefill_token_threshold = pick(0, 5);
    c.max_model_len = pick(0, 1) ? pick(4, 20) : 0;
    // §2: ceil_div(MML, B) ≤ T when MML > 0.
    const int min_blocks = static_cast<int>(c.max_model_len / c.block_size_tokens) + 1;
    c.total_kv_blocks = pick(min_blocks, std::max(min_blocks, 12));
    c.alpha = {static_cast<double>(pick(0, 3)), static_cast<double>(pick(0, 1)),
               static_cast<double>(pick(0, 2))};
    c.beta = {static_cast<double>(pick(0, 20)), static_cast<double>(pick(0, 3)),
              static_cast<double>(pick(0, 3))};
    c.empty_step_rule = pick(0, 1) ? EmptyStepRule::one : EmptyStepRule::beta0;
    c.horizon_us = 5000;  // self-preemption livelocks are possible: bound every run
    const int n = pick(1, 6);
    for (int k = 0; k < n; ++k) {
      std::vector<Token> in(pick(1, 10)), out(pick(1, 6));
      for (Token& t : in) t = pick(0, 2);  // tiny alphabet: shared prefixes happen
      for (Token& t : out) t = pick(0, 2);
      const int64_t deadline = pick(0, 2) == 0 ? pick(1, 400) : 0;
      sim.add("r" + std::to_string(k), pick(0, 50) * k, std::move(in), std::move(out),
              pick(0, 3) == 0 ? std::optional<int64_t>(pick(0, 8)) : std::nullopt, deadline);
    }
    Instance inst("instance_0", Role::none, c);
    const InstanceOutput out = sim.run(inst);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_TRUE(out.events.has_value());
    for (const EventRecord& e : *out.events) {
      ASSERT_EQ(e.kv_free_count + e.kv_in_use_blocks, out.kv_total_blocks);
      ASSERT_EQ(e.kv_ref_sum, e.kv_owned_sum);
      ASSERT_LE(e.steps_pending, 1);
      if (e.wait_queue_len + e.running_len > 0) {
        ASSERT_EQ(e.steps_pending, 1);
      }
    }
    const Counters& k = out.counters;
    seen.completed += k.completed;
    seen.timed_out += k.timed_out;
    seen.dropped_unservable += k.dropped_unservable;
    seen.preemption_count += k.preemption_count;
    seen.length_capped_count += k.length_capped_count;
    seen.cache_hits = seen.cache_hits.value_or(0) + *k.cache_hits;
    const int64_t accounted =
        k.completed + k.still_queued + k.still_running + k.dropped_unservable + k.timed_out;
    if (!inst.next_event_time()) {  // drained: every request reached a bucket, nothing is held
      drained_runs += 1;
      EXPECT_EQ(accounted, n);
      EXPECT_EQ(out.kv_used_at_end, 0);
      EXPECT_EQ(k.still_queued + k.still_running, 0);
    } else {
      EXPECT_LE(accounted, n);
    }
    EXPECT_EQ(static_cast<int64_t>(out.maps.e2e.size()), k.completed);
    const int64_t otp = static_cast<int64_t>(c.alpha[2]);
    for (const SimRequest& r : sim.reqs) {
      if (r.state != RequestState::completed) continue;
      int64_t s = 0;
      for (int64_t v : r.itl) {
        s += v;
        EXPECT_GE(v, 1 + otp);
      }
      EXPECT_EQ(out.maps.e2e.at(r.id), static_cast<double>(r.first_token_time + s));
      EXPECT_EQ(out.maps.completion_time->at(r.id),
                static_cast<double>(r.first_token_time + s + r.arrival));
      EXPECT_LE(out.maps.ttft.at(r.id), out.maps.e2e.at(r.id));
    }
  }
  EXPECT_GT(seen.completed, 0);
  EXPECT_GT(seen.timed_out, 0);
  EXPECT_GT(seen.dropped_unservable, 0);
  EXPECT_GT(seen.preemption_count, 0);
  EXPECT_GT(seen.length_capped_count, 0);
  EXPECT_GT(*seen.cache_hits, 0);
  EXPECT_GT(drained_runs, 150);
}

}  // namespace
}  // namespace simcheck::model
