// Spec §10.6, docs/formats.md "simcheck-run/1": run-output JSON -> model::RunOutput.
#include "io/run_output_reader.h"

#include <set>

#include "io/config_json.h"
#include "io/json_fields.h"
#include "io/json_lexeme.h"
#include "io/run_output_writer.h"

namespace simcheck::io {
namespace {

using namespace json_fields;
using namespace model;

// Reads one object. `generic_` is the path without indices or map keys ("instances.counters"),
// the form `missing_fields` uses (docs/oracle.md).
class Obj {
 public:
  Obj(const LexJson& v, std::string path, std::string generic, const std::set<std::string>& missing)
      : reader_(v, std::move(path)), generic_(std::move(generic)), missing_(missing) {}

  std::string path(std::string_view key) const { return reader_.path(key); }
  std::string generic(std::string_view key) const { return join(generic_, key); }
  const std::set<std::string>& missing() const { return missing_; }

  const LexJson* optional(std::string_view key) { return reader_.optional(key); }

  // A non-optional field: absent is an error unless the document declares it (or a section
  // containing it) missing; then `absent` is true and the caller keeps the default.
  const LexJson* required(std::string_view key) {
    if (const LexJson* v = reader_.optional(key)) return v;
    std::string g = generic(key);
    for (;;) {
      if (missing_.count(g)) return nullptr;
      const auto dot = g.rfind('.');
      if (dot == std::string::npos) break;
      g.resize(dot);
    }
    throw FieldError{path(key), "",
                     "required field is missing (a source that does not report it lists \"" +
                         generic(key) + "\" in missing_fields)"};
  }

  void reject_unknown() const { reader_.reject_unknown(); }

  Obj child(const LexJson& v, std::string_view key) const {
    return Obj(v, path(key), generic(key), missing_);
  }

 private:
  ObjectReader reader_;
  std::string generic_;
  const std::set<std::string>& missing_;
};

void get(Obj& o, const char* key, int64_t& out) {
  if (const LexJson* v = o.required(key)) out = to_int64(*v, o.path(key));
}
void get(Obj& o, const char* key, double& out) {
  if (const LexJson* v = o.required(key)) out = to_double(*v, o.path(key), true);
}
void get(Obj& o, const char* key, bool& out) {
  if (const LexJson* v = o.required(key)) out = to_bool(*v, o.path(key));
}
void get(Obj& o, const char* key, std::string& out) {
  if (const LexJson* v = o.required(key)) out = to_string(*v, o.path(key));
}
void get(Obj& o, const char* key, Id& out) {
  if (const LexJson* v = o.required(key)) out = to_string(*v, o.path(key));
}
template <class E>
void get_enum(Obj& o, const char* key, E& out, const char* choices) {
  if (const LexJson* v = o.required(key)) out = to_enum<E>(*v, o.path(key), choices);
}
void get_opt(Obj& o, const char* key, std::optional<int64_t>& out) {
  if (const LexJson* v = o.optional(key)) out = to_int64(*v, o.path(key));
}
void get_opt(Obj& o, const char* key, std::optional<double>& out) {
  if (const LexJson* v = o.optional(key)) out = to_double(*v, o.path(key), true);
}

std::vector<int64_t> int_list(const LexJson& v, const std::string& path) {
  std::vector<int64_t> out;
  const auto& items = to_array(v, path);
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) out.push_back(to_int64(items[i], index(path, i)));
  return out;
}

std::vector<std::string> string_list(const LexJson& v, const std::string& path) {
  std::vector<std::string> out;
  const auto& items = to_array(v, path);
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) out.push_back(to_string(items[i], index(path, i)));
  return out;
}

// An object used as a map keyed by request id; `read` converts one value. Every member is read
// (errors in document order); members may come in any order, so they are sorted once at the end;
// on a repeated key the first member would win, as inserting one by one did (the lexer already
// rejects repeated keys).
template <class T, class F>
IdMap<T> map_of(const LexJson& v, const std::string& path, F read) {
  ObjectReader o(v, path);  // checks the type; every key is legitimate
  std::vector<std::pair<Id, T>> entries;
  entries.reserve(v.members.size());
  for (const auto& [key, value] : v.members) entries.emplace_back(key, read(value, o.path(key)));
  return IdMap<T>::from_entries(std::move(entries));
}

IdMap<double> double_map(const LexJson& v, const std::string& path) {
  return map_of<double>(
      v, path, [](const LexJson& x, const std::string& p) { return to_double(x, p, true); });
}

