// Spec §10.6, docs/formats.md "simcheck-run/1": RunOutput -> JSON (every field; optionals only
// when present).
#include "io/run_output_writer.h"

#include <cmath>

#include "io/config_json.h"
#include "io/json_pretty.h"

namespace simcheck::io {
namespace {

using nlohmann::json;
using namespace model;

// JSON has no NaN or infinity; a run that produced one must still be written (and read back)
// faithfully, so such values are written as the strings "NaN", "Infinity", "-Infinity".
json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

json double_map(const IdMap<double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = number(v);
  return j;
}

template <class T>
json list(const std::vector<T>& v) {
  json j = json::array();
  for (const auto& x : v) j.push_back(x);
  return j;
}

json counters_to_json(const Counters& c) {
  json j = json::object();
  j["completed"] = c.completed;
  j["still_queued"] = c.still_queued;
  j["still_running"] = c.still_running;
  j["dropped_unservable"] = c.dropped_unservable;
  j["timed_out"] = c.timed_out;
  j["length_capped_count"] = c.length_capped_count;
  j["preemption_count"] = c.preemption_count;
  if (c.kv_allocation_failures) j["kv_allocation_failures"] = *c.kv_allocation_failures;
  j["total_input_tokens"] = c.total_input_tokens;
  j["total_output_tokens"] = c.total_output_tokens;
  if (c.ttft_sum) j["ttft_sum"] = *c.ttft_sum;
  if (c.sim_ended) j["sim_ended"] = *c.sim_ended;
  if (c.peak_kv_used) j["peak_kv_used"] = *c.peak_kv_used;
  if (c.kv_used_integral) j["kv_used_integral"] = number(*c.kv_used_integral);
  j["cache_hit_rate"] = number(c.cache_hit_rate);
  if (c.cache_hits) j["cache_hits"] = *c.cache_hits;
  if (c.cache_misses) j["cache_misses"] = *c.cache_misses;
  return j;
}

json maps_to_json(const MetricMaps& m) {
  json j = json::object();
  j["ttft"] = double_map(m.ttft);
  j["e2e"] = double_map(m.e2e);
  j["itl_avg"] = double_map(m.itl_avg);
  json sched = json::object();
  for (const auto& [k, v] : m.sched_delay) sched[k] = v;
  j["sched_delay"] = sched;
  if (m.completion_time) j["completion_time"] = double_map(*m.completion_time);
  json meta = json::object();
  for (const auto& [k, v] : m.requests_meta) {
    meta[k] = {{"arrived_at_s", number(v.arrived_at_s)},
               {"num_prefill_tokens", v.num_prefill_tokens},
               {"num_decode_tokens", v.num_decode_tokens},
               {"handled_by", v.handled_by},
               {"length_capped", v.length_capped}};
  }
  j["requests_meta"] = meta;
  return j;
}

json statistics_to_json(const Statistics& s) {
  return {{"ttft_mean_ms", number(s.ttft_mean_ms)},
          {"ttft_p90_ms", number(s.ttft_p90_ms)},
          {"ttft_p95_ms", number(s.ttft_p95_ms)},
          {"ttft_p99_ms", number(s.ttft_p99_ms)},
          {"e2e_mean_ms", number(s.e2e_mean_ms)},
          {"e2e_p90_ms", number(s.e2e_p90_ms)},
          {"e2e_p95_ms", number(s.e2e_p95_ms)},
          {"e2e_p99_ms", number(s.e2e_p99_ms)},
          {"itl_mean_ms", number(s.itl_mean_ms)},
          {"itl_p90_ms", number(s.itl_p90_ms)},
          {"itl_p95_ms", number(s.itl_p95_ms)},
          {"itl_p99_ms", number(s.itl_p99_ms)},
          {"scheduling_delay_p99_ms", number(s.scheduling_delay_p99_ms)},
          {"responses_per_sec", number(s.responses_per_sec)},
          {"tokens_per_sec", number(s.tokens_per_sec)},
          {"injected_requests", s.injected_requests}};
}

json event_to_json(const EventRecord& e) {
  return {{"time", e.time},
          {"kind", to_string(e.kind)},
          {"request_id", e.request_id},
          {"wait_queue_len", e.wait_queue_len},
          {"running_len", e.running_len},
          {"steps_pending", e.steps_pending},
          {"kv_free_count", e.kv_free_count},
          {"kv_in_use_blocks", e.kv_in_use_blocks},
          {"kv_ref_sum", e.kv_ref_sum},
          {"kv_owned_sum", e.kv_owned_sum}};
}

// Addendum C step log and phase times (docs/formats.md "Step log").
json step_to_json(const StepRecord& s) {
  return {{"start", s.start}, {"end", s.end}, {"batch", s.batch}, {"tokens", s.tokens}};
}

json phase_times_to_json(const RequestPhaseTimes& t) {
  json j = {{"enqueued", t.enqueued},
            {"first_scheduled", t.first_scheduled},
            {"first_token_step_end", t.first_token_step_end},
            {"last_token_step_end", t.last_token_step_end},
            {"left", t.left},
            {"timed_out", t.timed_out},
            {"preemptions", t.preemptions}};
  if (!t.kv_from.empty()) {
    j["kv_from"] = t.kv_from;
    j["kv_transfer_start"] = t.kv_transfer_start;
    j["kv_transfer_complete"] = t.kv_transfer_complete;
  }
  return j;
}

json instance_to_json(const InstanceOutput& in) {
  json j = json::object();
  j["id"] = in.id;
  j["role"] = to_string(in.role);
  j["counters"] = counters_to_json(in.counters);
  j["maps"] = maps_to_json(in.maps);
  if (in.all_itls) j["all_itls"] = list(*in.all_itls);
  if (in.step_counters) j["step_counters"] = list(*in.step_counters);
  if (in.statistics) j["statistics"] = statistics_to_json(*in.statistics);
  j["kv_total_blocks"] = in.kv_total_blocks;
  j["kv_used_at_end"] = in.kv_used_at_end;
  j["wait_queue_at_end"] = list(in.wait_queue_at_end);
  j["running_at_end"] = list(in.running_at_end);
  json states = json::object();
  for (const auto& [id, s] : in.final_states) {
    states[id] = {
        {"state", to_string(s.state)}, {"pi", s.pi}, {"kv_blocks_owned", s.kv_blocks_owned}};
  }
  j["final_states"] = states;
  if (in.events) {
    json events = json::array();
    for (const auto& e : *in.events) {
      json ej = event_to_json(e);
      if (e.adv != 0) ej["adv"] = e.adv;  // STEP records (Addendum C Δ8)
      events.push_back(std::move(ej));
    }
    j["events"] = events;
  }
  if (in.steps) {
    json steps = json::array();
    for (const auto& s : *in.steps) steps.push_back(step_to_json(s));
    j["steps"] = steps;
  }
  if (in.phase_times) {
    json times = json::object();
    for (const auto& [id, t] : *in.phase_times) times[std::string(id)] = phase_times_to_json(t);
    j["phase_times"] = times;
  }
  return j;
}

json aggregate_to_json(const Aggregate& a) {
  json j = json::object();
  j["counters"] = counters_to_json(a.counters);
  j["maps"] = maps_to_json(a.maps);
  if (a.all_itls) j["all_itls"] = list(*a.all_itls);
  if (a.step_counters) j["step_counters"] = list(*a.step_counters);
  j["statistics"] = statistics_to_json(a.statistics);
  return j;
}

json cluster_to_json(const ClusterCounters& c) {
  return {{"trace_requests", c.trace_requests},
          {"arrived", c.arrived},
          {"rejected", c.rejected},
          {"routing_rejections", c.routing_rejections},
          {"pipeline_pending", c.pipeline_pending},
          {"trace_beyond_horizon", c.trace_beyond_horizon}};
}

json pd_to_json(const PdCounters& p) {
  return {{"transfers_initiated", p.transfers_initiated},
          {"transfers_completed", p.transfers_completed},
          {"pd_prefill_completed", p.pd_prefill_completed},
          {"pd_decode_completed", p.pd_decode_completed},
          {"pd_decode_timed_out", p.pd_decode_timed_out},
          {"dropped_at_decode_kv", p.dropped_at_decode_kv},
          {"pending_decode_at_end", p.pending_decode_at_end},
          {"pd_in_transfer", p.pd_in_transfer},
          {"active_transfers_at_end", p.active_transfers_at_end},
          {"peak_concurrent_transfers", p.peak_concurrent_transfers},
          {"transfer_depth_sum", p.transfer_depth_sum},
          {"transfer_start_count", p.transfer_start_count},
          {"contention_corrupted", p.contention_corrupted}};
}

json parent_to_json(const ParentRecord& p) {
  json j = {{"id", p.id},
            {"prefill_id", p.prefill_id},
            {"decode_id", p.decode_id},
            {"input_len", p.input_len},
            {"output_len", p.output_len},
            {"num_kv_blocks", p.num_kv_blocks},
            {"arrival", p.arrival},
            {"decode_instance", p.decode_instance},
            {"prefill_instance", p.prefill_instance},
            {"prefill_enqueue_time", p.prefill_enqueue_time},
            {"prefill_complete_time", p.prefill_complete_time},
            {"transfer_start_time", p.transfer_start_time},
            {"transfer_complete_time", p.transfer_complete_time},
            {"decode_enqueue_time", p.decode_enqueue_time},
            {"completion_time", p.completion_time},
            {"decode_detect_tick", p.decode_detect_tick},
            {"active_at_start", p.active_at_start},
            {"outcome", to_string(p.outcome)},
            {"completed", p.completed},
            {"ttft_branch", to_string(p.ttft_branch)},
            {"e2e_branch", to_string(p.e2e_branch)}};
  if (p.decode_sub) {
    j["decode_sub"] = {{"state", to_string(p.decode_sub->state)},
                       {"pi", p.decode_sub->pi},
                       {"first_token_time", p.decode_sub->first_token_time},
                       {"itl", list(p.decode_sub->itl)}};
  } else {
    j["decode_sub"] = nullptr;  // §10.6: "or null"
  }
  return j;
}

json trace_entry_to_json(const TraceEntry& t) {
  return {{"id", t.id},
          {"arrival_us", t.arrival},
          {"input_len", t.input_len},
          {"output_len", t.output_len},
          {"max_output_len", t.max_output_len},
          {"deadline_us", t.deadline}};
}

}  // namespace

json run_output_to_json(const RunOutput& out) {
  json j = json::object();
  j["format"] = kRunOutputFormat;
  j["source"] = out.source;
  if (out.seed) j["seed"] = *out.seed;
  if (out.config) j["config"] = config_to_json(*out.config, /*include_defaults=*/true);
  if (out.trace) {
    json trace = json::array();
    for (const auto& t : *out.trace) trace.push_back(trace_entry_to_json(t));
    j["trace"] = trace;
  }
  json instances = json::array();
  for (const auto& in : out.instances) instances.push_back(instance_to_json(in));
  j["instances"] = instances;
  j["aggregate"] = aggregate_to_json(out.aggregate);
  if (out.cluster) j["cluster"] = cluster_to_json(*out.cluster);
  if (out.pd) j["pd"] = pd_to_json(*out.pd);
  if (out.parents) {
    json parents = json::array();
    for (const auto& p : *out.parents) parents.push_back(parent_to_json(p));
    j["parents"] = parents;
  }
  j["warnings"] = list(out.warnings);
  if (!out.missing_fields.empty()) {
    j["missing_fields"] =
        json(std::vector<std::string>(out.missing_fields.begin(), out.missing_fields.end()));
  }
  if (out.request_record_ids) j["request_record_ids"] = list(*out.request_record_ids);
  return j;
}

std::string write_run_output(const RunOutput& out) { return pretty_json(run_output_to_json(out)); }

}  // namespace simcheck::io
