// Spec §3 (requests), §12.2 (traces), §12.3 (generator): the input of one simulation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"

namespace simcheck::model {

// Token ids are non-negative; only equality of sequences matters (§6.1). 32 bits keep a
// 100k-request trace small; ids above INT32_MAX are rejected by validation.
using Token = int32_t;

// How a trace request's tokens are given (§12.2).
enum class TokenFill { explicit_list, zeros, random };

// One request of an explicit trace, as written in a case file (§12.2). Token lists are
// materialised by model::materialise.
struct TraceRequest {
  std::string id;  // empty = "request_<position>"
  int64_t arrival_us = 0;
  TokenFill input_fill = TokenFill::random;
  std::vector<Token> input;  // explicit_list only
  int64_t input_len = 0;     // zeros/random only
  TokenFill output_fill = TokenFill::random;
  std::vector<Token> output;
  int64_t output_len = 0;
  std::optional<int64_t> max_output_len;  // default N
  int64_t deadline_us = 0;                // 0 = none
  std::string prefix_group;               // empty = none
  int64_t prefix_length = 0;
};

enum class ArrivalProcess { constant, poisson };
enum class LengthKind { constant, gaussian, exponential };

struct LengthDist {
  LengthKind kind = LengthKind::constant;
  double value = 1;  // constant
  double mean = 0, sd = 0, min = 0, max = 0;  // gaussian; exponential uses mean, min, max
};

struct Client {
  double rate_fraction = 1.0;
  ArrivalProcess arrival = ArrivalProcess::constant;
  LengthDist input_dist;
  LengthDist output_dist;
  std::string prefix_group;                // empty = none
  std::optional<int64_t> prefix_length;    // default 50 (§12.3)
  int64_t timeout_us = 0;                  // 0 = none
};

// §12.3 generator spec.
struct Workload {
  double aggregate_rate = 0;  // requests per second
  int64_t max_requests = 0;
  std::vector<Client> clients;
};

struct Case {
  int64_t seed = 42;
  Config config;
  // Exactly one of the two is used: an explicit trace, or a generator spec.
  std::vector<TraceRequest> requests;
  std::optional<Workload> workload;
};

// A request after materialisation: explicit tokens, ids assigned, defaults applied. The
// simulator consumes only these.
struct Request {
  std::string id;
  int64_t arrival = 0;
  std::vector<Token> input;
  std::vector<Token> output;
  int64_t max_output_len = 0;
  int64_t deadline = 0;
};

using Trace = std::vector<Request>;

}  // namespace simcheck::model