Counters counters_from(Obj o) {
  Counters c;
  get(o, "completed", c.completed);
  get(o, "still_queued", c.still_queued);
  get(o, "still_running", c.still_running);
  get(o, "dropped_unservable", c.dropped_unservable);
  get(o, "timed_out", c.timed_out);
  get(o, "length_capped_count", c.length_capped_count);
  get(o, "preemption_count", c.preemption_count);
  get_opt(o, "kv_allocation_failures", c.kv_allocation_failures);
  get(o, "total_input_tokens", c.total_input_tokens);
  get(o, "total_output_tokens", c.total_output_tokens);
  get_opt(o, "ttft_sum", c.ttft_sum);
  get_opt(o, "sim_ended", c.sim_ended);
  get_opt(o, "peak_kv_used", c.peak_kv_used);
  get_opt(o, "kv_used_integral", c.kv_used_integral);
  get(o, "cache_hit_rate", c.cache_hit_rate);
  get_opt(o, "cache_hits", c.cache_hits);
  get_opt(o, "cache_misses", c.cache_misses);
  o.reject_unknown();
  return c;
}

RequestMeta meta_from(Obj o) {
  RequestMeta m;
  get(o, "arrived_at_s", m.arrived_at_s);
  get(o, "num_prefill_tokens", m.num_prefill_tokens);
  get(o, "num_decode_tokens", m.num_decode_tokens);
  get(o, "handled_by", m.handled_by);
  get(o, "length_capped", m.length_capped);
  o.reject_unknown();
  return m;
}

MetricMaps maps_from(Obj o) {
  MetricMaps m;
  if (const LexJson* v = o.required("ttft")) m.ttft = double_map(*v, o.path("ttft"));
  if (const LexJson* v = o.required("e2e")) m.e2e = double_map(*v, o.path("e2e"));
  if (const LexJson* v = o.required("itl_avg")) m.itl_avg = double_map(*v, o.path("itl_avg"));
  if (const LexJson* v = o.required("sched_delay")) {
    m.sched_delay = map_of<int64_t>(*v, o.path("sched_delay"), to_int64);
  }
  if (const LexJson* v = o.optional("completion_time")) {
    m.completion_time = double_map(*v, o.path("completion_time"));
  }
  if (const LexJson* v = o.required("requests_meta")) {
    const std::string path = o.path("requests_meta");
    const std::string generic = o.generic("requests_meta");
    ObjectReader type_check(*v, path);
    std::vector<std::pair<Id, RequestMeta>> entries;
    entries.reserve(v->members.size());
    for (const auto& [id, entry] : v->members) {
      entries.emplace_back(id, meta_from(Obj(entry, join(path, id), generic, o.missing())));
    }
    m.requests_meta = IdMap<RequestMeta>::from_entries(std::move(entries));
  }
  o.reject_unknown();
  return m;
}

Statistics statistics_from(Obj o) {
  Statistics s;
  get(o, "ttft_mean_ms", s.ttft_mean_ms);
  get(o, "ttft_p90_ms", s.ttft_p90_ms);
  get(o, "ttft_p95_ms", s.ttft_p95_ms);
  get(o, "ttft_p99_ms", s.ttft_p99_ms);
  get(o, "e2e_mean_ms", s.e2e_mean_ms);
  get(o, "e2e_p90_ms", s.e2e_p90_ms);
  get(o, "e2e_p95_ms", s.e2e_p95_ms);
  get(o, "e2e_p99_ms", s.e2e_p99_ms);
  get(o, "itl_mean_ms", s.itl_mean_ms);
  get(o, "itl_p90_ms", s.itl_p90_ms);
  get(o, "itl_p95_ms", s.itl_p95_ms);
  get(o, "itl_p99_ms", s.itl_p99_ms);
  get(o, "scheduling_delay_p99_ms", s.scheduling_delay_p99_ms);
  get(o, "responses_per_sec", s.responses_per_sec);
  get(o, "tokens_per_sec", s.tokens_per_sec);
  get(o, "injected_requests", s.injected_requests);
  o.reject_unknown();
  return s;
}

