// Spec §10.1-§10.6, §1.3: BLIS metrics JSON + stdout -> model::RunOutput (docs/oracle.md has the
// field-by-field mapping and the reconstruction rules implemented here).
#include "io/blis_metrics_reader.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <unordered_set>
#include <vector>

#include "io/exact_decimal.h"
#include "io/json_lexeme.h"

namespace simcheck::io {
namespace {

using model::RunOutput;

constexpr std::string_view kMetricsMarker = "=== Simulation Metrics ===";
constexpr std::string_view kPdMarker = "=== PD Metrics ===";

// Reads typed fields of one JSON object; the first problem is kept as the error.
class FieldReader {
 public:
  FieldReader(const LexJson& object, std::string file, std::string prefix,
              std::optional<InputError>& error)
      : object_(object), file_(std::move(file)), prefix_(std::move(prefix)), error_(error) {}

  const LexJson* get(std::string_view key, bool required) {
    const LexJson* v = object_.find(key);
    if (!v && required) fail(key, "", "missing");
    return v;
  }

  std::optional<Decimal> decimal(std::string_view key, bool required = true) {
    const LexJson* v = get(key, required);
    if (!v) return std::nullopt;
    if (v->kind != LexJson::Kind::number) {
      fail(key, shown(*v), std::string("expected a number, found ") + to_string(v->kind));
      return std::nullopt;
    }
    auto d = parse_decimal(v->text);
    if (!d) fail(key, v->text, "not a decimal literal within the supported range");
    return d;
  }

  std::optional<int64_t> integer(std::string_view key, bool required = true) {
    auto d = decimal(key, required);
    if (!d) return std::nullopt;
    auto i = to_int64(*d);
    if (!i) fail(key, to_string(*d), "expected an integer within int64");
    return i;
  }

  // A decimal in `unit_power10` units converted to integer µs exactly (ms: 3, s: 6).
  std::optional<int64_t> micros(std::string_view key, int unit_power10, bool required = true) {
    auto d = decimal(key, required);
    if (!d) return std::nullopt;
    auto i = to_int64(scaled(*d, unit_power10));
    if (!i) {
      fail(key, to_string(*d),
           "not an integer number of microseconds (BLIS derives it from integer µs ticks)");
    }
    return i;
  }

  std::optional<double> real(std::string_view key, bool required = true) {
    auto d = decimal(key, required);
    if (!d) return std::nullopt;
    return to_double(*d);
  }

  std::optional<std::string> text(std::string_view key, bool required = true) {
    const LexJson* v = get(key, required);
    if (!v) return std::nullopt;
    if (v->kind != LexJson::Kind::string) {
      fail(key, shown(*v), std::string("expected a string, found ") + to_string(v->kind));
      return std::nullopt;
    }
    return v->text;
  }

  void fail(std::string_view key, const std::string& value, const std::string& message) {
    if (!error_) error_ = InputError{file_, prefix_ + std::string(key), excerpt(value), message};
  }

 private:
  static std::string shown(const LexJson& v) {
    if (v.kind == LexJson::Kind::number || v.kind == LexJson::Kind::string) return v.text;
    return to_string(v.kind);
  }

