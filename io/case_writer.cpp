// docs/formats.md "simcheck-case/1": model::Case -> canonical JSON (spec §2, §12.2, §12.3).
#include "io/case_writer.h"

#include "io/case_reader.h"
#include "io/config_json.h"
#include "io/json_pretty.h"

namespace simcheck::io {
namespace {

using model::TokenFill;
using nlohmann::json;

void put_tokens(json& j, const std::string& side, TokenFill fill,
                const std::vector<model::Token>& list, int64_t len) {
  if (fill == TokenFill::explicit_list) {
    j[side] = list;
    return;
  }
  j[side + "_len"] = len;
  if (fill == TokenFill::zeros) j[side + "_fill"] = "zeros";  // random is the default
}

json request_to_json(const model::TraceRequest& r) {
  json j = json::object();
  if (!r.id.empty()) j["id"] = r.id;
  j["arrival_us"] = r.arrival_us;
  put_tokens(j, "input", r.input_fill, r.input, r.input_len);
  put_tokens(j, "output", r.output_fill, r.output, r.output_len);
  if (r.max_output_len) j["max_output_len"] = *r.max_output_len;
  if (r.deadline_us != 0) j["deadline_us"] = r.deadline_us;
  if (!r.prefix_group.empty()) j["prefix_group"] = r.prefix_group;
  if (r.prefix_length != 0) j["prefix_length"] = r.prefix_length;
  return j;
}

json dist_to_json(const model::LengthDist& d) {
  switch (d.kind) {
    case model::LengthKind::constant:
      return {{"kind", "constant"}, {"value", d.value}};
    case model::LengthKind::gaussian:
      return {{"kind", "gaussian"}, {"mean", d.mean}, {"sd", d.sd}, {"min", d.min}, {"max", d.max}};
    case model::LengthKind::exponential: {
      json j = {{"kind", "exponential"}, {"mean", d.mean}};
      if (d.min != 0) j["min"] = d.min;
      if (d.max != 0) j["max"] = d.max;
      return j;
    }
  }
  return json::object();
}

bool same_dist(const model::LengthDist& a, const model::LengthDist& b) {
  return dist_to_json(a) == dist_to_json(b);
}

json client_to_json(const model::Client& c) {
  json j = json::object();
  if (c.rate_fraction != 1.0) j["rate_fraction"] = c.rate_fraction;
  if (c.arrival == model::ArrivalProcess::poisson) j["arrival"] = "poisson";
  const model::LengthDist blis_default = default_length_dist();
  if (!same_dist(c.input_dist, blis_default)) j["input_dist"] = dist_to_json(c.input_dist);
  if (!same_dist(c.output_dist, blis_default)) j["output_dist"] = dist_to_json(c.output_dist);
  if (!c.prefix_group.empty()) j["prefix_group"] = c.prefix_group;
  if (c.prefix_length) j["prefix_length"] = *c.prefix_length;
  if (c.timeout_us != 0) j["timeout_us"] = c.timeout_us;
  return j;
}

}  // namespace

json case_to_json(const model::Case& c) {
  json j = json::object();
  j["format"] = kCaseFormat;
  j["seed"] = c.seed;
  j["config"] = config_to_json(c.config, /*include_defaults=*/false);
  if (c.workload) {
    json w = json::object();
    w["aggregate_rate"] = c.workload->aggregate_rate;
    if (c.workload->max_requests != 0) w["max_requests"] = c.workload->max_requests;
    w["clients"] = json::array();
    for (const auto& client : c.workload->clients) w["clients"].push_back(client_to_json(client));
    j["workload"] = w;
  } else {
    j["requests"] = json::array();
    for (const auto& r : c.requests) j["requests"].push_back(request_to_json(r));
  }
  return j;
}

std::string write_case(const model::Case& c) { return pretty_json(case_to_json(c)); }

model::Case explicit_case(const model::Case& c, const model::Trace& trace) {
  model::Case out;
  out.seed = c.seed;
  out.config = c.config;
  out.requests.reserve(trace.size());
  for (const auto& r : trace) {
    model::TraceRequest t;
    t.id = r.id;
    t.arrival_us = r.arrival;
    t.input_fill = TokenFill::explicit_list;
    t.input = r.input;
    t.output_fill = TokenFill::explicit_list;
    t.output = r.output;
    t.max_output_len = r.max_output_len;
    t.deadline_us = r.deadline;
    out.requests.push_back(std::move(t));
  }
  return out;
}

}  // namespace simcheck::io