EventRecord event_from(Obj o) {
  EventRecord e;
  get(o, "time", e.time);
  get_enum(o, "kind", e.kind, "ARRIVAL, QUEUED, STEP, SCHEDULED, REQUEST_LEFT, TIMEOUT, STEP_END");
  get(o, "request_id", e.request_id);
  get(o, "wait_queue_len", e.wait_queue_len);
  get(o, "running_len", e.running_len);
  get(o, "steps_pending", e.steps_pending);
  get(o, "kv_free_count", e.kv_free_count);
  get(o, "kv_in_use_blocks", e.kv_in_use_blocks);
  get(o, "kv_ref_sum", e.kv_ref_sum);
  get(o, "kv_owned_sum", e.kv_owned_sum);
  if (const LexJson* v = o.optional("adv")) e.adv = to_int64(*v, o.path("adv"));
  o.reject_unknown();
  return e;
}

StepRecord step_from(Obj o) {
  StepRecord s;
  get(o, "start", s.start);
  get(o, "end", s.end);
  if (const LexJson* v = o.required("batch")) s.batch = string_list(*v, o.path("batch"));
  get(o, "tokens", s.tokens);
  o.reject_unknown();
  return s;
}

RequestPhaseTimes phase_times_from(Obj o) {
  RequestPhaseTimes t;
  get(o, "enqueued", t.enqueued);
  get(o, "first_scheduled", t.first_scheduled);
  get(o, "first_token_step_end", t.first_token_step_end);
  get(o, "last_token_step_end", t.last_token_step_end);
  get(o, "left", t.left);
  get(o, "timed_out", t.timed_out);
  get(o, "preemptions", t.preemptions);
  if (const LexJson* v = o.optional("kv_from")) {
    t.kv_from = to_string(*v, o.path("kv_from"));
    get(o, "kv_transfer_start", t.kv_transfer_start);
    get(o, "kv_transfer_complete", t.kv_transfer_complete);
  }
  o.reject_unknown();
  return t;
}

constexpr const char* kStates = "QUEUED, RUNNING, COMPLETED, TIMED_OUT, WAITING_FOR_REMOTE_KVS";

FinalRequestState final_state_from(Obj o) {
  FinalRequestState s;
  get_enum(o, "state", s.state, kStates);
  get(o, "pi", s.pi);
  get(o, "kv_blocks_owned", s.kv_blocks_owned);
  o.reject_unknown();
  return s;
}

// The end-state fields share one missing_fields entry, "instances.end_state" (docs/oracle.md).
const LexJson* end_state_field(Obj& o, const char* key) {
  if (const LexJson* v = o.optional(key)) return v;
  if (o.missing().count("instances.end_state") || o.missing().count("instances")) return nullptr;
  return o.required(key);
}

InstanceOutput instance_from(Obj o) {
  InstanceOutput in;
  get(o, "id", in.id);
  get_enum(o, "role", in.role, "none, prefill, decode");
  if (const LexJson* v = o.required("counters"))
    in.counters = counters_from(o.child(*v, "counters"));
  if (const LexJson* v = o.required("maps")) in.maps = maps_from(o.child(*v, "maps"));
  if (const LexJson* v = o.optional("all_itls")) in.all_itls = int_list(*v, o.path("all_itls"));
  if (const LexJson* v = o.optional("step_counters")) {
    in.step_counters = int_list(*v, o.path("step_counters"));
  }
  if (const LexJson* v = o.optional("statistics")) {
    in.statistics = statistics_from(o.child(*v, "statistics"));
  }
  if (const LexJson* v = end_state_field(o, "kv_total_blocks")) {
    in.kv_total_blocks = to_int64(*v, o.path("kv_total_blocks"));
  }
  if (const LexJson* v = end_state_field(o, "kv_used_at_end")) {
    in.kv_used_at_end = to_int64(*v, o.path("kv_used_at_end"));
  }
  if (const LexJson* v = end_state_field(o, "wait_queue_at_end")) {
    in.wait_queue_at_end = string_list(*v, o.path("wait_queue_at_end"));
  }
  if (const LexJson* v = end_state_field(o, "running_at_end")) {
    in.running_at_end = string_list(*v, o.path("running_at_end"));
  }
  if (const LexJson* v = end_state_field(o, "final_states")) {
    const std::string path = o.path("final_states");
    ObjectReader type_check(*v, path);
    std::vector<std::pair<Id, FinalRequestState>> entries;
    entries.reserve(v->members.size());
    for (const auto& [id, entry] : v->members) {
      entries.emplace_back(
          id, final_state_from(Obj(entry, join(path, id), o.generic("final_states"), o.missing())));
    }
    in.final_states = IdMap<FinalRequestState>::from_entries(std::move(entries));
  }
  if (const LexJson* v = o.optional("events")) {
    const auto& items = to_array(*v, o.path("events"));
    std::vector<EventRecord> events;
    events.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      events.push_back(
          event_from(Obj(items[i], index(o.path("events"), i), o.generic("events"), o.missing())));
    }
    in.events = std::move(events);
  }
  if (const LexJson* v = o.optional("steps")) {
    const auto& items = to_array(*v, o.path("steps"));
    std::vector<StepRecord> steps;
    steps.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      steps.push_back(
          step_from(Obj(items[i], index(o.path("steps"), i), o.generic("steps"), o.missing())));
    }
    in.steps = std::move(steps);
  }
  if (const LexJson* v = o.optional("phase_times")) {
    const std::string path = o.path("phase_times");
    ObjectReader type_check(*v, path);
    std::vector<std::pair<Id, RequestPhaseTimes>> entries;
    entries.reserve(v->members.size());
    for (const auto& [id, entry] : v->members) {
      entries.emplace_back(
          id, phase_times_from(Obj(entry, join(path, id), o.generic("phase_times"), o.missing())));
    }
    in.phase_times = IdMap<RequestPhaseTimes>::from_entries(std::move(entries));
  }
  o.reject_unknown();
  return in;
}

