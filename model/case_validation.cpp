// Spec §2 (configuration rules), §3.1 (request fields), §12.2-§12.3 (traces, generator), plus the
// sanity caps of docs/formats.md that keep a valid case from exhausting memory.
#include "model/case_validation.h"

#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "model/arith.h"
#include "model/case_limits.h"

namespace simcheck::model {
namespace {

using Error = std::optional<CaseError>;

std::string text(int64_t v) { return std::to_string(v); }

std::string text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Error fail(std::string field, std::string value, std::string message) {
  return CaseError{std::move(field), std::move(value), std::move(message)};
}

Error require_range(const std::string& field, int64_t v, int64_t lo, int64_t hi,
                    const std::string& rule) {
  if (v < lo || v > hi) return fail(field, text(v), rule);
  return std::nullopt;
}

bool is_integral(double v) { return std::isfinite(v) && std::trunc(v) == v; }

Error validate_coefficients(const std::string& name, const std::array<double, 3>& c) {
  for (size_t i = 0; i < c.size(); ++i) {
    const std::string field = "config." + name + "[" + std::to_string(i) + "]";
    if (!std::isfinite(c[i])) return fail(field, text(c[i]), "must be a finite number");
    if (c[i] < 0) return fail(field, text(c[i]), "must be >= 0");
    if (c[i] > limits::kMaxCoefficient) {
      return fail(field, text(c[i]), "exceeds the sanity cap " + text(limits::kMaxCoefficient));
    }
  }
  return std::nullopt;
}

Error validate_config(const Config& c) {
  const std::string p = "config.";
  if (c.horizon_us <= 0) return fail(p + "horizon_us", text(c.horizon_us), "must be > 0");
  if (auto e = require_range(p + "num_instances", c.num_instances, 1, limits::kMaxInstances,
                             "must be in [1, " + text(limits::kMaxInstances) + "]")) {
    return e;
  }
  if (auto e = require_range(p + "total_kv_blocks", c.total_kv_blocks, 1,
                             limits::kMaxKvBlocksPerInstance,
                             "must be in [1, " + text(limits::kMaxKvBlocksPerInstance) + "]")) {
    return e;
  }
  // Checked as a quotient so that the product cannot overflow.
  if (c.total_kv_blocks > limits::kMaxKvBlocksTotal / c.num_instances) {
    return fail(p + "total_kv_blocks", text(c.total_kv_blocks),
                "num_instances (" + text(int64_t{c.num_instances}) +
                    ") x total_kv_blocks exceeds the sanity cap " +
                    text(limits::kMaxKvBlocksTotal));
  }
  if (auto e = require_range(p + "block_size_tokens", c.block_size_tokens, 1, limits::kMaxBlockSize,
                             "must be in [1, " + text(limits::kMaxBlockSize) + "]")) {
    return e;
  }
  if (c.max_num_seqs <= 0) return fail(p + "max_num_seqs", text(c.max_num_seqs), "must be > 0");
  if (c.max_num_batched_tokens <= 0) {
    return fail(p + "max_num_batched_tokens", text(c.max_num_batched_tokens), "must be > 0");
  }
  if (c.long_prefill_token_threshold < 0) {
    return fail(p + "long_prefill_token_threshold", text(c.long_prefill_token_threshold),
                "must be >= 0");
  }
  if (c.max_model_len < 0) return fail(p + "max_model_len", text(c.max_model_len), "must be >= 0");
  if (c.max_model_len > 0 && ceil_div(c.max_model_len, c.block_size_tokens) > c.total_kv_blocks) {
    return fail(p + "max_model_len", text(c.max_model_len),
                "ceil_div(max_model_len, block_size_tokens) = " +
                    text(ceil_div(c.max_model_len, c.block_size_tokens)) +
                    " exceeds total_kv_blocks (" + text(c.total_kv_blocks) + ")");
  }
  if (auto e = validate_coefficients("alpha", c.alpha)) return e;
  if (auto e = validate_coefficients("beta", c.beta)) return e;
  const std::string time_rule = "must be in [0, " + text(limits::kMaxTimeUs) + "]";
  if (auto e = require_range(p + "post_decode_fixed_overhead_us", c.post_decode_fixed_overhead_us,
                             0, limits::kMaxTimeUs, time_rule)) {
    return e;
  }
  if (auto e = require_range(p + "admission_latency_us", c.admission_latency_us, 0,
                             limits::kMaxTimeUs, time_rule)) {
    return e;
  }
  if (auto e = require_range(p + "routing_latency_us", c.routing_latency_us, 0, limits::kMaxTimeUs,
                             time_rule)) {
    return e;
  }
  if (c.prefill_instances < 0) {
    return fail(p + "prefill_instances", text(int64_t{c.prefill_instances}), "must be >= 0");
  }
  if (c.decode_instances < 0) {
    return fail(p + "decode_instances", text(int64_t{c.decode_instances}), "must be >= 0");
  }
  const bool pd = c.pd_enabled();
  if (pd && c.prefill_instances == 0) {
    return fail(p + "prefill_instances", "0",
                "must be > 0 when decode_instances > 0 (PD needs both pools)");
  }
  if (pd && c.decode_instances == 0) {
    return fail(p + "decode_instances", "0",
                "must be > 0 when prefill_instances > 0 (PD needs both pools)");
  }
  if (int64_t{c.prefill_instances} + c.decode_instances > c.num_instances) {
    return fail(p + "prefill_instances", text(int64_t{c.prefill_instances}),
                "prefill + decode pools (" +
                    text(int64_t{c.prefill_instances} + c.decode_instances) +
                    ") exceed num_instances (" + text(int64_t{c.num_instances}) + ")");
  }
  if (!pd && c.pd_decider == PdDecider::always) {
    return fail(p + "pd_decider", quoted(to_string(c.pd_decider)),
                "\"always\" needs prefill and decode pools");
  }
  if (!std::isfinite(c.pd_transfer_bandwidth_gbps)) {
    return fail(p + "pd_transfer_bandwidth_gbps", text(c.pd_transfer_bandwidth_gbps),
                "must be a finite number");
  }
  if (!std::isfinite(c.pd_transfer_base_latency_ms) || c.pd_transfer_base_latency_ms < 0) {
    return fail(p + "pd_transfer_base_latency_ms", text(c.pd_transfer_base_latency_ms),
                "must be a finite number >= 0");
  }
  if (c.pd_transfer_contention && !pd) {
    return fail(p + "pd_transfer_contention", "true",
                "only legal when PD is enabled (prefill_instances, decode_instances > 0)");
  }
  if (!std::isfinite(c.kv_bytes_per_token) || c.kv_bytes_per_token < 0) {
    return fail(p + "kv_bytes_per_token", text(c.kv_bytes_per_token),
                "must be a finite number >= 0");
  }
  if (pd && c.kv_bytes_per_token <= 0) {
    return fail(p + "kv_bytes_per_token", text(c.kv_bytes_per_token),
                "must be > 0 when PD is enabled");
  }
  if (c.kv_bytes_per_token > limits::kMaxKvBytesPerToken) {
    return fail(p + "kv_bytes_per_token", text(c.kv_bytes_per_token),
                "exceeds the sanity cap " + text(limits::kMaxKvBytesPerToken));
  }
  if (c.driver == Driver::standalone && (c.num_instances != 1 || pd)) {
    return fail(p + "driver", quoted(to_string(c.driver)),
                "the standalone driver needs num_instances = 1 and no PD pools");
  }
  // Appendix A's eras are BLIS's history of the faithful projection; the causal profile has
  // its own projection (Addendum C Δ7), so combining them means nothing.
  if (c.causal() && c.projection != ProjectionEra::current) {
    return fail(p + "projection", quoted(to_string(c.projection)),
                "the causal time profile uses its own projection (Addendum C Δ7); only "
                "\"current\" is allowed with it");
  }
  return std::nullopt;
}

struct TokenSide {
  const char* name;  // "input" or "output"
  TokenFill fill;
  const std::vector<Token>& list;
  int64_t len;
};

// Checks one side (input or output) of a trace request; adds its length to `length`.
Error validate_tokens(const std::string& at, const TokenSide& s, int64_t& length) {
  const std::string list_field = at + "." + s.name;
  const std::string len_field = at + "." + s.name + "_len";
  if (s.fill == TokenFill::explicit_list) {
    if (s.len != 0) {
      return fail(len_field, text(s.len), "cannot be combined with an explicit token list");
    }
    if (s.list.empty()) return fail(list_field, "[]", "must hold at least one token");
    for (size_t k = 0; k < s.list.size(); ++k) {
      if (s.list[k] < 0) {
        return fail(list_field + "[" + std::to_string(k) + "]", text(int64_t{s.list[k]}),
                    "token ids must be in [0, 2147483647]");
      }
    }
    length = static_cast<int64_t>(s.list.size());
    return std::nullopt;
  }
  if (!s.list.empty()) {
    return fail(list_field, "[...]", "an explicit token list needs the explicit fill");
  }
  if (auto e = require_range(len_field, s.len, 1, limits::kMaxTotalTokens,
                             "must be in [1, " + text(limits::kMaxTotalTokens) + "]")) {
    return e;
  }
  length = s.len;
  return std::nullopt;
}

Error validate_trace(const Case& c) {
  const auto& reqs = c.requests;
  if (static_cast<int64_t>(reqs.size()) > limits::kMaxRequests) {
    return fail("requests", text(static_cast<int64_t>(reqs.size())) + " requests",
                "exceeds the sanity cap of " + text(limits::kMaxRequests) + " requests");
  }
  std::set<std::string> ids;
  std::map<std::string, int64_t> group_length;  // prefix_group -> prefix_length
  int64_t total_tokens = 0;
  int64_t max_explicit_token = -1;
  int64_t grouped_tokens = 0;  // tokens the distinct counter will hand out
  for (size_t i = 0; i < reqs.size(); ++i) {
    const TraceRequest& r = reqs[i];
    const std::string at = "requests[" + std::to_string(i) + "]";
    const std::string id = r.id.empty() ? "request_" + std::to_string(i) : r.id;
    if (!ids.insert(id).second) {
      return fail(at + ".id", quoted(id), "duplicate request id (ids must be unique, §3.1)");
    }
    if (auto e = require_range(at + ".arrival_us", r.arrival_us, 0, limits::kMaxTimeUs,
                               "must be in [0, " + text(limits::kMaxTimeUs) + "]")) {
      return e;
    }
    if (i > 0 && r.arrival_us < reqs[i - 1].arrival_us) {
      return fail(at + ".arrival_us", text(r.arrival_us),
                  "arrivals must be non-decreasing (previous request arrives at " +
                      text(reqs[i - 1].arrival_us) + ")");
    }
    int64_t L = 0, N = 0;
    if (auto e = validate_tokens(at, {"input", r.input_fill, r.input, r.input_len}, L)) return e;
    if (auto e = validate_tokens(at, {"output", r.output_fill, r.output, r.output_len}, N)) {
      return e;
    }
    total_tokens += L + N;  // each term <= kMaxTotalTokens, so no overflow before this check
    if (total_tokens > limits::kMaxTotalTokens) {
      return fail(
          at, text(total_tokens) + " tokens so far",
          "the trace exceeds the sanity cap of " + text(limits::kMaxTotalTokens) + " tokens");
    }
    for (const auto* list : {&r.input, &r.output}) {
      for (Token t : *list) max_explicit_token = std::max<int64_t>(max_explicit_token, t);
    }
    if (r.max_output_len) {
      if (auto e = require_range(at + ".max_output_len", *r.max_output_len, 0, limits::kMaxTimeUs,
                                 "must be in [0, " + text(limits::kMaxTimeUs) + "]")) {
        return e;
      }
    }
    if (auto e = require_range(at + ".deadline_us", r.deadline_us, 0, limits::kMaxTimeUs,
                               "must be in [0, " + text(limits::kMaxTimeUs) + "] (0 = none)")) {
      return e;
    }
    if (r.prefix_group.empty()) {
      if (r.prefix_length != 0) {
        return fail(at + ".prefix_length", text(r.prefix_length), "needs a prefix_group");
      }
      continue;
    }
    // §12.2 prefix groups: the group's tokens and the request's other tokens come from the
    // distinct counter, so the request must give its tokens by length.
    if (r.input_fill != TokenFill::random) {
      return fail(at + ".input_fill", r.input_fill == TokenFill::zeros ? "\"zeros\"" : "[...]",
                  "a request with a prefix_group takes its tokens from the group (give "
                  "input_len with the default fill)");
    }
    if (r.output_fill != TokenFill::random) {
      return fail(at + ".output_fill", r.output_fill == TokenFill::zeros ? "\"zeros\"" : "[...]",
                  "a request with a prefix_group gets distinct output tokens (give output_len "
                  "with the default fill)");
    }
    if (auto e = require_range(at + ".prefix_length", r.prefix_length, 1, L,
                               "must be in [1, input_len (" + text(L) + ")]")) {
      return e;
    }
    auto [it, inserted] = group_length.emplace(r.prefix_group, r.prefix_length);
    if (!inserted && it->second != r.prefix_length) {
      return fail(at + ".prefix_length", text(r.prefix_length),
                  "differs from the prefix_length (" + text(it->second) + ") of group " +
                      quoted(r.prefix_group));
    }
    grouped_tokens += (inserted ? r.prefix_length : 0) + (L - r.prefix_length) + N;
  }
  // Distinct-counter tokens start above every random draw and every explicit token id; they
  // must stay inside the Token range.
  if (grouped_tokens > 0) {
    const int64_t first = std::max<int64_t>(limits::kRandomTokenRange, max_explicit_token + 1);
    if (first + grouped_tokens - 1 > limits::kMaxTokenId) {
      return fail("requests", text(max_explicit_token),
                  "explicit token ids leave no room for the distinct prefix-group tokens "
                  "(they must stay below 2147483647)");
    }
  }
  if (c.config.pd_enabled()) {
    // PD sub-requests are named <id>_prefill and <id>_decode (§3.3); they must not collide.
    for (size_t i = 0; i < reqs.size(); ++i) {
      const std::string id = reqs[i].id.empty() ? "request_" + std::to_string(i) : reqs[i].id;
      for (const char* suffix : {"_prefill", "_decode"}) {
        if (ids.count(id + suffix)) {
          return fail("requests[" + std::to_string(i) + "].id", quoted(id),
                      "with PD enabled its sub-request id " + quoted(id + suffix) +
                          " collides with another request's id");
        }
      }
    }
  }
  return std::nullopt;
}

// Largest length a sampler can return (for the memory cap); 0 if the parameters are invalid.
Error validate_dist(const std::string& at, const LengthDist& d, double& max_len) {
  auto length_param = [&](const char* name, double v, double lo) -> Error {
    if (!is_integral(v) || v < lo || v > static_cast<double>(limits::kMaxTotalTokens)) {
      return fail(
          at + "." + name, text(v),
          "must be an integer in [" + text(lo) + ", " + text(limits::kMaxTotalTokens) + "]");
    }
    return std::nullopt;
  };
  switch (d.kind) {
    case LengthKind::constant:
      if (auto e = length_param("value", d.value, 1)) return e;
      max_len = d.value;
      return std::nullopt;
    case LengthKind::gaussian:
      if (!std::isfinite(d.mean) || std::fabs(d.mean) > limits::kMaxTotalTokens) {
        return fail(at + ".mean", text(d.mean),
                    "must be a finite number within +-" + text(limits::kMaxTotalTokens));
      }
      if (!std::isfinite(d.sd) || d.sd < 0 || d.sd > limits::kMaxTotalTokens) {
        return fail(at + ".sd", text(d.sd),
                    "must be a finite number in [0, " + text(limits::kMaxTotalTokens) + "]");
      }
      if (auto e = length_param("min", d.min, 1)) return e;
      if (auto e = length_param("max", d.max, 1)) return e;
      if (d.min > d.max)
        return fail(at + ".min", text(d.min), "must be <= max (" + text(d.max) + ")");
      max_len = d.max;
      return std::nullopt;
    case LengthKind::exponential:
      if (!std::isfinite(d.mean) || d.mean <= 0 || d.mean > limits::kMaxTotalTokens) {
        return fail(at + ".mean", text(d.mean),
                    "must be a finite number in (0, " + text(limits::kMaxTotalTokens) + "]");
      }
      if (auto e = length_param("min", d.min, 0)) return e;
      if (auto e = length_param("max", d.max, 0)) return e;
      if (d.min > 0 && d.max > 0 && d.min > d.max) {
        return fail(at + ".min", text(d.min), "must be <= max (" + text(d.max) + ")");
      }
      // exp1() = -log(1 - u) <= -log(2^-53) < 37, so without a max the draw stays below 37 mean.
      max_len = d.max > 0 ? d.max : std::max(d.min, std::ceil(37.0 * d.mean));
      return std::nullopt;
  }
  return fail(at + ".kind", "?", "unknown length distribution");
}

Error validate_workload(const Case& c) {
  const Workload& w = *c.workload;
  const std::string p = "workload.";
  if (!c.requests.empty()) {
    return fail("requests", "[...]", "a case gives either requests or a workload, not both");
  }
  if (!std::isfinite(w.aggregate_rate) || w.aggregate_rate <= 0) {
    return fail(p + "aggregate_rate", text(w.aggregate_rate), "must be a finite number > 0");
  }
  if (auto e = require_range(p + "max_requests", w.max_requests, 0, limits::kMaxRequests,
                             "must be in [0, " + text(limits::kMaxRequests) + "]")) {
    return e;
  }
  if (w.max_requests == 0 && c.config.horizon_us == kNoHorizon) {
    return fail(p + "max_requests", "0", "must be > 0 unless config.horizon_us is finite");
  }
  if (w.clients.empty()) return fail(p + "clients", "[]", "needs at least one client");
  double fraction_sum = 0;
  for (size_t i = 0; i < w.clients.size(); ++i) {
    const Client& cl = w.clients[i];
    const std::string at = p + "clients[" + std::to_string(i) + "]";
    if (!std::isfinite(cl.rate_fraction) || cl.rate_fraction < 0) {
      return fail(at + ".rate_fraction", text(cl.rate_fraction), "must be a finite number >= 0");
    }
    fraction_sum += cl.rate_fraction;
  }
  if (!(fraction_sum > 0) || !std::isfinite(fraction_sum)) {
    return fail(p + "clients", text(fraction_sum),
                "the sum of rate_fraction must be finite and > 0");
  }
  // Memory bound: every client emits at most 2 max_requests requests (§12.3 loop), or, with a
  // finite horizon and no max_requests, about horizon x rate; twice that is used as the bound.
  double bound_requests = 0;
  double bound_tokens = 0;
  std::set<std::string> groups;
  for (size_t i = 0; i < w.clients.size(); ++i) {
    const Client& cl = w.clients[i];
    const std::string at = p + "clients[" + std::to_string(i) + "]";
    double in_max = 0, out_max = 0;
    if (auto e = validate_dist(at + ".input_dist", cl.input_dist, in_max)) return e;
    if (auto e = validate_dist(at + ".output_dist", cl.output_dist, out_max)) return e;
    if (auto e = require_range(at + ".timeout_us", cl.timeout_us, 0, limits::kMaxTimeUs,
                               "must be in [0, " + text(limits::kMaxTimeUs) + "] (0 = none)")) {
      return e;
    }
    double prefix = 0;
    if (cl.prefix_group.empty()) {
      if (cl.prefix_length) {
        return fail(at + ".prefix_length", text(*cl.prefix_length), "needs a prefix_group");
      }
    } else {
      if (cl.prefix_length) {
        if (auto e =
                require_range(at + ".prefix_length", *cl.prefix_length, 1, limits::kMaxTotalTokens,
                              "must be in [1, " + text(limits::kMaxTotalTokens) + "]")) {
          return e;
        }
      }
      prefix = static_cast<double>(cl.prefix_length.value_or(limits::kDefaultPrefixLength));
      if (groups.insert(cl.prefix_group).second) bound_tokens += prefix;
    }
    if (cl.rate_fraction == 0) continue;
    double count;
    if (w.max_requests > 0) {
      count = 2.0 * static_cast<double>(w.max_requests);
    } else {
      const double rate_per_us = w.aggregate_rate * (cl.rate_fraction / fraction_sum) / 1e6;
      count = std::min(static_cast<double>(c.config.horizon_us),
                       2.0 * static_cast<double>(c.config.horizon_us) * rate_per_us + 1000.0);
    }
    bound_requests += count;
    bound_tokens += count * (prefix + std::max(1.0, in_max) + std::max(1.0, out_max));
  }
  if (bound_requests > 2.0 * static_cast<double>(limits::kMaxRequests)) {
    return fail(p + "max_requests", text(w.max_requests),
                "the generator could emit about " + text(bound_requests) +
                    " requests, above the sanity cap of " + text(2 * limits::kMaxRequests));
  }
  if (bound_tokens > static_cast<double>(limits::kMaxTotalTokens)) {
    return fail(p + "clients", text(bound_tokens) + " tokens",
                "the generator could emit more than the sanity cap of " +
                    text(limits::kMaxTotalTokens) + " tokens");
  }
  return std::nullopt;
}

}  // namespace

std::optional<CaseError> validate_case(const Case& c) {
  if (auto e = validate_config(c.config)) return e;
  if (c.workload) return validate_workload(c);
  return validate_trace(c);
}

}  // namespace simcheck::model
