// Spec §12.2, §1.3 item 4: BLIS's trace format (a YAML header `trace_version: 3 ...` plus a CSV
// with one row per request), read into simcheck trace requests with BLIS's replay semantics, and
// written back for `simcheck export`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "io/external_input.h"
#include "model/case.h"

namespace simcheck::io {

// One CSV row. Columns simcheck does not model are kept as text so that a read-then-write
// round trip loses nothing of the fixture's column list.
struct BlisTraceRecord {
  int64_t request_id = 0;
  std::string client_id;
  std::string tenant_id;
  std::string slo_class;
  std::string session_id;
  int64_t round_index = 0;
  std::string prefix_group;
  int64_t prefix_length = 0;
  bool streaming = false;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t text_tokens = 0;
  int64_t image_tokens = 0;
  int64_t audio_tokens = 0;
  int64_t video_tokens = 0;
  std::string reason_ratio = "0";
  std::string model;
  int64_t deadline_us = 0;
  int64_t server_input_tokens = 0;
  int64_t arrival_time_us = 0;
  int64_t send_time_us = 0;
  int64_t first_chunk_time_us = 0;
  int64_t last_chunk_time_us = 0;
  int64_t num_chunks = 0;
  std::string status;
  std::string error_message;
  std::string finish_reason;
  std::string adapter;  // optional trailing column (LoRA); empty when absent
};

struct BlisTrace {
  // Top-level scalar keys of the YAML header, in file order (nested sections are skipped).
  std::vector<std::pair<std::string, std::string>> header;
  std::vector<BlisTraceRecord> records;
};

// The CSV columns BLIS writes (trace v3), in order.
const std::vector<std::string>& blis_trace_columns();

// Parses the header and the CSV. Columns are found by name; the ones BLIS always writes are
// required, extra columns are ignored. Errors name the file, the line and the column.
std::variant<BlisTrace, InputError> parse_blis_trace(const NamedText& header, const NamedText& csv);
std::variant<BlisTrace, InputError> read_blis_trace(const std::string& header_path,
                                                    const std::string& csv_path);

// The requests BLIS's `replay` builds from the trace (sim/workload LoadTraceV2Requests), as
// simcheck trace requests (§12.2), sorted by arrival (stable):
//   id = "request_<request_id>"; arrival = send_time_us if > 0 else arrival_time_us;
//   in a prefix group whose first row with prefix_length > 0 gives P: L = P + input_tokens,
//   prefix_length = P (BLIS prepends the group's P tokens); otherwise
//   L = server_input_tokens if > 0 else input_tokens; N = output_tokens; deadline = deadline_us.
// Rejects what the reference model cannot run (sessions, multimodal tokens, per-request models
// or adapters, warm-up requests, L = 0 or N = 0 (A10)).
std::variant<std::vector<model::TraceRequest>, InputError> to_trace_requests(
    const BlisTrace& trace, const std::string& header_name, const std::string& csv_name);

// Writers: the header as `key: value` lines, the CSV with blis_trace_columns() (+ `adapter` if any
// record has one), RFC 4180 quoting where a field needs it.
std::string write_blis_trace_header(const BlisTrace& trace);
std::string write_blis_trace_csv(const BlisTrace& trace);

}  // namespace simcheck::io
