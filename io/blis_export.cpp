// Spec §1.3 items 3-4, §2, §5, §12.2: simcheck case -> BLIS trace + flags (see blis_export.h).
#include "io/blis_export.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "model/simulate.h"

namespace simcheck::io {
namespace {

std::string shortest(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// "request_<k>" with k spelled as Go's %d spells it (no sign, no leading zeros).
std::optional<int64_t> blis_request_number(const std::string& id) {
  constexpr std::string_view kPrefix = "request_";
  if (id.size() <= kPrefix.size() || id.compare(0, kPrefix.size(), kPrefix) != 0) {
    return std::nullopt;
  }
  std::string_view digits = std::string_view(id).substr(kPrefix.size());
  if (digits.size() > 18 || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::size_t common_prefix(const std::vector<model::Token>& a, const std::vector<model::Token>& b) {
  auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(ia - a.begin());
}

void map_config(const model::Case& c, BlisExport& out) {
  const model::Config& k = c.config;
  auto flag = [&out](std::string name, std::string value) {
    out.flags.emplace_back(std::move(name), std::move(value));
  };
  auto blocked = [&out](std::string why) { out.not_equivalent.push_back(std::move(why)); };

  if (k.driver != model::Driver::cluster) {
    blocked(
        "driver = standalone: BLIS's CLI always runs the cluster driver (§8.3), never the "
        "standalone driver of §4.2");
  }
  if (k.projection != model::ProjectionEra::current) {
    blocked(std::string("projection = ") + model::to_string(k.projection) +
            ": current BLIS implements only the current projection (§10.4)");
  }
  const model::Quirks defaults{};
  auto quirk = [&](bool value, bool def, const char* name) {
    if (value != def)
      blocked(std::string("quirks.") + name + " is switched off: BLIS has it (§13)");
  };
  quirk(k.quirks.standalone_runs_event_past_horizon, defaults.standalone_runs_event_past_horizon,
        "standalone_runs_event_past_horizon");
  quirk(k.quirks.empty_range_claims_nothing, defaults.empty_range_claims_nothing,
        "empty_range_claims_nothing");
  quirk(k.quirks.shared_pd_routing_policy, defaults.shared_pd_routing_policy,
        "shared_pd_routing_policy");
  quirk(k.quirks.detect_completion_at_step_start, defaults.detect_completion_at_step_start,
        "detect_completion_at_step_start");
  quirk(k.quirks.stale_decode_deadline, defaults.stale_decode_deadline, "stale_decode_deadline");
  quirk(k.quirks.dropped_parent_counts_completed, defaults.dropped_parent_counts_completed,
        "dropped_parent_counts_completed");
  quirk(k.quirks.decode_topup_block_keyed, defaults.decode_topup_block_keyed,
        "decode_topup_block_keyed");

  // §1.3 item 3: the constant-step profile.
  if (k.alpha[1] != 0) {
    blocked("alpha[1] = " + shortest(k.alpha[1]) +
            ": BLIS's trained-physics alpha1 is the post-decode overhead, there is no per-input-"
            "token queueing term (§1.3 item 3)");
  }
  if (k.beta[1] != 0 || k.beta[2] != 0) {
    blocked("beta = [" + shortest(k.beta[0]) + ", " + shortest(k.beta[1]) + ", " +
            shortest(k.beta[2]) +
            "]: only a constant step time (beta1 = beta2 = 0) maps onto trained-physics "
            "(§1.3 item 3)");
  }
  if (k.empty_step_rule == model::EmptyStepRule::beta0) {
    // beta0 gives max(1, trunc(β0)) for an empty step; BLIS always charges 1 µs (§5.1).
    const double b0 = k.beta[0];
    if (!(b0 < 2.0)) {
      blocked("empty_step_rule = beta0 with beta[0] = " + shortest(b0) +
              ": BLIS charges 1 µs for a step without new tokens (§5.1)");
    }
  }
  flag("--latency-model", "trained-physics");
  flag("--alpha-coeffs", shortest(k.alpha[0]) + "," +
                             std::to_string(k.post_decode_fixed_overhead_us) + "," +
                             shortest(k.alpha[2]));
  flag("--beta-coeffs", "0,0,0,0,0,0," + shortest(k.beta[0]));
  flag("--seed", std::to_string(c.seed));
  flag("--horizon", std::to_string(k.horizon_us));
  flag("--num-instances", std::to_string(k.num_instances));
  flag("--total-kv-blocks", std::to_string(k.total_kv_blocks));
  flag("--block-size-in-tokens", std::to_string(k.block_size_tokens));
  flag("--max-num-seqs", std::to_string(k.max_num_seqs));
  flag("--max-num-batched-tokens", std::to_string(k.max_num_batched_tokens));
  flag("--long-prefill-token-threshold", std::to_string(k.long_prefill_token_threshold));
  flag("--max-model-len", std::to_string(k.max_model_len));
  flag("--admission-policy", "always-admit");
  flag("--admission-latency", std::to_string(k.admission_latency_us));
  flag("--routing-latency", std::to_string(k.routing_latency_us));
  flag("--routing-policy", model::to_string(k.routing_policy));
  flag("--snapshot-refresh-interval", "0");
  flag("--scheduler", "fcfs");
  flag("--preemption-policy", "fcfs");
  if (k.routing_policy == model::RoutingPolicy::least_loaded) {
    if (k.least_loaded_tiebreak == model::LeastLoadedTiebreak::random) {
      blocked(
          "least_loaded_tiebreak = random: BLIS breaks load ties with Go's math/rand, which "
          "simcheck does not reproduce (A8)");
    } else {
      out.caveats.push_back(
          "routing-policy least-loaded: BLIS breaks load ties with its own RNG, the reference "
          "takes the first tied instance (A8); the outputs agree only if no tie arises or BLIS "
          "happens to pick the first");
    }
  }
  if (k.pd_enabled()) {
    flag("--prefill-instances", std::to_string(k.prefill_instances));
    flag("--decode-instances", std::to_string(k.decode_instances));
    flag("--pd-decider", model::to_string(k.pd_decider));
    flag("--pd-transfer-bandwidth", shortest(k.pd_transfer_bandwidth_gbps));
    flag("--pd-transfer-base-latency", shortest(k.pd_transfer_base_latency_ms));
    flag("--pd-transfer-contention", k.pd_transfer_contention ? "true" : "false");
    if (!(k.pd_transfer_bandwidth_gbps > 0)) {
      blocked("pd_transfer_bandwidth_gbps = " + shortest(k.pd_transfer_bandwidth_gbps) +
              ": BLIS's CLI rejects a bandwidth <= 0, so the latency-only rule (§9.5) has no "
              "equivalent");
    }
    out.caveats.push_back(
        "kv_bytes_per_token = " + shortest(k.kv_bytes_per_token) +
        " has no flag: give BLIS a model description (--model/--hardware/--tp or "
        "--model-config-folder) whose KV bytes per token (layers x 2 x head_dim x kv_heads x "
        "bytes per element) equal it (§1.3 item 3, §9.5)");
  } else {
    out.caveats.push_back(
        "BLIS's trained-physics backend also wants a model description (--model/--hardware/--tp "
        "or --model-config-folder); with both coefficient flags given the step time does not "
        "depend on it");
  }
}

void map_trace(const model::Case& c, BlisExport& out) {
  const model::Trace trace = model::materialise(c);
  const std::size_t n = trace.size();
  const auto block = static_cast<std::size_t>(c.config.block_size_tokens);

  for (const model::Request& r : trace) {
    if (!blis_request_number(r.id)) {  // export_to_blis renames first: only a workload's own ids
      out.not_equivalent.push_back(
          "request id \"" + r.id +
          "\": BLIS names replayed requests request_<request_id> (an integer); other ids would be "
          "renamed, and ids order completion detection (§9.4)");
      break;
    }
  }
  for (const model::Request& r : trace) {
    if (r.max_output_len != static_cast<int64_t>(r.output.size())) {
      out.not_equivalent.push_back("request " + r.id +
                                   ": max_output_len = " + std::to_string(r.max_output_len) +
                                   " != output length " + std::to_string(r.output.size()) +
                                   ": BLIS's replay sets the budget to the output length");
      break;
    }
  }

  // Token sharing at block granularity (§6): sort inputs; requests sharing >= 1 full block with
  // a neighbour form a group.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return trace[a].input < trace[b].input; });
  std::vector<int64_t> group_of(n, -1);
  std::vector<std::size_t> group_prefix;  // shared tokens, per group
  bool sharing_reported = false;
  for (std::size_t s = 0; s + 1 < n;) {
    std::size_t lcp = common_prefix(trace[order[s]].input, trace[order[s + 1]].input);
    if (lcp < block) {
      ++s;
      continue;
    }
    // A run of neighbours sharing >= 1 full block.
    std::size_t e = s + 1, min_lcp = lcp, max_lcp = lcp;
    while (e + 1 < n) {
      std::size_t next = common_prefix(trace[order[e]].input, trace[order[e + 1]].input);
      if (next < block) break;
      min_lcp = std::min(min_lcp, next);
      max_lcp = std::max(max_lcp, next);
      ++e;
    }
    if (min_lcp / block != max_lcp / block && !sharing_reported) {
      out.not_equivalent.push_back(
          "requests " + trace[order[s]].id + " ... " + trace[order[e]].id + " share between " +
          std::to_string(min_lcp) + " and " + std::to_string(max_lcp) +
          " leading input tokens: a BLIS prefix group gives every member the same shared prefix "
          "(§1.3 item 4)");
      sharing_reported = true;
    }
    const auto g = static_cast<int64_t>(group_prefix.size());
    group_prefix.push_back(min_lcp);
    for (std::size_t k = s; k <= e; ++k) group_of[order[k]] = g;
    s = e + 1;
  }
  // Decode blocks get content keys (A17): an input that continues another request's input with
  // that request's output tokens would hit them; BLIS's random tokens never do.
  for (std::size_t s = 0; s + 1 < n && !sharing_reported; ++s) {
    const auto& a = trace[order[s]];
    const auto& b = trace[order[s + 1]];
    if (a.input.size() < b.input.size() && common_prefix(a.input, b.input) == a.input.size() &&
        !a.output.empty() && b.input[a.input.size()] == a.output.front()) {
      out.not_equivalent.push_back("request " + b.id + "'s input continues request " + a.id +
                                   "'s input with its output tokens: BLIS's token ids never "
                                   "repeat outside a prefix group (§1.3 item 4)");
      sharing_reported = true;
    }
  }

  // Groups are named by first appearance in trace order.
  std::map<int64_t, std::string> group_name;
  for (std::size_t i = 0; i < n; ++i) {
    if (group_of[i] >= 0 && !group_name.count(group_of[i])) {
      group_name[group_of[i]] = "g" + std::to_string(group_name.size());
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const model::Request& r = trace[i];
    BlisTraceRecord rec;
    rec.request_id = blis_request_number(r.id).value_or(static_cast<int64_t>(i));
    rec.client_id = "simcheck";
    rec.input_tokens = static_cast<int64_t>(r.input.size());
    if (group_of[i] >= 0) {
      const auto p = static_cast<int64_t>(group_prefix[static_cast<std::size_t>(group_of[i])]);
      rec.prefix_group = group_name[group_of[i]];
      rec.prefix_length = p;
      rec.input_tokens -= p;  // BLIS prepends the group's prefix to input_tokens fresh tokens
    }
    rec.output_tokens = static_cast<int64_t>(r.output.size());
    rec.deadline_us = r.deadline;
    rec.arrival_time_us = r.arrival;
    rec.send_time_us = r.arrival;
    rec.status = "incomplete";
    out.trace.records.push_back(std::move(rec));
  }
  out.trace.header = {{"trace_version", "3"},
                      {"time_unit", "microseconds"},
                      {"mode", "generated"},
                      {"warm_up_requests", "0"},
                      {"workload_seed", std::to_string(c.seed)}};
}

}  // namespace

BlisExport export_to_blis(const model::Case& c) {
  bool rename = false;
  for (const model::TraceRequest& r : c.requests) {
    rename = rename || (!r.id.empty() && !blis_request_number(r.id));
  }
  if (!rename) {
    BlisExport out;
    map_config(c, out);
    map_trace(c, out);
    return out;
  }
  // Every request i becomes request_<i> (all of them, so a renamed id cannot collide with a kept
  // one); materialise names an id-less request i the same way.
  model::Case renamed = c;
  std::vector<std::pair<std::string, std::string>> ids;
  for (std::size_t i = 0; i < renamed.requests.size(); ++i) {
    std::string to = "request_" + std::to_string(i);
    ids.emplace_back(renamed.requests[i].id.empty() ? to : renamed.requests[i].id, to);
    renamed.requests[i].id = std::move(to);
  }
  BlisExport out = export_to_blis(renamed);
  std::string list;
  for (const auto& [from, to] : ids) {
    if (from == to) continue;
    if (!list.empty()) list += ", ";
    list += from + " -> " + to;
  }
  out.caveats.insert(out.caveats.begin(),
                     "request ids renamed for BLIS (" + list +
                         "); ids order completion detection (§9.4), so compare BLIS's output "
                         "with the renamed case (case.json), not the original");
  out.renamed_case = std::move(renamed);
  out.renamed_ids = std::move(ids);
  return out;
}

std::string join_flags(const std::vector<std::pair<std::string, std::string>>& flags) {
  std::string out;
  for (const auto& [name, value] : flags) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value;  // pflag reads "--bool false" as a flag and a stray argument
  }
  return out;
}

}  // namespace simcheck::io
