// docs/formats.md "simcheck-case/1": case JSON -> model::Case (spec §2, §3, §12.2, §12.3), then
// model::validate_case. Errors are values; nothing escapes as an exception.
#include "io/case_reader.h"

#include <limits>

#include "io/config_json.h"
#include "io/json_fields.h"
#include "io/json_lexeme.h"
#include "model/case_validation.h"

namespace simcheck::io {
namespace {

using namespace json_fields;
using model::Case;
using model::TokenFill;

model::Token token_from_json(const LexJson& v, const std::string& path) {
  const int64_t t = to_int64(v, path);
  if (t < 0 || t > std::numeric_limits<model::Token>::max()) {
    throw FieldError{path, render(v), "token ids must be in [0, 2147483647]"};
  }
  return static_cast<model::Token>(t);
}

// One side of a trace request: `<side>` (explicit list) or `<side>_len` with `<side>_fill`.
void read_tokens(ObjectReader& o, const std::string& side, TokenFill& fill,
                 std::vector<model::Token>& list, int64_t& len) {
  const std::string len_key = side + "_len";
  const std::string fill_key = side + "_fill";
  const LexJson* explicit_list = o.optional(side);
  const LexJson* length = o.optional(len_key);
  const LexJson* fill_mode = o.optional(fill_key);
  if (explicit_list && length) {
    throw FieldError{o.path(len_key), render(*length),
                     "give either " + side + " (token list) or " + len_key + ", not both"};
  }
  if (explicit_list) {
    if (fill_mode) {
      throw FieldError{o.path(fill_key), render(*fill_mode),
                       "a fill applies only to " + len_key + ", not to an explicit list"};
    }
    fill = TokenFill::explicit_list;
    const auto& items = to_array(*explicit_list, o.path(side));
    list.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      list.push_back(token_from_json(items[i], index(o.path(side), i)));
    }
    return;
  }
  if (!length) {
    throw FieldError{o.path(len_key), "", "required: give " + side + " or " + len_key};
  }
  len = to_int64(*length, o.path(len_key));
  fill = TokenFill::random;
  if (fill_mode) {
    const std::string f = to_string(*fill_mode, o.path(fill_key));
    if (f == "zeros") {
      fill = TokenFill::zeros;
    } else if (f != "random") {
      throw FieldError{o.path(fill_key), render(*fill_mode),
                       "must be one of \"zeros\", \"random\""};
    }
  }
}

model::TraceRequest request_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  model::TraceRequest r;
  if (const LexJson* x = o.optional("id")) {
    r.id = to_string(*x, o.path("id"));
    if (r.id.empty()) throw FieldError{o.path("id"), "\"\"", "must not be empty (omit it instead)"};
  }
  r.arrival_us = to_int64(o.required("arrival_us"), o.path("arrival_us"));
  read_tokens(o, "input", r.input_fill, r.input, r.input_len);
  read_tokens(o, "output", r.output_fill, r.output, r.output_len);
  if (const LexJson* x = o.optional("max_output_len")) {
    r.max_output_len = to_int64(*x, o.path("max_output_len"));
  }
  if (const LexJson* x = o.optional("deadline_us")) {
    r.deadline_us = to_int64(*x, o.path("deadline_us"));
  }
  if (const LexJson* x = o.optional("prefix_group")) {
    r.prefix_group = to_string(*x, o.path("prefix_group"));
    if (r.prefix_group.empty()) {
      throw FieldError{o.path("prefix_group"), "\"\"", "must not be empty (omit it instead)"};
    }
  }
  if (const LexJson* x = o.optional("prefix_length")) {
    r.prefix_length = to_int64(*x, o.path("prefix_length"));
  }
  o.reject_unknown();
  return r;
}

model::LengthDist dist_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  model::LengthDist d;
  const std::string kind = to_string(o.required("kind"), o.path("kind"));
  auto number = [&](const char* key) { return to_double(o.required(key), o.path(key)); };
  if (kind == "constant") {
    d.kind = model::LengthKind::constant;
    d.value = number("value");
  } else if (kind == "gaussian") {
    d.kind = model::LengthKind::gaussian;
    d.mean = number("mean");
    d.sd = number("sd");
    d.min = number("min");
    d.max = number("max");
  } else if (kind == "exponential") {
    d.kind = model::LengthKind::exponential;
    d.mean = number("mean");
    if (const LexJson* x = o.optional("min")) d.min = to_double(*x, o.path("min"));
    if (const LexJson* x = o.optional("max")) d.max = to_double(*x, o.path("max"));
  } else {
    throw FieldError{o.path("kind"), render(*o.optional("kind")),
                     "must be one of \"constant\", \"gaussian\", \"exponential\""};
  }
  o.reject_unknown();
  return d;
}

