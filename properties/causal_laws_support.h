// Shared plumbing of the strict laws of Addendum C §C4 (check_causal_*.cpp): the run's time
// profile and quirk switches, the constants the laws use (OTP, P, s_P, s_D), per-request facts
// gathered from the trace, the parent records and the step-level data, and the rule that turns
// a breach into a gating failure (causal) or a quirk-attributed known exception (faithful).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/config.h"
#include "model/run_output.h"
#include "properties/check_support.h"
#include "properties/exact.h"

namespace simcheck::properties::causal {

// How a run's laws are judged. Without run.config (outputs of other simulators, e.g. BLIS) the
// run is faithful with every quirk switch on, and the coefficients are unknown.
struct LawContext {
  bool causal = false;
  model::Quirks quirks{};
  bool standalone = false;
  int64_t horizon = model::kNoHorizon;
  std::optional<int64_t> otp, post_decode, s_prefill, s_decode;  // OTP, P, s_P, s_D
  bool has_coefficients() const { return otp.has_value(); }
};
LawContext law_context(const model::RunOutput& run);

// A breach of a law. Causal: always gating. Faithful: a known exception whose detail names the
// quirk when `quirk` is given (the caller has matched the breach's shape to that quirk), else
// gating.
void report(support::Violations& out, const LawContext& ctx, std::string_view subject,
            std::string detail, const char* quirk);

// What the laws need to know about one request id (a trace request, a parent, or a PD
// sub-request, which inherits its parent's arrival, N and deadline).
struct RequestFacts {
  int64_t arrival = 0;
  int64_t output_len = 0;  // N
  int64_t deadline = 0;    // 0 = none
};

// Where a request ran and what the step-level data says about it.
struct Placement {
  const model::InstanceOutput* instance = nullptr;
  const model::RequestPhaseTimes* phase = nullptr;  // null if phase_times missing
  std::optional<int64_t> left;                      // REQUEST_LEFT time (events or phase_times)
  std::optional<int64_t> final_pi;                  // from final_states
};

class RunFacts {
 public:
  explicit RunFacts(const model::RunOutput& run);
  const RequestFacts* facts(std::string_view id) const;
  // The instance a request (or sub-request) ran on, from phase_times, events or final_states.
  const Placement* placement(std::string_view id) const;
  const support::ParentIndex& parents() const { return parents_; }
  // Steps of an instance, or null when the source gives none.
  static const std::vector<model::StepRecord>* steps_of(const model::InstanceOutput& inst) {
    return inst.steps ? &*inst.steps : nullptr;
  }
  // The step of `inst` that starts at `start` (the last one if several), or null.
  static const model::StepRecord* step_starting(const model::InstanceOutput& inst, int64_t start);
  // The step of `inst` that ends at `end`, or null.
  static const model::StepRecord* step_ending(const model::InstanceOutput& inst, int64_t end);
  static bool in_batch(const model::StepRecord& s, std::string_view id);

 private:
  std::unordered_map<std::string_view, RequestFacts> facts_;
  std::unordered_map<std::string_view, Placement> placement_;
  support::ParentIndex parents_;
};

// Requests (non-PD keys and served PD parents) whose E2E comes from a completion, with the
// numbers laws L6 and L9–L11 use.
struct Completed {
  std::string key;
  bool parent = false;
  const model::ParentRecord* record = nullptr;  // parents only
  std::string token_id;                         // whose tokens: the key, or the decode sub-request
  double ttft = 0;
  bool has_ttft = false;
  double e2e = 0;
  int64_t n_tok = 0;  // N, or |itl| + 1 when length-capped
  bool capped = false;
};
// Every completed key of the aggregate e2e map; `why_missing` says what is missing for keys
// that could not be classified (their n_tok is unknown), empty if none.
std::vector<Completed> completed_keys(const model::RunOutput& run, const RunFacts& facts,
                                      std::string& why_missing);

// a + e2e − P·[N > 0] − n_tok·OTP: when the last token was produced (the identity of L9–L11).
exact::Sum last_token_time(const Completed& c, const RequestFacts& f, const LawContext& ctx);

// Exact shorthands.
inline exact::Sum S(double d) { return exact::Sum(d); }
inline exact::Sum S(int64_t v) { return exact::Sum(v); }

}  // namespace simcheck::properties::causal
