// Spec §2 configuration <-> JSON (docs/formats.md "config").
#include "io/config_json.h"

#include <utility>

#include "io/json_fields.h"

namespace simcheck::io {
namespace {

using namespace json_fields;
using model::Config;
using model::Quirks;

// The switches of model::Quirks by name (§13); one table for reading and writing.
constexpr std::pair<const char*, bool Quirks::*> kQuirks[] = {
    {"standalone_runs_event_past_horizon", &Quirks::standalone_runs_event_past_horizon},
    {"empty_range_claims_nothing", &Quirks::empty_range_claims_nothing},
    {"shared_pd_routing_policy", &Quirks::shared_pd_routing_policy},
    {"detect_completion_at_step_start", &Quirks::detect_completion_at_step_start},
    {"stale_decode_deadline", &Quirks::stale_decode_deadline},
    {"dropped_parent_counts_completed", &Quirks::dropped_parent_counts_completed},
    {"decode_topup_block_keyed", &Quirks::decode_topup_block_keyed},
};

std::array<double, 3> coefficients(const LexJson& v, const std::string& path) {
  const auto& items = to_array(v, path);
  if (items.size() != 3) {
    throw FieldError{
        path, render(v),
        "must be an array of exactly 3 numbers (found " + std::to_string(items.size()) + ")"};
  }
  std::array<double, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) out[i] = to_double(items[i], index(path, i));
  return out;
}

Quirks quirks_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  Quirks q;
  for (const auto& [name, member] : kQuirks) {
    if (const LexJson* x = o.optional(name)) q.*member = to_bool(*x, o.path(name));
  }
  o.reject_unknown();
  return q;
}

}  // namespace

model::Config config_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  Config c;
  auto int64_field = [&](const char* key, int64_t& out) {
    if (const LexJson* x = o.optional(key)) out = to_int64(*x, o.path(key));
  };
  auto int_field = [&](const char* key, int& out) {
    if (const LexJson* x = o.optional(key)) out = to_int(*x, o.path(key));
  };
  auto double_field = [&](const char* key, double& out) {
    if (const LexJson* x = o.optional(key)) out = to_double(*x, o.path(key));
  };
  auto bool_field = [&](const char* key, bool& out) {
    if (const LexJson* x = o.optional(key)) out = to_bool(*x, o.path(key));
  };
  auto enum_field = [&](const char* key, auto& out, const char* choices) {
    using E = std::decay_t<decltype(out)>;
    if (const LexJson* x = o.optional(key)) out = to_enum<E>(*x, o.path(key), choices);
  };

  int64_field("horizon_us", c.horizon_us);
  int_field("num_instances", c.num_instances);
  int64_field("total_kv_blocks", c.total_kv_blocks);
  int64_field("block_size_tokens", c.block_size_tokens);
  int64_field("max_num_seqs", c.max_num_seqs);
  int64_field("max_num_batched_tokens", c.max_num_batched_tokens);
  int64_field("long_prefill_token_threshold", c.long_prefill_token_threshold);
  int64_field("max_model_len", c.max_model_len);
  c.alpha = coefficients(o.required("alpha"), o.path("alpha"));
  c.beta = coefficients(o.required("beta"), o.path("beta"));
  int64_field("post_decode_fixed_overhead_us", c.post_decode_fixed_overhead_us);
  enum_field("empty_step_rule", c.empty_step_rule, "\"one\", \"beta0\"");
  int64_field("admission_latency_us", c.admission_latency_us);
  int64_field("routing_latency_us", c.routing_latency_us);
  enum_field("routing_policy", c.routing_policy, "\"round-robin\", \"least-loaded\"");
  enum_field("least_loaded_tiebreak", c.least_loaded_tiebreak, "\"first\", \"random\"");
  if (const LexJson* x = o.optional("admission_policy")) {
    if (to_string(*x, o.path("admission_policy")) != "always-admit") {
      throw FieldError{o.path("admission_policy"), render(*x),
                       "must be \"always-admit\" (the only policy of v1)"};
    }
  }
  int_field("prefill_instances", c.prefill_instances);
  int_field("decode_instances", c.decode_instances);
  enum_field("pd_decider", c.pd_decider, "\"never\", \"always\"");
  double_field("pd_transfer_bandwidth_gbps", c.pd_transfer_bandwidth_gbps);
  double_field("pd_transfer_base_latency_ms", c.pd_transfer_base_latency_ms);
  bool_field("pd_transfer_contention", c.pd_transfer_contention);
  double_field("kv_bytes_per_token", c.kv_bytes_per_token);
  enum_field("driver", c.driver, "\"cluster\", \"standalone\"");
  enum_field("time_profile", c.time_profile, "\"faithful\", \"causal\"");
  enum_field("projection", c.projection,
             "\"current\", \"pre-1514\", \"pre-1512\", \"pre-931\", \"pre-846\"");
  if (const LexJson* x = o.optional("quirks")) c.quirks = quirks_from_json(*x, o.path("quirks"));
  bool_field("record_events", c.record_events);
  if (const LexJson* x = o.optional("seed")) {
    throw FieldError{o.path("seed"), render(*x), "seed is a top-level field, not part of config"};
  }
  o.reject_unknown();
  return c;
}

