// The invariant catalogue (spec §11 plus simcheck's laws and statistics checks), in
// docs/invariants.md order, and check_all.
#include "properties/checks.h"

namespace simcheck::properties {

const std::vector<CheckInfo>& catalogue() {
  // Built once on first use (a function-local constant, not mutable global state).
  static const std::vector<CheckInfo> kCatalogue = {
      {"INV-1", "Request conservation", &check_conservation,
       "Cluster: arrived = completed + still_queued + still_running + dropped_unservable + "
       "timed_out + rejected + routing_rejections + pipeline_pending (aggregate, after §10.3) and "
       "trace_requests - arrived = #trace requests with arrival > horizon. Standalone: "
       "trace_requests = pipeline_pending + the five buckets. BLIS form (no cluster counters, "
       "trace known): #trace requests arrived = the five buckets."},
      {"INV-1-PD", "Each parent lands in exactly one bucket", &check_parent_buckets,
       "Every parent's outcome matches its §9.8 signature, its completed flag is "
       "completion_time > 0 and decode_instance != \"\", and the outcome counts equal "
       "dropped_at_decode_kv, pd_decode_completed, pd_decode_timed_out, pending_decode_at_end "
       "and pd_prefill_completed."},
      {"INV-2", "Lifecycle", &check_lifecycle,
       "At the end: wait-queue members are QUEUED, batch members RUNNING, no id in two "
       "containers, still_queued/still_running equal the container sizes, #COMPLETED = "
       "completed, #TIMED_OUT = timed_out, every e2e key is COMPLETED. In the event log: "
       "ARRIVAL, QUEUED, REQUEST_LEFT at most once, QUEUED after ARRIVAL, SCHEDULED after "
       "QUEUED, nothing after REQUEST_LEFT, re-admissions <= preemption_count."},
      {"INV-3", "Clock monotonicity", &check_clock,
       "Per instance, processed-event times are non-decreasing; a step back is a known "
       "exception only for a TIMEOUT of a decode sub-request at its deadline < "
       "decode_enqueue_time (§9.7 stale deadline) while that quirk is on."},
      {"LAW-END-TIME", "Reported end time is the last event", &check_end_time,
       "Per instance, sim_ended = min(time of the last processed event (0 if none), horizon)."},
      {"INV-4", "KV block conservation", &check_kv_blocks,
       "After every event: free + in_use = T, ref sum = owned sum, in_use <=> ref > 0. At the "
       "end: owners are RUNNING or decode sub-requests WAITING_FOR_REMOTE_KVS / QUEUED with "
       "pi = L; used <= owned references, used = 0 iff none; used = 0 with no pending work."},
      {"INV-5", "Causality", &check_causality,
       "For every key k of e2e: 0 <= sched_delay[k] < ttft[k], and completion_time[k] = "
       "arrival(k) + e2e[k] exactly."},
      {"INV-8", "Work conservation", &check_work_conservation,
       "After every processed instance event: steps_pending in {0, 1}, and (wait queue or batch "
       "non-empty) => steps_pending = 1."},
      {"INV-PD-1", "KV completeness", &check_pd_kv_completeness,
       "For every parent with decode_enqueue_time > 0: transfer_complete_time > 0 and "
       "decode_enqueue_time >= transfer_complete_time."},
      {"INV-PD-2", "Pool exclusivity", &check_pd_pool_exclusivity,
       "role(prefill_instance) = PREFILL, role(decode_instance) = DECODE; every aggregate "
       "requests_meta handled_by is a DECODE instance; before projection prefill sub-requests "
       "are registered only on PREFILL instances and everything else only on DECODE instances."},
      {"INV-PD-3", "Transfer conservation", &check_pd_transfer_conservation,
       "transfers_initiated - transfers_completed = pd_in_transfer = the §10.3 formula (>= 0) = "
       "#parents with decode_sub != null and transfer_complete_time = 0; with contention "
       "active_transfers_at_end equals it and contention_corrupted is false."},
      {"INV-PD-4", "Phase causality", &check_pd_phase_causality,
       "For parents with transfer_complete_time > 0 and decode_enqueue_time > 0: arrival <= "
       "prefill_enqueue <= prefill_complete = transfer_start <= transfer_complete <= "
       "decode_enqueue; decode completed: decode_enqueue <= decode_detect_tick and "
       "completion_time = decode_detect_tick + P; decode timed out: completion_time >= "
       "decode_enqueue, else a known exception when completion_time is the deadline (§9.7)."},
      {"INV-PD-5", "Pool stability", &check_pd_pool_stability,
       "instances are instance_0..instance_{N-1} in order, N = num_instances, and each role "
       "equals the role §2 assigns at construction."},
      {"INV-PD-6", "Parent granularity", &check_pd_parent_granularity,
       "No aggregate map key is a prefill_id or decode_id; a non-completed parent keys no map; a "
       "completed parent has requests_meta and sched_delay, ttft iff the prefill TTFT existed, "
       "e2e unless E-NEGATIVE, completion_time iff e2e, itl_avg iff the decode completed."},
      {"INV-PD-6b", "Completion time includes the post-decode overhead",
       &check_pd_post_decode_overhead,
       "Decode-completed parents: completion_time = decode_detect_tick + P; if never preempted "
       "with ITLs: e2e[pid] - ttft[pid] - sum(itl[1..]) = P exactly (P carried once)."},
      {"INV-P2-2", "Fair-share bandwidth", &check_pd_fair_share,
       "Every started transfer: num_kv_blocks = ceil_div(L, B), active_at_start >= 1 (= 1 "
       "without contention), transfer_complete - transfer_start = DURATION(num_kv_blocks, "
       "divisor) of §9.5; with contention peak >= 1 iff a transfer started, peak >= every "
       "active_at_start, transfer_start_count and transfer_depth_sum match the parents."},
      {"C-1", "TTFT <= E2E", &check_ttft_le_e2e,
       "ttft[k] <= e2e[k] for every key with both. Failure for non-PD keys, keys of sources "
       "without parent records, and T-PRIMARY with E-PRIMARY/E-PREEMPTED parents; known "
       "exception on E-FALLBACK (#1511) and other branch pairs."},
      {"C-2", "TTFTSum consistency", &check_ttft_sum,
       "Per instance ttft_sum = sum of FTT over its completed requests; aggregate ttft_sum = that "
       "sum over instances + sum over T-PRIMARY parents of trunc(ttft[pid] - pt); and when no "
       "parent ends prefill-completed but not completed and no completed decode sub-request has "
       "a first-token time, ttft_sum = sum of ttft[k] over keys(e2e). All exact."},
      {"C-3", "One entry per completed parent", &check_one_entry_per_parent,
       "Completed parents have ttft and e2e entries under their id and none under sub-request "
       "ids; |keys(e2e)| = completed + #parents completed by the flag whose decode did not "
       "complete (non-PD: = completed; PD without parents: within the PD counters' bounds)."},
      {"C-4", "Projection branches", &check_projection_branches,
       "Each parent's recorded branches equal those the §10.4 guards choose on the "
       "pre-projection maps, and ttft, e2e, sched_delay, itl_avg, completion_time and "
       "requests_meta under its id equal that branch's formula (binary64 as written, compared "
       "bit for bit)."},
      {"C-5", "Non-PD E2E identity", &check_nonpd_e2e_identity,
       "For completed non-PD requests s = e2e - ttft - P·[N>0] is a whole number, s >= (N-1)(1 + "
       "OTP) (= 0 when N = 1), itl_avg = (double)s / max(N-1, 1) (capped: for some ITL count "
       "m < N); per instance sum(all_itls) = sum over completed requests of e2e - ttft - P·[N>0] "
       "and every all_itls entry >= 1 + OTP."},
      {"LAW-FIRST-TOKEN", "First token after KV arrival", &check_law_first_token,
       "For a PD parent whose decode sub-request has a non-empty ITL list after enqueue: "
       "ttft[pid] >= (decode_enqueue_time - arrival) + itl[0]."},
      {"LAW-E2E-COVERS-TOKENS", "E2E covers the tokens", &check_law_e2e_covers_tokens,
       "PD parent with a completed decode and ITLs: e2e >= ttft + sum(itl[1..]). Completed "
       "non-capped non-PD request: N <= 1: e2e >= ttft; else itl_avg <= RN((e2e - ttft)/(N-1))."},
      {"LAW-TOKEN-COUNTS", "Token counters match the requests", &check_token_counts,
       "Per instance: total_output_tokens = sum of N over completed requests (no capped ones); "
       "with pipeline_pending = 0, total_input_tokens = sum of L over its requests_meta entries "
       "other than decode sub-requests."},
      {"LAW-C4-L1-CLOCK", "Clock monotonicity (strict)", &check_law_c4_clock,
       "Addendum C §C4 L1: per instance, processed event times are non-decreasing. Faithful: "
       "known exception only for A4's stale decode TIMEOUT."},
      {"LAW-C4-L2-STEP-EXCLUSIVE", "Step exclusivity", &check_law_c4_step_exclusive,
       "§C4 L2: per instance, the steps' intervals [start, end) are disjoint (each starts at or "
       "after the previous end, end > start); causal logs alternate STEP and STEP_END at STEP + "
       "adv. Faithful: known exception when the previous step's members all left at its end "
       "(O1/A5)."},
      {"LAW-C4-L3-KV-READY", "KV readiness", &check_law_c4_kv_ready,
       "§C4 L3: transfer_start_time >= prefill_end(p) for every started transfer; "
       "decode_enqueue_time >= transfer_complete_time. Faithful: A5 when the transfer starts at "
       "the start of the prefill's final step."},
      {"LAW-C4-L4-PHASE-ORDER", "Phase order", &check_law_c4_phase_order,
       "§C4 L4: a <= prefill_enqueue <= prefill_complete = transfer_start <= transfer_complete = "
       "decode_enqueue <= completion_time; decode completed: completion_time - P = "
       "decode_detect_tick = t_left(decode). Faithful: A4, A5, O4 by shape."},
      {"LAW-C4-L5-PD-FIRST-TOKEN", "PD first-token bound", &check_law_c4_pd_first_token,
       "§C4 L5: served parents: ttft >= (prefill_end - a) + dur + s_D + OTP. Faithful: A5 or "
       "A1 (T-FALLBACK) by shape."},
      {"LAW-C4-L6-TOKENS", "Token accounting", &check_law_c4_tokens,
       "§C4 L6: completed keys: |itl| = n_tok - 1 and e2e = ttft + sum(itl) + P (PD parents: the "
       "decode list); non-PD: e2e - ttft - P >= (n_tok - 1)(1 + OTP); per instance |all_itls| = "
       "sum(n_tok - 1). Faithful: A18, A14 by shape."},
      {"LAW-C4-L7-LATENCY-ORDER", "Latency order", &check_law_c4_latency_order,
       "§C4 L7: ttft <= e2e for every key with both; PD parents have ttft iff e2e. Faithful: "
       "A1/A2 (drop at start), O2 (decode timeout)."},
      {"LAW-C4-L8-NO-PHANTOM-TOKEN", "No phantom first token", &check_law_c4_no_phantom_token,
       "§C4 L8: (a) TTFT without E2E: produced by sim_ended, visible by a passed deadline; PD "
       "TTFT needs a decode that received KV and ran; (b) non-PD completed: ttft - sched_delay >= "
       "s_P + OTP; (c) a first token ends a step whose batch holds the request, observed >= that "
       "end + OTP. Faithful: O2, O4, A1, A7 by shape."},
      {"LAW-C4-L9-DEADLINE", "Deadlines", &check_law_c4_deadline,
       "§C4 L9: completed keys with d > 0: a + e2e - P - n_tok*OTP <= d; no token step of a "
       "request with a deadline ends after it. Faithful: O2 when the step started by d."},
      {"LAW-C4-L10-NO-EARLY-COMPLETION", "No early completion", &check_law_c4_no_early_completion,
       "§C4 L10: completed keys: a + e2e - P - n_tok*OTP = t_left (parents: the decode's). "
       "Faithful: O3 (skipped steps), A18 (one OTP short), O4."},
      {"LAW-C4-L11-HORIZON", "Horizon", &check_law_c4_horizon,
       "§C4 L11: sim_ended <= H; completed keys: a + e2e - P - n_tok*OTP <= sim_ended; no token "
       "step ends after its instance's sim_ended. Faithful: O4 / A11."},
      {"STAT-MEANS", "Reported means", &check_stat_means,
       "ttft/e2e/itl means (aggregate and per instance) equal §10.5 MEAN_ms recomputed in "
       "binary64; 0 when completed = 0. Equality: bit-exact for simcheck; for other sources "
       "within half a unit of the value's last printed decimal, at least 3 decimals."},
      {"STAT-PERCENTILES", "Reported percentiles", &check_stat_percentiles,
       "ttft/e2e/itl p90/p95/p99 and scheduling_delay_p99 equal §10.5 PCT_ms recomputed in "
       "binary64, with STAT-MEANS' equality rule."},
      {"STAT-RATES", "Reported throughput", &check_stat_rates,
       "responses_per_sec = completed / (sim_ended / 1e6), tokens_per_sec = total_output_tokens "
       "/ (sim_ended / 1e6), 0 if sim_ended = 0 or completed = 0; STAT-MEANS' equality rule."},
      {"STAT-INJECTED", "injected_requests is the bucket sum", &check_stat_injected,
       "injected_requests = completed + still_queued + still_running + dropped_unservable + "
       "timed_out (0 when completed = 0), aggregate and per instance."},
      {"REQ-NONNEG", "Non-negative values", &check_req_nonneg,
       "Every ttft, e2e, itl_avg, completion_time (finite), sched_delay, all_itls and "
       "step_counters entry and every counter is >= 0, aggregate and per instance."},
      {"REQ-SCHED-LE-TTFT", "Scheduled before the first token", &check_req_sched_le_ttft,
       "sched_delay[k] <= ttft[k] for every key with both, in maps whose owner never preempted; "
       "otherwise for keys of e2e."},
      {"REQ-ONE-RECORD", "One record per request", &check_req_one_record,
       "After projection every key is a trace request (no trace: no _prefill/_decode key in a "
       "PD run); keys(e2e) ⊆ keys(requests_meta) and ⊆ keys(ttft) (T-NONE excepted); "
       "keys(itl_avg) ⊆ keys(e2e) (E-NEGATIVE excepted); keys(completion_time) = keys(e2e); "
       "before projection a request is registered on one instance only."},
      {"AGG-SUM-OF-INSTANCES", "Aggregate = instances combined", &check_agg_sum_of_instances,
       "§10.2 sums, maxima and plain mean of the instance counters, with the §10.3 correction "
       "(completed - pd_prefill_completed, dropped + dropped_at_decode_kv, still_running + "
       "max(pd_in_transfer, 0)); all_itls and step_counters concatenated in instance order; "
       "map entries not touched by projection equal the instance's."},
      // Addendum C §C4 on the simulator's own step log and phase times (check_timeline.cpp).
      {"LAW-TL-KV-READY", "KV before use", &check_timeline_kv_ready,
       "A decode sub-request's kv_transfer_start >= the end of the last step of the prefill "
       "sub-request it names (known exception A5, faithful only) and first_scheduled >= "
       "kv_transfer_complete."},
      {"LAW-TL-TOKEN-AFTER-STEP", "Tokens after the step that computes them",
       &check_timeline_token_after_step,
       "arrival + ttft[k] >= first_token_step_end and arrival + e2e[k] >= last_token_step_end of "
       "k (of k_decode for a PD parent); faithful known exceptions A5/A18 (PD), O3 (non-PD E2E)."},
  };
  return kCatalogue;
}

std::vector<CheckResult> check_all(const model::RunOutput& out) {
  std::vector<CheckResult> results;
  results.reserve(catalogue().size());
  for (const CheckInfo& c : catalogue()) results.push_back(c.run(out));
  return results;
}

}  // namespace simcheck::properties