Aggregate aggregate_from(Obj o) {
  Aggregate a;
  if (const LexJson* v = o.required("counters"))
    a.counters = counters_from(o.child(*v, "counters"));
  if (const LexJson* v = o.required("maps")) a.maps = maps_from(o.child(*v, "maps"));
  if (const LexJson* v = o.optional("all_itls")) a.all_itls = int_list(*v, o.path("all_itls"));
  if (const LexJson* v = o.optional("step_counters")) {
    a.step_counters = int_list(*v, o.path("step_counters"));
  }
  if (const LexJson* v = o.required("statistics")) {
    a.statistics = statistics_from(o.child(*v, "statistics"));
  }
  o.reject_unknown();
  return a;
}

ClusterCounters cluster_from(Obj o) {
  ClusterCounters c;
  get(o, "trace_requests", c.trace_requests);
  get(o, "arrived", c.arrived);
  get(o, "rejected", c.rejected);
  get(o, "routing_rejections", c.routing_rejections);
  get(o, "pipeline_pending", c.pipeline_pending);
  get(o, "trace_beyond_horizon", c.trace_beyond_horizon);
  o.reject_unknown();
  return c;
}

PdCounters pd_from(Obj o) {
  PdCounters p;
  get(o, "transfers_initiated", p.transfers_initiated);
  get(o, "transfers_completed", p.transfers_completed);
  get(o, "pd_prefill_completed", p.pd_prefill_completed);
  get(o, "pd_decode_completed", p.pd_decode_completed);
  get(o, "pd_decode_timed_out", p.pd_decode_timed_out);
  get(o, "dropped_at_decode_kv", p.dropped_at_decode_kv);
  get(o, "pending_decode_at_end", p.pending_decode_at_end);
  get(o, "pd_in_transfer", p.pd_in_transfer);
  get(o, "active_transfers_at_end", p.active_transfers_at_end);
  get(o, "peak_concurrent_transfers", p.peak_concurrent_transfers);
  get(o, "transfer_depth_sum", p.transfer_depth_sum);
  get(o, "transfer_start_count", p.transfer_start_count);
  get(o, "contention_corrupted", p.contention_corrupted);
  o.reject_unknown();
  return p;
}

ParentRecord parent_from(Obj o) {
  ParentRecord p;
  get(o, "id", p.id);
  get(o, "prefill_id", p.prefill_id);
  get(o, "decode_id", p.decode_id);
  get(o, "input_len", p.input_len);
  get(o, "output_len", p.output_len);
  get(o, "num_kv_blocks", p.num_kv_blocks);
  get(o, "arrival", p.arrival);
  get(o, "decode_instance", p.decode_instance);
  get(o, "prefill_instance", p.prefill_instance);
  get(o, "prefill_enqueue_time", p.prefill_enqueue_time);
  get(o, "prefill_complete_time", p.prefill_complete_time);
  get(o, "transfer_start_time", p.transfer_start_time);
  get(o, "transfer_complete_time", p.transfer_complete_time);
  get(o, "decode_enqueue_time", p.decode_enqueue_time);
  get(o, "completion_time", p.completion_time);
  get(o, "decode_detect_tick", p.decode_detect_tick);
  get(o, "active_at_start", p.active_at_start);
  get_enum(o, "outcome", p.outcome,
           "prefill_dropped, prefill_timed_out, prefill_pending, dropped_at_start, in_transfer, "
           "late_drop, decode_pending, decode_completed, decode_timed_out");
  get(o, "completed", p.completed);
  get_enum(o, "ttft_branch", p.ttft_branch, "none, T-PRIMARY, T-FALLBACK, T-NEGATIVE");
  get_enum(o, "e2e_branch", p.e2e_branch, "none, E-PRIMARY, E-PREEMPTED, E-FALLBACK, E-NEGATIVE");
  // decode_sub is null when there is none (§10.6); absent means the same.
  if (const LexJson* v = o.optional("decode_sub"); v && v->kind != LexJson::Kind::null) {
    Obj d = o.child(*v, "decode_sub");
    DecodeSubRecord s;
    get_enum(d, "state", s.state, kStates);
    get(d, "pi", s.pi);
    get(d, "first_token_time", s.first_token_time);
    if (const LexJson* itl = d.required("itl")) s.itl = int_list(*itl, d.path("itl"));
    d.reject_unknown();
    p.decode_sub = std::move(s);
  }
  o.reject_unknown();
  return p;
}

