// Spec §11 INV-2 (lifecycle, §3.2): end-of-run containers agree with the final states and the
// counters, no request is in two containers, and (from the processed-event log) a request that
// left never re-enters except through preemption.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {
namespace {

using model::EventKind;
using model::RequestState;
using support::kv;

struct EventTally {
  int arrivals = 0, queued = 0, scheduled = 0, left = 0;
  bool reentered = false;        // an event after REQUEST_LEFT
  bool queued_early = false;     // QUEUED before ARRIVAL, or without one
  bool scheduled_early = false;  // SCHEDULED before QUEUED of a request that has an ARRIVAL
  const std::string* id = nullptr;
};

void check_events(support::Violations& out, const model::InstanceOutput& inst) {
  // Requests in order of first appearance, so that violations come out in log order.
  std::unordered_map<std::string_view, std::size_t> slot;
  std::vector<EventTally> tally;
  for (const model::EventRecord& e : *inst.events) {
    if (e.request_id.empty()) continue;
    auto [it, inserted] = slot.emplace(e.request_id, tally.size());
    if (inserted) {
      tally.emplace_back();
      tally.back().id = &e.request_id;
    }
    EventTally& t = tally[it->second];
    if (t.left > 0 && e.kind != EventKind::timeout) t.reentered = true;
    switch (e.kind) {
      case EventKind::arrival:
        ++t.arrivals;
        break;
      case EventKind::queued:
        ++t.queued;
        if (t.arrivals == 0) t.queued_early = true;
        break;
      case EventKind::scheduled:
        ++t.scheduled;
        if (t.arrivals > 0 && t.queued == 0) t.scheduled_early = true;
        break;
      case EventKind::request_left:
        ++t.left;
        break;
      case EventKind::step:
      case EventKind::step_end:
      case EventKind::timeout:
        break;  // a TIMEOUT after completion is a lazily cancelled one
    }
  }
  int64_t readmissions = 0;
  for (const EventTally& t : tally) {
    const std::string& id = *t.id;
    std::string why;
    if (t.arrivals > 1 || t.queued > 1 || t.left > 1) {
      why = "ARRIVAL/QUEUED/REQUEST_LEFT processed more than once";
    } else if (t.queued_early) {
      why = "QUEUED without a preceding ARRIVAL";
    } else if (t.scheduled_early) {
      why = "SCHEDULED before QUEUED";
    } else if (t.reentered) {
      why = "an event after its REQUEST_LEFT (re-entered the system)";
    } else if (t.left == 1) {
      const auto fs = inst.final_states.find(id);
      if (fs != inst.final_states.end() && fs->second.state != RequestState::completed) {
        why = std::string("REQUEST_LEFT processed but final state ") +
              model::to_string(fs->second.state);
      }
    }
    if (!why.empty()) out.fail(id, inst.id + ": " + why);
    readmissions += std::max(0, t.scheduled - 1);
  }
  // Leaving the batch and coming back happens only through preemption (RUNNING -> QUEUED).
  if (readmissions > inst.counters.preemption_count) {
    out.fail(inst.id, std::to_string(readmissions) + " re-admission(s) but " +
                          kv("preemption_count", inst.counters.preemption_count));
  }
}

}  // namespace

CheckResult check_lifecycle(const RunOutput& run) {
  const bool states_reported = std::any_of(run.instances.begin(), run.instances.end(),
                                           [](const auto& i) { return !i.final_states.empty(); });
  const bool requests_reached =
      std::any_of(run.instances.begin(), run.instances.end(), [](const auto& i) {
        const auto& c = i.counters;
        return !i.maps.requests_meta.empty() ||
               c.completed + c.timed_out + c.still_queued + c.still_running + c.dropped_unservable >
                   0;
      });
  if (!states_reported && requests_reached) {
    return not_applicable("INV-2", "instances[].final_states missing");
  }
  support::Violations out("INV-2");
  std::unordered_map<std::string_view, std::string_view> container_of;  // id -> instance
  for (const auto& inst : run.instances) {
    auto state_of = [&](const std::string& id) -> const model::FinalRequestState* {
      auto it = inst.final_states.find(id);
      return it == inst.final_states.end() ? nullptr : &it->second;
    };
    auto in_container = [&](const std::string& id, RequestState want, const char* where) {
      const auto* fs = state_of(id);
      if (fs == nullptr) {
        out.fail(id, std::string("in the ") + where + " of " + inst.id + " but has no final state");
      } else if (fs->state != want) {
        out.fail(id, std::string("in the ") + where + " of " + inst.id + " but " +
                         model::to_string(fs->state));
      }
      auto [it, inserted] = container_of.emplace(id, inst.id);
      if (!inserted) {
        out.fail(id, std::string("in two containers (") + std::string(it->second) + " and the " +
                         where + " of " + inst.id + ")");
      }
    };
    for (const auto& id : inst.wait_queue_at_end)
      in_container(id, RequestState::queued, "wait queue");
    for (const auto& id : inst.running_at_end) in_container(id, RequestState::running, "batch");

    const model::Counters& c = inst.counters;
    if (static_cast<int64_t>(inst.wait_queue_at_end.size()) != c.still_queued) {
      out.fail(inst.id, kv("still_queued", c.still_queued) + " but the wait queue holds " +
                            std::to_string(inst.wait_queue_at_end.size()));
    }
    if (static_cast<int64_t>(inst.running_at_end.size()) != c.still_running) {
      out.fail(inst.id, kv("still_running", c.still_running) + " but the batch holds " +
                            std::to_string(inst.running_at_end.size()));
    }
    if (states_reported) {
      int64_t completed = 0, timed_out = 0, running = 0;
      for (const auto& [id, fs] : inst.final_states) {
        completed += fs.state == RequestState::completed ? 1 : 0;
        timed_out += fs.state == RequestState::timed_out ? 1 : 0;
        running += fs.state == RequestState::running ? 1 : 0;
      }
      if (completed != c.completed) {
        out.fail(inst.id, kv("completed", c.completed) + " but " + std::to_string(completed) +
                              " request(s) end COMPLETED");
      }
      if (timed_out != c.timed_out) {
        out.fail(inst.id, kv("timed_out", c.timed_out) + " but " + std::to_string(timed_out) +
                              " request(s) end TIMED_OUT");
      }
      if (running != static_cast<int64_t>(inst.running_at_end.size())) {
        out.fail(inst.id, std::to_string(running) + " request(s) end RUNNING but the batch holds " +
                              std::to_string(inst.running_at_end.size()));
      }
      // Requests counted completed (E2E recorded, §7.6) are COMPLETED.
      for (const auto& [id, v] : inst.maps.e2e) {
        const auto* fs = state_of(id);
        if (fs != nullptr && fs->state != RequestState::completed) {
          out.fail(id,
                   "has an e2e entry on " + inst.id + " but ends " + model::to_string(fs->state));
        } else if (fs == nullptr) {
          out.fail(id, "has an e2e entry on " + inst.id + " but no final state");
        }
      }
    }
    if (inst.events) check_events(out, inst);
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
