// Addendum C (laws about steps): BLIS's `--log debug` stderr read into the step log and the
// per-request phase times of model::RunOutput, so that the timeline laws run on BLIS's own clock.
//
// BLIS logs every instance event as "[tick N] Executing *sim.<Kind>" without naming the instance.
// The reader attributes each event to an instance through the request ids the event's lines name
// and the routing lines ("[cluster] ... → instance_k"). A step's end is s + adv, which BLIS does
// not print: it is the time of the RequestLeft of a request that finished in the step (BLIS
// schedules it at s + adv), or else the start of the instance's next step (BLIS schedules it at
// s + adv when requests remain). Mapping and limits: docs/oracle.md "BLIS debug log".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "io/external_input.h"
#include "model/run_output.h"

namespace simcheck::io {

struct BlisTimeline {
  // Per instance id ("instance_0", ...): its steps in execution order and its requests' times.
  std::map<std::string, std::vector<model::StepRecord>> steps;
  std::map<std::string, std::map<std::string, model::RequestPhaseTimes>> phase_times;
  // Steps the reader could not place (no request named in them) or whose end it cannot know
  // (the run stopped inside them); reported, never guessed.
  int64_t unattributed_steps = 0;
  int64_t steps_without_end = 0;
};

// Parses the log text. Lines that are not logrus debug records of a known shape are ignored
// (BLIS adds messages over time); a known record with a malformed number is an InputError.
std::variant<BlisTimeline, InputError> parse_blis_debug_log(const NamedText& log);

// Puts the timeline into `run`: instances[i].steps / phase_times for every instance of `run`
// (instances the log names but `run` lacks are reported in run.warnings, not invented).
void apply_blis_timeline(const BlisTimeline& timeline, model::RunOutput& run);

}  // namespace simcheck::io