TraceEntry trace_entry_from(Obj o) {
  TraceEntry t;
  get(o, "id", t.id);
  get(o, "arrival_us", t.arrival);
  get(o, "input_len", t.input_len);
  get(o, "output_len", t.output_len);
  get(o, "max_output_len", t.max_output_len);
  get(o, "deadline_us", t.deadline);
  o.reject_unknown();
  return t;
}

template <class T, class F>
std::vector<T> object_list(Obj& o, const LexJson& v, const char* key, F read) {
  const auto& items = to_array(v, o.path(key));
  std::vector<T> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    out.push_back(read(Obj(items[i], index(o.path(key), i), o.generic(key), o.missing())));
  }
  return out;
}

RunOutput run_output_from(const LexJson& root) {
  // missing_fields first: it decides which required fields may be absent.
  std::set<std::string> missing;
  ObjectReader peek(root, "");
  if (const LexJson* v = peek.optional("missing_fields")) {
    for (auto& s : string_list(*v, "missing_fields")) missing.insert(std::move(s));
  }
  Obj o(root, "", "", missing);
  RunOutput out;
  const LexJson* format = o.optional("format");
  if (!format) throw FieldError{"format", "", "required field is missing"};
  if (to_string(*format, "format") != kRunOutputFormat) {
    throw FieldError{"format", render(*format),
                     std::string("must be \"") + kRunOutputFormat + "\""};
  }
  o.optional("missing_fields");
  out.missing_fields = missing;
  get(o, "source", out.source);
  get_opt(o, "seed", out.seed);
  if (const LexJson* v = o.optional("config")) out.config = config_from_json(*v, "config");
  if (const LexJson* v = o.optional("trace")) {
    out.trace = object_list<TraceEntry>(o, *v, "trace", trace_entry_from);
  }
  if (const LexJson* v = o.required("instances")) {
    out.instances = object_list<InstanceOutput>(o, *v, "instances", instance_from);
  }
  if (const LexJson* v = o.required("aggregate")) {
    out.aggregate = aggregate_from(o.child(*v, "aggregate"));
  }
  if (const LexJson* v = o.optional("cluster")) out.cluster = cluster_from(o.child(*v, "cluster"));
  if (const LexJson* v = o.optional("pd")) out.pd = pd_from(o.child(*v, "pd"));
  if (const LexJson* v = o.optional("parents")) {
    out.parents = object_list<ParentRecord>(o, *v, "parents", parent_from);
  }
  if (const LexJson* v = o.optional("warnings")) out.warnings = string_list(*v, "warnings");
  if (const LexJson* v = o.optional("request_record_ids")) {
    out.request_record_ids = string_list(*v, "request_record_ids");
  }
  o.reject_unknown();
  return out;
}

}  // namespace

RunOutputReadResult parse_run_output(std::string_view text, const std::string& file) {
  LexJsonError lex_error;
  const std::optional<LexJson> root = parse_lex_json(text, lex_error);
  if (!root) return syntax_error(text, lex_error, file);
  try {
    return run_output_from(*root);
  } catch (const FieldError& e) {
    return InputError{file, e.field.empty() ? "(document)" : e.field, e.value, e.message};
  } catch (const std::exception& e) {
    return InputError{file, "", "", std::string("cannot read the run output: ") + e.what()};
  }
}

RunOutputReadResult read_run_output(const std::string& path) {
  InputError error;
  const std::optional<std::string> text = read_text_file(path, error);
  if (!text) return error;
  return parse_run_output(*text, path);
}

}  // namespace simcheck::io
