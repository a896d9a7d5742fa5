// Spec §10.6, §1.3: the per-request results of `blis replay --results-path` (a JSON array of
// {request_id, ttft_us, e2e_us, input_tokens, output_tokens, itl_mean_us}) read into
// model::RunOutput. Only per-request maps exist; everything else is reported missing
// (docs/oracle.md), so `simcheck diff` compares what both sides have.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "io/external_input.h"
#include "model/run_output.h"

namespace simcheck::io {

std::variant<model::RunOutput, InputError> parse_blis_replay_results(const NamedText& file);
std::variant<model::RunOutput, InputError> read_blis_replay_results(const std::string& path);

// True if `text` looks like replay results: a JSON array whose first element has "request_id".
bool looks_like_blis_replay_results(std::string_view text);

}  // namespace simcheck::io
