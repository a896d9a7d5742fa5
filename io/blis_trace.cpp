// Spec §12.2, §1.3 item 4: BLIS trace v3 (YAML header + CSV) reader, writer and replay mapping.
#include "io/blis_trace.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace simcheck::io {
namespace {

const std::vector<std::string> kColumns = {
    "request_id",   "client_id",           "tenant_id",           "slo_class",
    "session_id",   "round_index",         "prefix_group",        "prefix_length",
    "streaming",    "input_tokens",        "output_tokens",       "text_tokens",
    "image_tokens", "audio_tokens",        "video_tokens",        "reason_ratio",
    "model",        "deadline_us",         "server_input_tokens", "arrival_time_us",
    "send_time_us", "first_chunk_time_us", "last_chunk_time_us",  "num_chunks",
    "status",       "error_message",       "finish_reason"};

// ---- CSV (RFC 4180, as Go's encoding/csv reads it without LazyQuotes) ----

struct CsvRow {
  std::size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

std::optional<std::vector<CsvRow>> parse_csv(const NamedText& in, InputError& error) {
  std::vector<CsvRow> rows;
  const std::string& s = in.text;
  std::size_t i = 0, line = 1;
  while (i < s.size()) {
    CsvRow row;
    row.line = line;
    // A blank line is skipped (Go's reader does the same).
    if (s[i] == '\n' || (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) {
      i += s[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    while (true) {
      std::string field;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (true) {
          if (i >= s.size()) {
            error = InputError{in.name, "line " + std::to_string(row.line), "",
                               "unterminated quoted field"};
            return std::nullopt;
          }
          if (s[i] == '"') {
            if (i + 1 < s.size() && s[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (s[i] == '\n') ++line;
          field.push_back(s[i++]);
        }
        if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
          error = InputError{in.name, "line " + std::to_string(line), excerpt(field),
                             "extraneous text after a quoted field"};
          return std::nullopt;
        }
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
          if (s[i] == '"') {
            error = InputError{in.name, "line " + std::to_string(line), excerpt(field + "\""),
                               "bare quote in an unquoted field"};
            return std::nullopt;
          }
          field.push_back(s[i++]);
        }
      }
      row.fields.push_back(std::move(field));
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '\r') {
        ++i;
        if (i < s.size() && s[i] != '\n') {
          error = InputError{in.name, "line " + std::to_string(line), "", "bare carriage return"};
          return std::nullopt;
        }
      }
      if (i < s.size() && s[i] == '\n') {
        ++i;
        ++line;
      }
      break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool needs_quotes(const std::string& f) {
  return f.find_first_of(",\"\r\n") != std::string::npos ||
         (!f.empty() && (f.front() == ' ' || f.front() == '\t'));
}

void append_field(std::string& out, const std::string& f) {
  if (!needs_quotes(f)) {
    out += f;
    return;
  }
  out.push_back('"');
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

// ---- header ----

// A scalar's text after "key:" (already trimmed): a quoted scalar runs to its last matching quote
// (no escapes: BLIS writes none); a bare one ends at a " #" comment.
std::string scalar_text(std::string_view rest) {
  if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
    const auto close = rest.rfind(rest.front());
    if (close > 0) return std::string(rest.substr(1, close - 1));
  }
  const auto hash = rest.find(" #");
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return std::string(rest);
}

// True if `v` written bare would not read back as itself.
bool needs_yaml_quotes(const std::string& v) {
  if (v.empty()) return false;
  const char first = v.front(), last = v.back();
  return first == '"' || first == '\'' || first == ' ' || first == '\t' || last == ' ' ||
         last == '\t' || last == '\r' || v.find(" #") != std::string::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_header(const NamedText& in,
                                                                             InputError& error) {
  std::vector<std::pair<std::string, std::string>> header;
  std::set<std::string> seen;
  std::string_view all = in.text;
  std::size_t line_no = 0;
  while (!all.empty()) {
    auto nl = all.find('\n');
    std::string_view raw = all.substr(0, nl);
    all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line == "---") continue;
    if (raw.front() == ' ' || raw.front() == '\t' || line.front() == '-') {
      continue;  // inside a nested section (server:, network:, goodput_slo_targets:)
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = InputError{in.name, "line " + std::to_string(line_no), excerpt(std::string(line)),
                         "expected \"key: value\""};
      return std::nullopt;
    }
    std::string key(trim(line.substr(0, colon)));
    const std::string_view rest = trim(line.substr(colon + 1));
    if (!seen.insert(key).second) {
      error = InputError{in.name, key, "", "duplicate key"};
      return std::nullopt;
    }
    header.emplace_back(key, scalar_text(rest));
  }
  auto value_of = [&](const std::string& k) -> std::optional<std::string> {
    for (const auto& [key, v] : header) {
      if (key == k) return v;
    }
    return std::nullopt;
  };
  auto version = value_of("trace_version");
  if (!version) {
    error = InputError{in.name, "trace_version", "", "missing: not a BLIS trace header"};
    return std::nullopt;
  }
  if (*version != "2" && *version != "3") {
    error = InputError{in.name, "trace_version", excerpt(*version), "expected 2 or 3"};
    return std::nullopt;
  }
  auto unit = value_of("time_unit");
  if (unit && *unit != "microseconds") {
    error = InputError{in.name, "time_unit", excerpt(*unit), "expected \"microseconds\""};
    return std::nullopt;
  }
  return header;
}

// Reads the cells of one row by column name.
class RowReader {
 public:
  RowReader(const std::map<std::string, std::size_t>& index, const CsvRow& row,
            const std::string& file, std::optional<InputError>& error)
      : index_(index), row_(row), file_(file), error_(error) {}

  const std::string* cell(const std::string& column) {
    auto it = index_.find(column);
    if (it == index_.end()) return nullptr;
    if (it->second >= row_.fields.size()) {
      fail(column, "", "row has only " + std::to_string(row_.fields.size()) + " fields");
      return nullptr;
    }
    return &row_.fields[it->second];
  }
  void integer(const std::string& column, int64_t& out, bool allow_empty = false) {
    const std::string* c = cell(column);
    if (!c) return;
    if (c->empty() && allow_empty) return;
    // Go's strconv.Atoi: optional sign, decimal digits (leading zeros allowed).
    std::string_view t = *c;
    const bool negative = !t.empty() && (t.front() == '-' || t.front() == '+') && t.front() == '-';
    if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
    int64_t v = 0;
    bool ok = !t.empty();
    for (char ch : t) {
      if (ch < '0' || ch > '9' || v > (INT64_MAX - (ch - '0')) / 10) {
        ok = false;
        break;
      }
      v = v * 10 + (ch - '0');
    }
    if (!ok) {
      fail(column, *c, "expected an integer");
      return;
    }
    if (negative && v != 0) {
      fail(column, *c, "must be >= 0");
      return;
    }
    out = v;
  }
  void text(const std::string& column, std::string& out) {
    if (const std::string* c = cell(column)) out = *c;
  }
  void boolean(const std::string& column, bool& out) {
    const std::string* c = cell(column);
    if (!c) return;
    // Go's strconv.ParseBool spellings.
    static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
    static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
    if (kTrue.count(*c)) {
      out = true;
    } else if (kFalse.count(*c)) {
      out = false;
    } else {
      fail(column, *c, "expected a boolean");
    }
  }
  void fail(const std::string& column, const std::string& value, const std::string& message) {
    if (!error_) {
      error_ = InputError{file_, "line " + std::to_string(row_.line) + " column " + column,
                          excerpt(value), message};
    }
  }

 private:
  const std::map<std::string, std::size_t>& index_;
  const CsvRow& row_;
  const std::string& file_;
  std::optional<InputError>& error_;
};

// Columns BLIS has written since trace v2 and whose meaning simcheck needs.
const std::vector<std::string> kRequiredColumns = {"request_id", "input_tokens", "output_tokens",
                                                   "arrival_time_us"};

}  // namespace

const std::vector<std::string>& blis_trace_columns() { return kColumns; }

std::variant<BlisTrace, InputError> parse_blis_trace(const NamedText& header_file,
                                                     const NamedText& csv_file) {
  InputError error;
  BlisTrace trace;
  auto header = parse_header(header_file, error);
  if (!header) return error;
  trace.header = std::move(*header);

  auto rows = parse_csv(csv_file, error);
  if (!rows) return error;
  if (rows->empty()) return InputError{csv_file.name, "line 1", "", "no header row"};
  std::map<std::string, std::size_t> index;
  const CsvRow& names = rows->front();
  for (std::size_t i = 0; i < names.fields.size(); ++i) {
    if (!index.emplace(names.fields[i], i).second) {
      return InputError{csv_file.name, "line 1", excerpt(names.fields[i]), "duplicate column"};
    }
  }
  for (const std::string& c : kRequiredColumns) {
    if (!index.count(c)) return InputError{csv_file.name, "line 1 column " + c, "", "missing"};
  }
  std::optional<InputError> row_error;
  std::set<int64_t> ids;
  for (std::size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    RowReader rd(index, row, csv_file.name, row_error);
    BlisTraceRecord rec;
    rd.integer("request_id", rec.request_id);
    rd.text("client_id", rec.client_id);
    rd.text("tenant_id", rec.tenant_id);
    rd.text("slo_class", rec.slo_class);
    rd.text("session_id", rec.session_id);
    rd.integer("round_index", rec.round_index);
    rd.text("prefix_group", rec.prefix_group);
    rd.integer("prefix_length", rec.prefix_length);
    rd.boolean("streaming", rec.streaming);
    rd.integer("input_tokens", rec.input_tokens);
    rd.integer("output_tokens", rec.output_tokens);
    rd.integer("text_tokens", rec.text_tokens);
    rd.integer("image_tokens", rec.image_tokens);
    rd.integer("audio_tokens", rec.audio_tokens);
    rd.integer("video_tokens", rec.video_tokens);
    rd.text("reason_ratio", rec.reason_ratio);
    rd.text("model", rec.model);
    rd.integer("deadline_us", rec.deadline_us);
    rd.integer("server_input_tokens", rec.server_input_tokens);
    rd.integer("arrival_time_us", rec.arrival_time_us);
    rd.integer("send_time_us", rec.send_time_us);
    rd.integer("first_chunk_time_us", rec.first_chunk_time_us);
    rd.integer("last_chunk_time_us", rec.last_chunk_time_us);
    rd.integer("num_chunks", rec.num_chunks);
    rd.text("status", rec.status);
    rd.text("error_message", rec.error_message);
    rd.text("finish_reason", rec.finish_reason);
    rd.text("adapter", rec.adapter);
    if (!row_error && !ids.insert(rec.request_id).second) {
      rd.fail("request_id", std::to_string(rec.request_id), "duplicate request_id");
    }
    if (row_error) return *row_error;
    trace.records.push_back(std::move(rec));
  }
  return trace;
}

std::variant<BlisTrace, InputError> read_blis_trace(const std::string& header_path,
                                                    const std::string& csv_path) {
  InputError error;
  auto header = read_text_file(header_path, error);
  if (!header) return error;
  auto csv = read_text_file(csv_path, error);
  if (!csv) return error;
  return parse_blis_trace(NamedText{header_path, std::move(*header)},
                          NamedText{csv_path, std::move(*csv)});
}

std::variant<std::vector<model::TraceRequest>, InputError> to_trace_requests(
    const BlisTrace& trace, const std::string& header_name, const std::string& csv_name) {
  for (const auto& [key, value] : trace.header) {
    if (key == "warm_up_requests" && value != "0") {
      return InputError{header_name, key, excerpt(value),
                        "warm-up requests are excluded from BLIS's metrics; the reference model "
                        "has no such notion (use 0)"};
    }
  }
  // The group's prefix is the first row (in trace order) with prefix_length > 0 (BLIS replay).
  std::map<std::string, int64_t> group_prefix;
  for (const auto& rec : trace.records) {
    if (!rec.prefix_group.empty() && rec.prefix_length > 0) {
      group_prefix.try_emplace(rec.prefix_group, rec.prefix_length);
    }
  }
  std::vector<model::TraceRequest> out;
  out.reserve(trace.records.size());
  for (std::size_t i = 0; i < trace.records.size(); ++i) {
    const BlisTraceRecord& rec = trace.records[i];
    const std::string at = "row " + std::to_string(i + 1) + " (request_id " +
                           std::to_string(rec.request_id) + ") column ";
    auto reject = [&](const std::string& column, const std::string& value, const std::string& why) {
      return InputError{csv_name, at + column, excerpt(value), why};
    };
    if (!rec.session_id.empty()) {
      return reject("session_id", rec.session_id, "multi-turn sessions are out of scope (§1.2)");
    }
    if (rec.image_tokens || rec.audio_tokens || rec.video_tokens) {
      return reject("image_tokens/audio_tokens/video_tokens",
                    std::to_string(rec.image_tokens + rec.audio_tokens + rec.video_tokens),
                    "multimodal requests are out of scope (§1.2)");
    }
    if (!rec.model.empty()) {
      return reject("model", rec.model, "per-request models are out of scope (one model, §2)");
    }
    if (!rec.adapter.empty()) {
      return reject("adapter", rec.adapter, "LoRA adapters are out of scope (§1.2)");
    }
    model::TraceRequest r;
    r.id = "request_" + std::to_string(rec.request_id);
    r.arrival_us = rec.send_time_us > 0 ? rec.send_time_us : rec.arrival_time_us;
    r.input_fill = model::TokenFill::random;
    r.output_fill = model::TokenFill::random;
    auto group =
        rec.prefix_group.empty() ? group_prefix.end() : group_prefix.find(rec.prefix_group);
    if (group != group_prefix.end()) {
      if (rec.input_tokens > INT64_MAX - group->second) {
        return reject("input_tokens", std::to_string(rec.input_tokens),
                      "the group prefix plus the fresh tokens overflow int64");
      }
      r.prefix_group = rec.prefix_group;
      r.prefix_length = group->second;
      r.input_len = group->second + rec.input_tokens;
    } else {
      // No prefix (no group, or a group none of whose rows gives a length): BLIS draws all tokens.
      r.input_len = rec.server_input_tokens > 0 && rec.prefix_group.empty()
                        ? rec.server_input_tokens
                        : rec.input_tokens;
    }
    r.output_len = rec.output_tokens;
    r.deadline_us = rec.deadline_us;
    if (r.input_len <= 0) {
      return reject("input_tokens", std::to_string(rec.input_tokens),
                    "a request needs at least one input token (A10)");
    }
    if (r.output_len <= 0) {
      return reject("output_tokens", std::to_string(rec.output_tokens),
                    "a request needs at least one output token (A10)");
    }
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.arrival_us < b.arrival_us; });
  return out;
}

std::string write_blis_trace_header(const BlisTrace& trace) {
  std::string out;
  for (const auto& [key, value] : trace.header) {
    out += key + ": " + (needs_yaml_quotes(value) ? "\"" + value + "\"" : value) + "\n";
  }
  return out;
}

std::string write_blis_trace_csv(const BlisTrace& trace) {
  const bool with_adapter = std::any_of(trace.records.begin(), trace.records.end(),
                                        [](const auto& r) { return !r.adapter.empty(); });
  std::string out;
  auto row = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out.push_back(',');
      append_field(out, fields[i]);
    }
    out.push_back('\n');
  };
  std::vector<std::string> names = kColumns;
  if (with_adapter) names.push_back("adapter");
  row(names);
  auto n = [](int64_t v) { return std::to_string(v); };
  for (const BlisTraceRecord& r : trace.records) {
    std::vector<std::string> f = {n(r.request_id),
                                  r.client_id,
                                  r.tenant_id,
                                  r.slo_class,
                                  r.session_id,
                                  n(r.round_index),
                                  r.prefix_group,
                                  n(r.prefix_length),
                                  r.streaming ? "true" : "false",
                                  n(r.input_tokens),
                                  n(r.output_tokens),
                                  n(r.text_tokens),
                                  n(r.image_tokens),
                                  n(r.audio_tokens),
                                  n(r.video_tokens),
                                  r.reason_ratio,
                                  r.model,
                                  n(r.deadline_us),
                                  n(r.server_input_tokens),
                                  n(r.arrival_time_us),
                                  n(r.send_time_us),
                                  n(r.first_chunk_time_us),
                                  n(r.last_chunk_time_us),
                                  n(r.num_chunks),
                                  r.status,
                                  r.error_message,
                                  r.finish_reason};
    if (with_adapter) f.push_back(r.adapter);
    row(f);
  }
  return out;
}

}  // namespace simcheck::io
