// Spec §4.1, §7 (instance engine), §7.9 (PD entry points), §7.10 (finalize), §10.1 (metrics).
// The contract between the instance engine and the cluster driver (§8, §9).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/run_output.h"
#include "model/sim_request.h"

namespace simcheck::model {

// What one processed instance event changed, for the cluster loop (§8.3, §8.6, §9.4, §9.7).
struct EventEffect {
  bool lazily_cancelled = false;  // a TIMEOUT of a COMPLETED request: clock untouched
  int64_t time = 0;               // the event's time (meaningful unless lazily cancelled)
  int64_t delta_completed = 0;
  int64_t delta_dropped_unservable = 0;
  int64_t delta_timed_out = 0;
  // Requests RECORDed (completed or length-capped, §7.6) by this event, in record order.
  std::vector<SimRequest*> recorded;
  // Requests that became TIMED_OUT by this event (§7.8; also guard 6 of §7.2).
  std::vector<SimRequest*> timed_out;
  // For a STEP that ran (not an orphan): its advance `adv` (§7.5), else 0. The cluster needs it
  // only for the non-default Quirks::detect_completion_at_step_start = false (detect at the end
  // of the finishing step, i.e. time + step_advance).
  int64_t step_advance = 0;
};

class Instance {
 public:
  Instance(std::string id, Role role, const Config& config);
  ~Instance();
  Instance(Instance&&) noexcept;
  Instance& operator=(Instance&&) noexcept;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const std::string& id() const;
  Role role() const;
  int64_t clock() const;

  // §8.2 INJECT: register requests_meta[r.id] (handled_by = r.assigned), push ARRIVAL(r) at t.
  void inject(SimRequest& r, int64_t t);

  // Time of the head of the event queue, if any (lazily cancellable TIMEOUTs included).
  std::optional<int64_t> next_event_time() const;
  // §4.1: pop and process the head event. Precondition: next_event_time() has a value.
  EventEffect process_next();
  // The same, writing into `effect` (reset first; its lists keep their capacity, so a driver that
  // reuses one EventEffect allocates nothing per event).
  void process_next(EventEffect& effect);

  // §7.9 RESERVE / ENQUEUE_DECODE, and RELEASE for a late drop (§9.6).
  bool reserve(SimRequest& dec);
  void enqueue_decode(SimRequest& dec, int64_t t);
  void release(SimRequest& r);

  // §8.5 routing snapshot.
  int64_t queue_depth() const;
  int64_t batch_size() const;

  // §7.10 then §10.1/§10.5: the instance's output before projection. Call once, at the end.
  InstanceOutput finalize(int64_t horizon);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace simcheck::model