nlohmann::json config_to_json(const model::Config& c, bool include_defaults) {
  const Config d;
  nlohmann::json j = nlohmann::json::object();
  auto put = [&](const char* key, const auto& value, const auto& default_value) {
    if (include_defaults || !(value == default_value)) j[key] = value;
  };
  auto put_enum = [&](const char* key, auto value, auto default_value) {
    if (include_defaults || value != default_value) j[key] = model::to_string(value);
  };
  put("horizon_us", c.horizon_us, d.horizon_us);
  put("num_instances", c.num_instances, d.num_instances);
  put("total_kv_blocks", c.total_kv_blocks, d.total_kv_blocks);
  put("block_size_tokens", c.block_size_tokens, d.block_size_tokens);
  put("max_num_seqs", c.max_num_seqs, d.max_num_seqs);
  put("max_num_batched_tokens", c.max_num_batched_tokens, d.max_num_batched_tokens);
  put("long_prefill_token_threshold", c.long_prefill_token_threshold,
      d.long_prefill_token_threshold);
  put("max_model_len", c.max_model_len, d.max_model_len);
  j["alpha"] = c.alpha;
  j["beta"] = c.beta;
  put("post_decode_fixed_overhead_us", c.post_decode_fixed_overhead_us,
      d.post_decode_fixed_overhead_us);
  put_enum("empty_step_rule", c.empty_step_rule, d.empty_step_rule);
  put("admission_latency_us", c.admission_latency_us, d.admission_latency_us);
  put("routing_latency_us", c.routing_latency_us, d.routing_latency_us);
  put_enum("routing_policy", c.routing_policy, d.routing_policy);
  put_enum("least_loaded_tiebreak", c.least_loaded_tiebreak, d.least_loaded_tiebreak);
  if (include_defaults) j["admission_policy"] = "always-admit";
  put("prefill_instances", c.prefill_instances, d.prefill_instances);
  put("decode_instances", c.decode_instances, d.decode_instances);
  put_enum("pd_decider", c.pd_decider, d.pd_decider);
  put("pd_transfer_bandwidth_gbps", c.pd_transfer_bandwidth_gbps, d.pd_transfer_bandwidth_gbps);
  put("pd_transfer_base_latency_ms", c.pd_transfer_base_latency_ms, d.pd_transfer_base_latency_ms);
  put("pd_transfer_contention", c.pd_transfer_contention, d.pd_transfer_contention);
  put("kv_bytes_per_token", c.kv_bytes_per_token, d.kv_bytes_per_token);
  put_enum("driver", c.driver, d.driver);
  // Written only when causal, even with include_defaults: an absent key reads as faithful, so
  // faithful run outputs stay byte-identical to those written before the key existed.
  if (c.time_profile != d.time_profile) j["time_profile"] = model::to_string(c.time_profile);
  put_enum("projection", c.projection, d.projection);
  nlohmann::json quirks = nlohmann::json::object();
  for (const auto& [name, member] : kQuirks) {
    if (include_defaults || c.quirks.*member != d.quirks.*member) quirks[name] = c.quirks.*member;
  }
  if (include_defaults || !quirks.empty()) j["quirks"] = quirks;
  put("record_events", c.record_events, d.record_events);
  return j;
}

}  // namespace simcheck::io