  const LexJson& object_;
  std::string file_;
  std::string prefix_;
  std::optional<InputError>& error_;
};

// One `=== Simulation Metrics ===` block, or the top level of the metrics file.
struct BlisBlock {
  std::string instance_id;
  model::Counters counters;
  model::Statistics statistics;
  bool has_cache_hit_rate = false;
  std::map<std::string, std::string> literals;  // every scalar member, verbatim (cross-checks)
};

struct BlisRequest {
  std::string id;
  int64_t arrival_us = 0;
  double arrived_at_s = 0;
  int64_t num_prefill_tokens = 0;
  int64_t num_decode_tokens = 0;
  int64_t ttft_us = 0;
  int64_t e2e_us = 0;
  double itl_avg_us = 0;
  int64_t sched_delay_us = 0;
  std::string handled_by;
};

// The `=== PD Metrics ===` section: its presence says the run was PD. Its numbers are summaries
// (rounded prints) or, for "Dropped at Decode KV", a metric unrelated to the §10.3 counter (A15);
// they are validated for form only.
struct PdSection {
  int64_t disaggregated_requests = 0;
  int64_t dropped_at_decode_kv_summary = 0;
};

constexpr std::array<std::pair<const char*, int64_t model::Counters::*>, 9> kCounterFields{{
    {"completed_requests", &model::Counters::completed},
    {"still_queued", &model::Counters::still_queued},
    {"still_running", &model::Counters::still_running},
    {"total_input_tokens", &model::Counters::total_input_tokens},
    {"total_output_tokens", &model::Counters::total_output_tokens},
    {"preemption_count", &model::Counters::preemption_count},
    {"dropped_unservable", &model::Counters::dropped_unservable},
    {"length_capped_requests", &model::Counters::length_capped_count},
    {"timed_out_requests", &model::Counters::timed_out},
}};

constexpr std::array<std::pair<const char*, double model::Statistics::*>, 15> kStatisticFields{{
    {"responses_per_sec", &model::Statistics::responses_per_sec},
    {"tokens_per_sec", &model::Statistics::tokens_per_sec},
    {"e2e_mean_ms", &model::Statistics::e2e_mean_ms},
    {"e2e_p90_ms", &model::Statistics::e2e_p90_ms},
    {"e2e_p95_ms", &model::Statistics::e2e_p95_ms},
    {"e2e_p99_ms", &model::Statistics::e2e_p99_ms},
    {"ttft_mean_ms", &model::Statistics::ttft_mean_ms},
    {"ttft_p90_ms", &model::Statistics::ttft_p90_ms},
    {"ttft_p95_ms", &model::Statistics::ttft_p95_ms},
    {"ttft_p99_ms", &model::Statistics::ttft_p99_ms},
    {"itl_mean_ms", &model::Statistics::itl_mean_ms},
    {"itl_p90_ms", &model::Statistics::itl_p90_ms},
    {"itl_p95_ms", &model::Statistics::itl_p95_ms},
    {"itl_p99_ms", &model::Statistics::itl_p99_ms},
    {"scheduling_delay_p99_ms", &model::Statistics::scheduling_delay_p99_ms},
}};

// The mean ITL is not an integer number of µs: BLIS printed ms = RN(a / 1000) of its binary64 µs
// value a. The double nearest to the literal's exact µs value (a shift of the decimal point, one
// rounding) is a or one of its neighbours; the candidate that BLIS's own division maps back to
// the printed double is a. (Taking the nearest double alone is off by one ulp for about one
// request in ten, which the exact ITL laws would report as a violation: rounding noise.)
double itl_micros(const Decimal& ms) {
  const double printed = to_double(ms);
  const Decimal us = scaled(ms, 3);
  const double nearest = to_double(us);
  if (!std::isfinite(nearest) || nearest / 1000 == printed) return nearest;
  const long double exact = std::strtold(to_string(us).c_str(), nullptr);
  double best = nearest;
  long double best_distance = -1;
  for (double c : {std::nextafter(nearest, -HUGE_VAL), std::nextafter(nearest, HUGE_VAL)}) {
    if (c / 1000 != printed) continue;
    const long double distance = std::fabs(static_cast<long double>(c) - exact);
    if (best_distance < 0 || distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  return best;
}

std::optional<BlisBlock> read_block(const LexJson& object, const std::string& file,
                                    const std::string& prefix, std::optional<InputError>& error) {
  if (object.kind != LexJson::Kind::object) {
    error = InputError{file, prefix.empty() ? "(document)" : prefix, to_string(object.kind),
                       "expected a JSON object"};
    return std::nullopt;
  }
  FieldReader r(object, file, prefix, error);
  BlisBlock b;
  if (auto id = r.text("instance_id")) b.instance_id = *id;
  for (const auto& [name, member] : kCounterFields) {
    if (auto v = r.integer(name)) b.counters.*member = *v;
  }
  if (auto v = r.integer("injected_requests")) b.statistics.injected_requests = *v;
  if (auto v = r.integer("kv_allocation_failures", false)) b.counters.kv_allocation_failures = *v;
  // vllm_estimated_duration_s = SimEndedTime / 1e6 (§10.5): back to integer µs, exactly.
  if (auto v = r.micros("vllm_estimated_duration_s", 6)) b.counters.sim_ended = *v;
  for (const auto& [name, member] : kStatisticFields) {
    if (auto v = r.real(name)) b.statistics.*member = *v;
  }
  if (r.get("cache_hit_rate", false)) {
    if (auto v = r.real("cache_hit_rate")) {
      b.counters.cache_hit_rate = *v;
      b.has_cache_hit_rate = true;
    }
  }
  for (const auto& [key, value] : object.members) {
    if (value.kind == LexJson::Kind::number || value.kind == LexJson::Kind::string) {
      b.literals[key] = value.text;
    }
  }
  if (error) return std::nullopt;
  return b;
}

std::optional<BlisRequest> read_request(const LexJson& object, const std::string& file,
                                        std::size_t index, std::optional<InputError>& error) {
  const std::string prefix = "requests[" + std::to_string(index) + "].";
  if (object.kind != LexJson::Kind::object) {
    error = InputError{file, prefix.substr(0, prefix.size() - 1), to_string(object.kind),
                       "expected a JSON object"};
    return std::nullopt;
  }
  FieldReader r(object, file, prefix, error);
  BlisRequest q;
  if (auto v = r.text("requestID")) q.id = *v;
  if (auto v = r.micros("arrived_at", 6)) q.arrival_us = *v;
  if (auto v = r.real("arrived_at")) q.arrived_at_s = *v;
  if (auto v = r.integer("num_prefill_tokens")) q.num_prefill_tokens = *v;
  if (auto v = r.integer("num_decode_tokens")) q.num_decode_tokens = *v;
  if (auto v = r.micros("ttft_ms", 3)) q.ttft_us = *v;
  if (auto v = r.micros("e2e_ms", 3)) q.e2e_us = *v;
  if (auto v = r.micros("scheduling_delay_ms", 3)) q.sched_delay_us = *v;
  if (auto v = r.decimal("itl_ms")) q.itl_avg_us = itl_micros(*v);
  if (auto v = r.text("handled_by")) q.handled_by = *v;
  if (!error && q.id.empty()) r.fail("requestID", "", "empty request id");
  if (error) return std::nullopt;
  return q;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

struct StdoutContent {
  std::vector<BlisBlock> instance_blocks;
  std::optional<BlisBlock> cluster_block;
  std::optional<PdSection> pd;
};

std::optional<PdSection> read_pd_section(const std::vector<std::string_view>& lines,
                                         std::size_t first_line, const std::string& file,
                                         std::optional<InputError>& error) {
  std::optional<int64_t> disaggregated, dropped;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // free text: not a field BLIS documents
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    std::optional<int64_t>* slot = nullptr;
    if (key == "Disaggregated Requests") slot = &disaggregated;
    if (key == "Dropped at Decode KV") slot = &dropped;
    if (!slot) continue;  // throughputs, imbalance, parent TTFT summary: rounded prints, unused
    auto d = parse_decimal(value);
    auto v = d ? to_int64(*d) : std::nullopt;
    if (!v || *v < 0) {
      error =
          InputError{file, "line " + std::to_string(first_line + i + 1) + " " + std::string(key),
                     excerpt(std::string(value)), "expected a non-negative integer"};
      return std::nullopt;
    }
    *slot = *v;
  }
  for (auto [slot, name] : {std::pair{&disaggregated, "Disaggregated Requests"},
                            std::pair{&dropped, "Dropped at Decode KV"}}) {
    if (!*slot) {
      error = InputError{file, std::string(kPdMarker) + " " + name, "", "missing"};
      return std::nullopt;
    }
  }
  return PdSection{*disaggregated, *dropped};
}

std::optional<StdoutContent> read_stdout(const NamedText& in, std::optional<InputError>& error) {
  std::vector<std::string_view> lines;
  std::string_view all = in.text;
  while (!all.empty()) {
    auto nl = all.find('\n');
    lines.push_back(all.substr(0, nl));
    if (nl == std::string_view::npos) break;
    all.remove_prefix(nl + 1);
  }
  // Sections start at lines "=== ... ===". Text before the first one is not BLIS's report.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.size() >= 8 && t.substr(0, 4) == "=== " && t.substr(t.size() - 4) == " ===") {
      starts.push_back(i);
    }
  }
  StdoutContent content;
  for (std::size_t s = 0; s < starts.size(); ++s) {
    const std::size_t begin = starts[s] + 1;
    const std::size_t end = s + 1 < starts.size() ? starts[s + 1] : lines.size();
    std::string_view marker = trim(lines[starts[s]]);
    const std::string where = "line " + std::to_string(starts[s] + 1);
    if (marker == kMetricsMarker) {
      std::string body;
      for (std::size_t i = begin; i < end; ++i) {
        body.append(lines[i]);
        body.push_back('\n');
      }
      LexJsonError jerr;
      auto json = parse_lex_json(body, jerr);
      if (!json) {
        error = InputError{in.name, where + " " + std::string(kMetricsMarker), "",
                           "block is not one JSON object: " + jerr.message};
        return std::nullopt;
      }
      auto block = read_block(*json, in.name, where + " block.", error);
      if (!block) return std::nullopt;
      if (block->instance_id == "cluster") {
        if (content.cluster_block) {
          error =
              InputError{in.name, where + " block.instance_id", "cluster", "second cluster block"};
          return std::nullopt;
        }
        content.cluster_block = std::move(*block);
      } else {
        if (content.cluster_block) {
          error = InputError{in.name, where + " block.instance_id", excerpt(block->instance_id),
                             "instance block after the cluster block"};
          return std::nullopt;
        }
        for (const auto& seen : content.instance_blocks) {
          if (seen.instance_id == block->instance_id) {
            error = InputError{in.name, where + " block.instance_id", excerpt(block->instance_id),
                               "duplicate instance block"};
            return std::nullopt;
          }
        }
        content.instance_blocks.push_back(std::move(*block));
      }
    } else if (marker == kPdMarker) {
      if (content.pd) {
        error = InputError{in.name, where, std::string(marker), "second PD section"};
        return std::nullopt;
      }
      std::vector<std::string_view> body(lines.begin() + static_cast<std::ptrdiff_t>(begin),
                                         lines.begin() + static_cast<std::ptrdiff_t>(end));
      content.pd = read_pd_section(body, begin, in.name, error);
      if (!content.pd) return std::nullopt;
    }
    // Other sections (KV-cache summaries and the like) carry nothing the checks consume.
  }
  if (content.instance_blocks.empty() && !content.cluster_block) {
    error = InputError{
        in.name, "", "",
        std::string("no \"") + std::string(kMetricsMarker) + "\" block: not BLIS stdout"};
    return std::nullopt;
  }
  return content;
}

// Every PD counter BLIS does not print (§10.6). pd_prefill_completed is derived from the prefill
// instances' blocks when the roles are known. The PD section's "Dropped at Decode KV" line is NOT
// the dropped_at_decode_kv counter: it tests a condition that can no longer happen (spec A15).
constexpr const char* kUnreportedPdCounters[] = {
    "pd.dropped_at_decode_kv", "pd.transfers_initiated",     "pd.transfers_completed",
    "pd.pd_decode_completed",  "pd.pd_decode_timed_out",     "pd.pending_decode_at_end",
    "pd.pd_in_transfer",       "pd.active_transfers_at_end", "pd.peak_concurrent_transfers",
    "pd.transfer_depth_sum",   "pd.transfer_start_count",    "pd.contention_corrupted",
};

// Non-PD: copies every aggregate entry to the maps of the instance named by its handled_by.
// Requests naming no printed instance stay only in the aggregate (a warning says so), where the
// per-instance statistics and the aggregation checks will miss them.
void distribute_to_instances(RunOutput& out) {
  std::map<std::string, model::MetricMaps*> by_id;
  for (auto& inst : out.instances) by_id[inst.id] = &inst.maps;
  const model::MetricMaps& agg = out.aggregate.maps;
  for (const auto& [id, meta] : agg.requests_meta) {
    auto it = by_id.find(meta.handled_by);
    if (it == by_id.end()) {
      out.warnings.push_back("request " + id + " handled_by \"" + excerpt(meta.handled_by) +
                             "\": no such instance block in the stdout");
      continue;
    }
    model::MetricMaps& m = *it->second;
    m.requests_meta[id] = meta;
    if (auto v = agg.ttft.find(id); v != agg.ttft.end()) m.ttft[id] = v->second;
    if (auto v = agg.e2e.find(id); v != agg.e2e.end()) m.e2e[id] = v->second;
    if (auto v = agg.itl_avg.find(id); v != agg.itl_avg.end()) m.itl_avg[id] = v->second;
    if (auto v = agg.sched_delay.find(id); v != agg.sched_delay.end())
      m.sched_delay[id] = v->second;
  }
}

model::InstanceOutput to_instance(const BlisBlock& b) {
  model::InstanceOutput inst;
  inst.id = b.instance_id;
  inst.counters = b.counters;
  inst.statistics = b.statistics;
  return inst;
}

}  // namespace

bool looks_like_blis_stdout(std::string_view text) {
  std::size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && text.substr(i, kMetricsMarker.size()) == kMetricsMarker;
}

bool looks_like_blis_metrics(std::string_view text) {
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || text[i] != '{') return false;
  i = text.find_first_not_of(" \t\r\n", i + 1);
  constexpr std::string_view kKey = "\"instance_id\"";
  return i != std::string_view::npos && text.substr(i, kKey.size()) == kKey;
}