model::Client client_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  model::Client c;
  c.input_dist = default_length_dist();
  c.output_dist = default_length_dist();
  if (const LexJson* x = o.optional("rate_fraction")) {
    c.rate_fraction = to_double(*x, o.path("rate_fraction"));
  }
  if (const LexJson* x = o.optional("arrival")) {
    const std::string a = to_string(*x, o.path("arrival"));
    if (a == "constant") {
      c.arrival = model::ArrivalProcess::constant;
    } else if (a == "poisson") {
      c.arrival = model::ArrivalProcess::poisson;
    } else {
      throw FieldError{o.path("arrival"), render(*x), "must be one of \"constant\", \"poisson\""};
    }
  }
  if (const LexJson* x = o.optional("input_dist")) {
    c.input_dist = dist_from_json(*x, o.path("input_dist"));
  }
  if (const LexJson* x = o.optional("output_dist")) {
    c.output_dist = dist_from_json(*x, o.path("output_dist"));
  }
  if (const LexJson* x = o.optional("prefix_group")) {
    c.prefix_group = to_string(*x, o.path("prefix_group"));
    if (c.prefix_group.empty()) {
      throw FieldError{o.path("prefix_group"), "\"\"", "must not be empty (omit it instead)"};
    }
  }
  if (const LexJson* x = o.optional("prefix_length")) {
    c.prefix_length = to_int64(*x, o.path("prefix_length"));
  }
  if (const LexJson* x = o.optional("timeout_us"))
    c.timeout_us = to_int64(*x, o.path("timeout_us"));
  o.reject_unknown();
  return c;
}

model::Workload workload_from_json(const LexJson& v, const std::string& path) {
  ObjectReader o(v, path);
  model::Workload w;
  w.aggregate_rate = to_double(o.required("aggregate_rate"), o.path("aggregate_rate"));
  if (const LexJson* x = o.optional("max_requests")) {
    w.max_requests = to_int64(*x, o.path("max_requests"));
  }
  if (const LexJson* x = o.optional("clients")) {
    const auto& items = to_array(*x, o.path("clients"));
    for (std::size_t i = 0; i < items.size(); ++i) {
      w.clients.push_back(client_from_json(items[i], index(o.path("clients"), i)));
    }
  } else {
    // §12.3: BLIS's CLI default is one client with constant arrivals and Gaussian lengths.
    model::Client c;
    c.input_dist = default_length_dist();
    c.output_dist = default_length_dist();
    w.clients.push_back(c);
  }
  o.reject_unknown();
  return w;
}

Case case_from_json(const LexJson& root) {
  ObjectReader o(root, "");
  const LexJson& format = o.required("format");
  if (to_string(format, "format") != kCaseFormat) {
    throw FieldError{"format", render(format), std::string("must be \"") + kCaseFormat + "\""};
  }
  if (const LexJson* x = o.optional("description")) to_string(*x, "description");
  Case c;
  if (const LexJson* x = o.optional("seed")) c.seed = to_int64(*x, "seed");
  c.config = config_from_json(o.required("config"), "config");
  const LexJson* requests = o.optional("requests");
  const LexJson* workload = o.optional("workload");
  if (requests && workload) {
    throw FieldError{"workload", "{...}", "give either requests or workload, not both"};
  }
  if (!requests && !workload) {
    throw FieldError{"requests", "", "required: give requests (a trace) or workload (a generator)"};
  }
  if (requests) {
    const auto& items = to_array(*requests, "requests");
    c.requests.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      c.requests.push_back(request_from_json(items[i], index("requests", i)));
    }
  } else {
    c.workload = workload_from_json(*workload, "workload");
  }
  o.reject_unknown();
  return c;
}

}  // namespace

model::LengthDist default_length_dist() {
  model::LengthDist d;
  d.kind = model::LengthKind::gaussian;
  d.mean = 512;
  d.sd = 256;
  d.min = 2;
  d.max = 7000;
  return d;
}

CaseReadResult parse_case(std::string_view text, const std::string& file) {
  LexJsonError lex_error;
  const std::optional<LexJson> root = parse_lex_json(text, lex_error);
  if (!root) return syntax_error(text, lex_error, file);
  Case c;
  try {
    c = case_from_json(*root);
  } catch (const FieldError& e) {
    return InputError{file, e.field.empty() ? "(document)" : e.field, e.value, e.message};
  } catch (const std::exception& e) {  // e.g. std::bad_alloc on a huge document
    return InputError{file, "", "", std::string("cannot read the case: ") + e.what()};
  }
  if (auto e = model::validate_case(c)) return InputError{file, e->field, e->value, e->message};
  return c;
}

CaseReadResult read_case(const std::string& path) {
  InputError error;
  const std::optional<std::string> text = read_text_file(path, error, std::size_t{1} << 31);
  if (!text) return error;
  return parse_case(*text, path);
}

}  // namespace simcheck::io
