// Spec §3.1: the mutable run-time state of one request or sub-request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/chunked_vector.h"
#include "model/id.h"
#include "model/run_output.h"

namespace simcheck::model {

// Owned by the run (a stable arena); instances and the cluster hold pointers to it.
struct SimRequest {
  Id id;
  int64_t arrival = 0;  // never changes (§3.1)
  int64_t max_output_len = 0;
  int64_t deadline = 0;
  RequestState state = RequestState::queued;
  int64_t pi = 0;
  int64_t num_new = 0;
  bool ttft_set = false;
  int64_t first_token_time = 0;  // offset from arrival (§3.1)
  // Causal profile (Addendum C Δ2): end of the step that produced the latest token.
  int64_t last_token_end = 0;
  std::vector<int64_t> itl;
  int64_t scheduled_step = 0;
  int64_t finished_step = 0;
  bool length_capped = false;
  bool is_decode_sub = false;
  std::string assigned;  // instance id chosen by routing ("" standalone)
  // PD sub-requests: the parent's index, and whether the sub-request is in the driver's
  // pending_prefill / pending_decode map (§9.3, §9.6). Sub-request ids are unique in a valid case
  // (case validation rejects collisions), so membership by request is membership by id.
  int32_t pd_parent = -1;
  bool pd_pending = false;
  // The slot of the first instance the request reached (a request reaches one instance in v1), so
  // that instance finds it without a lookup; any other instance uses its own address index.
  const void* home_instance = nullptr;
  int32_t home_slot = -1;

  // The token lists, shared with the trace (sub-requests too; a prefill sub-request's output is an
  // empty list). Their lengths are kept here: L and N are read at every step of every request,
  // and the lists themselves lie far apart in memory.
  void set_tokens(const std::vector<Token>* input, const std::vector<Token>* output) {
    input_ = input;
    output_ = output;
    input_len_ = static_cast<int64_t>(input->size());
    output_len_ = static_cast<int64_t>(output->size());
  }
  const std::vector<Token>* input_tokens() const { return input_; }
  const std::vector<Token>* output_tokens() const { return output_; }
  const std::vector<Token>& input() const { return *input_; }
  const std::vector<Token>& output() const { return *output_; }
  int64_t L() const { return input_len_; }
  int64_t N() const { return output_len_; }

 private:
  const std::vector<Token>* input_ = nullptr;
  const std::vector<Token>* output_ = nullptr;
  int64_t input_len_ = 0;
  int64_t output_len_ = 0;
};

// The run's requests and sub-requests: addresses never change (instances and the cluster hold
// pointers), and 256 requests share one allocation.
using RequestArena = ChunkedVector<SimRequest, 8>;

}  // namespace simcheck::model