BlisReadResult parse_blis_output(const std::optional<NamedText>& metrics,
                                 const std::optional<NamedText>& stdout_file,
                                 const BlisReadOptions& options) {
  std::optional<InputError> error;
  if (!metrics && !stdout_file) {
    return InputError{"", "", "", "neither a metrics file nor a stdout file was given"};
  }

  std::optional<BlisBlock> top;
  std::vector<BlisRequest> requests;
  if (metrics) {
    LexJsonError jerr;
    auto json = parse_lex_json(metrics->text, jerr);
    if (!json) {
      return InputError{metrics->name, "byte " + std::to_string(jerr.byte_offset), "",
                        "invalid JSON: " + jerr.message};
    }
    top = read_block(*json, metrics->name, "", error);
    if (!top) return *error;
    if (top->instance_id != "cluster") {
      return InputError{metrics->name, "instance_id", excerpt(top->instance_id),
                        "expected \"cluster\" (the --metrics-path file holds the cluster block)"};
    }
    const LexJson* list = json->find("requests");
    if (list && list->kind != LexJson::Kind::array && list->kind != LexJson::Kind::null) {
      return InputError{metrics->name, "requests", to_string(list->kind), "expected an array"};
    }
    if (list && list->kind == LexJson::Kind::array) {
      requests.reserve(list->items.size());
      for (std::size_t i = 0; i < list->items.size(); ++i) {
        auto q = read_request(list->items[i], metrics->name, i, error);
        if (!q) return *error;
        requests.push_back(std::move(*q));
      }
    }
    // Go omits an empty `requests` slice ("omitempty"): no key = no records, which is data.
  }

  std::optional<StdoutContent> printed;
  if (stdout_file) {
    printed = read_stdout(*stdout_file, error);
    if (!printed) return *error;
    if (top && printed->cluster_block) {
      // Both files print the cluster block; a disagreement means they come from different runs.
      for (const auto& [key, literal] : printed->cluster_block->literals) {
        auto it = top->literals.find(key);
        if (it != top->literals.end() && it->second != literal) {
          return InputError{
              stdout_file->name, "cluster block." + key, excerpt(literal),
              "differs from " + metrics->name + " (" + excerpt(it->second) +
                  "): the files come from different runs, or BLIS printed two different "
                  "cluster blocks"};
        }
      }
    }
  }

  const bool pools_given = options.prefill_instances > 0 || options.decode_instances > 0;
  if (pools_given) {
    if (options.prefill_instances <= 0 || options.decode_instances <= 0) {
      return InputError{"--prefill-instances/--decode-instances", "",
                        std::to_string(options.prefill_instances) + "/" +
                            std::to_string(options.decode_instances),
                        "both pool sizes must be > 0 (spec §2)"};
    }
    if (printed) {
      if (!printed->pd) {
        return InputError{stdout_file->name, std::string(kPdMarker), "",
                          "pool sizes were given but the stdout has no PD section"};
      }
      const auto n = static_cast<int64_t>(printed->instance_blocks.size());
      if (int64_t{options.prefill_instances} + options.decode_instances > n) {
        return InputError{"--prefill-instances/--decode-instances", "",
                          std::to_string(options.prefill_instances) + "+" +
                              std::to_string(options.decode_instances),
                          "more pool members than the " + std::to_string(n) +
                              " instance blocks in " + stdout_file->name};
      }
    }
  }

  RunOutput out;
  out.source = "blis";
  if (!top && !printed->cluster_block) {
    return InputError{stdout_file->name, "", "", "no cluster block and no metrics file"};
  }
  const BlisBlock& cluster = top ? *top : *printed->cluster_block;
  out.aggregate.counters = cluster.counters;
  out.aggregate.statistics = cluster.statistics;
  if (!cluster.has_cache_hit_rate) out.missing_fields.insert("aggregate.counters.cache_hit_rate");

  if (metrics) {
    const bool known_pd = printed && printed->pd;
    // Records come in BLIS's order, not key order: the entries are collected, a hash set spots
    // the duplicates (the first record wins, a warning in record order), and each map is sorted
    // once at the end (IdMap::from_entries), not inserted into key by key.
    std::vector<std::pair<model::Id, model::RequestMeta>> meta_entries;
    std::vector<std::pair<model::Id, double>> ttft_entries, e2e_entries, itl_entries;
    std::vector<std::pair<model::Id, int64_t>> sched_entries;
    std::unordered_set<std::string> seen;
    meta_entries.reserve(requests.size());
    seen.reserve(requests.size());
    std::vector<std::string> record_ids;
    record_ids.reserve(requests.size());
    bool sched_delay_ambiguous = false;
    for (const BlisRequest& q : requests) {
      record_ids.push_back(q.id);
      if (!seen.insert(q.id).second) {
        out.warnings.push_back("duplicate requestID " + q.id + ": the first record is used");
        continue;
      }
      model::RequestMeta meta;
      meta.arrived_at_s = q.arrived_at_s;
      meta.num_prefill_tokens = q.num_prefill_tokens;
      meta.num_decode_tokens = q.num_decode_tokens;
      meta.handled_by = q.handled_by;
      meta_entries.emplace_back(q.id, std::move(meta));
      // BLIS writes 0 for a request absent from a map ("zero if not in map"). A real TTFT or E2E
      // is >= 1 µs, so 0 means absent; BLIS itself reads e2e > 0 as "completed".
      const bool has_ttft = q.ttft_us != 0;
      const bool has_e2e = q.e2e_us != 0;
      if (has_ttft) ttft_entries.emplace_back(q.id, static_cast<double>(q.ttft_us));
      if (has_e2e) {
        e2e_entries.emplace_back(q.id, static_cast<double>(q.e2e_us));
        // Written at completion with the E2E. A PD parent whose decode did not complete has an
        // E2E but no ITL entry (§10.4); a real PD ITL average is >= 1 µs, so 0 means absent
        // there. Outside PD an empty ITL list (N = 1) gives a real 0.
        if (q.itl_avg_us != 0 || !known_pd) itl_entries.emplace_back(q.id, q.itl_avg_us);
      }
      // A scheduling delay of 0 is a real value for a request that has a TTFT or an E2E (it was
      // scheduled); for one with neither it may mean "never scheduled".
      if (q.sched_delay_us != 0 || has_ttft || has_e2e) {
        sched_entries.emplace_back(q.id, q.sched_delay_us);
      } else {
        sched_delay_ambiguous = true;
      }
    }
    model::MetricMaps& maps = out.aggregate.maps;
    maps.requests_meta = model::IdMap<model::RequestMeta>::from_entries(std::move(meta_entries));
    maps.ttft = model::IdMap<double>::from_entries(std::move(ttft_entries));
    maps.e2e = model::IdMap<double>::from_entries(std::move(e2e_entries));
    maps.itl_avg = model::IdMap<double>::from_entries(std::move(itl_entries));
    maps.sched_delay = model::IdMap<int64_t>::from_entries(std::move(sched_entries));
    out.request_record_ids = std::move(record_ids);
    // BLIS lists no per-request flag; when it counts no length-capped request, every flag is
    // known to be false (RequestMeta's default).
    if (cluster.counters.length_capped_count != 0) {
      out.missing_fields.insert("aggregate.maps.requests_meta.length_capped");
    }
    if (sched_delay_ambiguous) out.missing_fields.insert("aggregate.maps.sched_delay");
  } else {
    out.missing_fields.insert("aggregate.maps");
  }

  if (printed) {
    for (const BlisBlock& b : printed->instance_blocks) out.instances.push_back(to_instance(b));
    if (metrics && !printed->pd) {
      // Without PD there is no projection (§10.4): the aggregate maps are the instances' maps
      // merged (§10.2), and handled_by names the instance whose maps hold each request.
      distribute_to_instances(out);
    } else {
      out.missing_fields.insert("instances.maps");  // PD: instances hold sub-requests (§10.1)
    }
    out.missing_fields.insert("instances.end_state");
    out.missing_fields.insert("instances.counters.cache_hit_rate");
    if (printed->pd) {
      model::PdCounters pd;
      for (const char* path : kUnreportedPdCounters) out.missing_fields.insert(path);
      if (pools_given) {
        for (int i = 0; i < options.prefill_instances + options.decode_instances; ++i) {
          auto& inst = out.instances[static_cast<std::size_t>(i)];
          inst.role = i < options.prefill_instances ? model::Role::prefill : model::Role::decode;
          // Every completion on a prefill instance is a prefill sub-request's (§10.3).
          if (inst.role == model::Role::prefill) pd.pd_prefill_completed += inst.counters.completed;
        }
      } else {
        out.missing_fields.insert("instances.role");
        out.missing_fields.insert("pd.pd_prefill_completed");
      }
      out.pd = pd;
    }
  } else {
    out.missing_fields.insert("instances");
    out.missing_fields.insert("pd");  // PD or not is printed only in the stdout
  }
  return out;
}

BlisReadResult read_blis_output(const std::optional<std::string>& metrics_path,
                                const std::optional<std::string>& stdout_path,
                                const BlisReadOptions& options) {
  InputError error;
  std::optional<NamedText> metrics, printed;
  if (metrics_path) {
    auto text = read_text_file(*metrics_path, error);
    if (!text) return error;
    metrics = NamedText{*metrics_path, std::move(*text)};
  }
  if (stdout_path) {
    auto text = read_text_file(*stdout_path, error);
    if (!text) return error;
    printed = NamedText{*stdout_path, std::move(*text)};
  }
  return parse_blis_output(metrics, printed, options);
}

}  // namespace simcheck::io
