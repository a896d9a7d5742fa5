// Spec §10.6, §1.3: BLIS replay results -> model::RunOutput (see blis_replay_reader.h).
#include "io/blis_replay_reader.h"

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "io/exact_decimal.h"
#include "io/json_lexeme.h"

namespace simcheck::io {
namespace {

struct Cell {
  const NamedText& file;
  const LexJson& object;
  std::string prefix;
  std::optional<InputError>& error;

  std::optional<Decimal> number(const char* key, bool required) {
    const LexJson* v = object.find(key);
    if (!v) {
      if (required && !error) error = InputError{file.name, prefix + key, "", "missing"};
      return std::nullopt;
    }
    std::optional<Decimal> d;
    if (v->kind == LexJson::Kind::number) d = parse_decimal(v->text);
    if (!d && !error) {
      error =
          InputError{file.name, prefix + key,
                     excerpt(v->kind == LexJson::Kind::number || v->kind == LexJson::Kind::string
                                 ? v->text
                                 : to_string(v->kind)),
                     "expected a number"};
    }
    return d;
  }
  std::optional<int64_t> integer(const char* key, bool required) {
    auto d = number(key, required);
    if (!d) return std::nullopt;
    auto i = to_int64(*d);
    if (!i && !error)
      error = InputError{file.name, prefix + key, to_string(*d), "expected an integer"};
    return i;
  }
};

}  // namespace

bool looks_like_blis_replay_results(std::string_view text) {
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || text[i] != '[') return false;
  i = text.find_first_not_of(" \t\r\n", i + 1);
  if (i == std::string_view::npos) return false;
  if (text[i] == ']') return true;  // an empty result list
  if (text[i] != '{') return false;
  i = text.find_first_not_of(" \t\r\n", i + 1);
  constexpr std::string_view kKey = "\"request_id\"";
  return i != std::string_view::npos && text.substr(i, kKey.size()) == kKey;
}

std::variant<model::RunOutput, InputError> parse_blis_replay_results(const NamedText& file) {
  LexJsonError jerr;
  auto json = parse_lex_json(file.text, jerr);
  if (!json) {
    return InputError{file.name, "byte " + std::to_string(jerr.byte_offset), "",
                      "invalid JSON: " + jerr.message};
  }
  if (json->kind != LexJson::Kind::array) {
    return InputError{file.name, "(document)", to_string(json->kind), "expected a JSON array"};
  }
  model::RunOutput out;
  out.source = "blis";
  out.missing_fields = {"instances",
                        "pd",
                        "aggregate.counters",
                        "aggregate.statistics",
                        "aggregate.maps.sched_delay",
                        "aggregate.maps.requests_meta.arrived_at_s",
                        "aggregate.maps.requests_meta.handled_by",
                        "aggregate.maps.requests_meta.length_capped"};
  std::vector<std::string> ids;
  std::optional<InputError> error;
  // Records come in BLIS's order ("request_10" sorts before "request_2"): the entries are
  // collected, a hash set spots the duplicates (the first record wins, a warning in record
  // order), and each map is sorted once at the end (IdMap::from_entries).
  std::vector<std::pair<model::Id, model::RequestMeta>> meta_entries;
  std::vector<std::pair<model::Id, double>> ttft_entries, e2e_entries, itl_entries;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < json->items.size(); ++i) {
    const LexJson& item = json->items[i];
    const std::string prefix = "[" + std::to_string(i) + "].";
    if (item.kind != LexJson::Kind::object) {
      return InputError{file.name, prefix.substr(0, prefix.size() - 1), to_string(item.kind),
                        "expected a JSON object"};
    }
    Cell c{file, item, prefix, error};
    auto number = c.integer("request_id", true);
    auto ttft = c.number("ttft_us", true);
    auto e2e = c.number("e2e_us", true);
    auto in = c.integer("input_tokens", true);
    auto outp = c.integer("output_tokens", true);
    auto itl = c.number("itl_mean_us", false);  // omitted when zero ("omitempty")
    if (error) return *error;
    const std::string id = "request_" + std::to_string(*number);
    ids.push_back(id);
    if (!seen.insert(id).second) {
      out.warnings.push_back("duplicate request_id " + std::to_string(*number) +
                             ": the first record is used");
      continue;
    }
    model::RequestMeta meta;
    meta.num_prefill_tokens = *in;
    meta.num_decode_tokens = *outp;
    meta_entries.emplace_back(id, std::move(meta));
    // As in the metrics file, 0 stands for "no entry" (a real TTFT or E2E is >= 1 µs).
    if (!ttft->is_zero()) ttft_entries.emplace_back(id, to_double(*ttft));
    if (!e2e->is_zero()) {
      e2e_entries.emplace_back(id, to_double(*e2e));
      itl_entries.emplace_back(id, itl ? to_double(*itl) : 0.0);
    }
  }
  auto& maps = out.aggregate.maps;
  maps.requests_meta = model::IdMap<model::RequestMeta>::from_entries(std::move(meta_entries));
  maps.ttft = model::IdMap<double>::from_entries(std::move(ttft_entries));
  maps.e2e = model::IdMap<double>::from_entries(std::move(e2e_entries));
  maps.itl_avg = model::IdMap<double>::from_entries(std::move(itl_entries));
  out.request_record_ids = std::move(ids);
  return out;
}

std::variant<model::RunOutput, InputError> read_blis_replay_results(const std::string& path) {
  InputError error;
  auto text = read_text_file(path, error);
  if (!text) return error;
  return parse_blis_replay_results(NamedText{path, std::move(*text)});
}

}  // namespace simcheck::io
