// Spec §8 and §9: the cluster driver's state. Internal to model/ (cluster.cpp implements the
// loop, admission and standard routing; pd_flow.cpp the PD flow of §9).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/agenda.h"
#include "model/cluster.h"
#include "model/cluster_events.h"
#include "model/instance.h"
#include "model/pd_transfer.h"
#include "model/rng.h"
#include "model/routing.h"

namespace simcheck::model {

// A disaggregated parent (§9.1) while the run is in progress.
struct PdParent {
  ParentRecord record;  // lifecycle fields; outcome and decode_sub filled at the end
  SimRequest* original = nullptr;
  SimRequest* prefill = nullptr;  // the prefill sub-request
  SimRequest* decode = nullptr;   // §9.1 decode_sub: set on reservation, cleared by a late drop
  int decode_index = -1;          // instance index of record.decode_instance
  int prefill_index = -1;         // instance index of record.prefill_instance (-1 until routed)
  bool prefill_rejected = false;  // §9.3 found no prefill candidate (routability hook only)
  bool prefill_detected = false;  // §9.4 ran for it
  bool dropped_at_start = false;  // §9.5 DROP_AT_START
  bool kv_done = false;           // §9.6 ran with a decode sub-request (transfer completed)
  bool late_drop = false;         // §9.6 late drop
};

class ClusterDriver {
 public:
  ClusterDriver(const Config& config, int64_t seed, RequestArena& arena, const ClusterHooks& hooks);
  ClusterDriver(const ClusterDriver&) = delete;
  ClusterDriver& operator=(const ClusterDriver&) = delete;

  void run(const std::vector<SimRequest*>& trace);             // §8.3 loop
  DriverResult finish(const std::vector<SimRequest*>& trace);  // FINALIZE + end-of-run accounting

 private:
  // ---- cluster.cpp ----
  void execute(const ClusterEvent& e);
  void process_instance_event(int k, int64_t prev_clock);
  void standard_route(SimRequest& r, int64_t t);        // §8.5
  void dispatch(int target, SimRequest& r, int64_t t);  // §8.2 INJECT + §8.6
  bool routable(int i, int64_t t) const;
  const std::vector<int>& candidates(Role pool, int64_t t);  // routable, index order
  InstanceLoad load_of(int i) const;
  void refresh_agenda(int i);  // after anything that may change instance i's queue head
  Router& router_for(Role pool);
  int64_t count_pipeline_pending(const std::vector<InstanceOutput>& outputs,
                                 const std::vector<SimRequest*>& trace) const;

  // ---- pd_flow.cpp ----
  void disagg_route(SimRequest& r, int64_t t);  // §9.2
  void prefill_route(int parent, int64_t t);    // §9.3
  void kv_start(int parent, int64_t t);         // §9.5
  void drop_at_start(int parent, int64_t t);
  void kv_done(int parent, int64_t t);                // §9.6
  void detect_prefill(const EventEffect& effect);     // §9.4
  void detect_decode(const EventEffect& effect);      // §9.7
  int64_t detection_time(const EventEffect& effect);  // A5 switch
  ParentOutcome classify(const PdParent& p, const std::vector<InstanceOutput>& outputs) const;
  // Takes the parent's record and its decode sub-request's ITL list (the run is over).
  ParentRecord final_record(PdParent& p, const std::vector<InstanceOutput>& outputs) const;

  const Config& config_;
  RequestArena& arena_;
  ClusterHooks hooks_;
  const std::vector<Token> no_output_;  // the prefill sub-requests' empty output list
  std::vector<Instance> instances_;
  std::vector<Role> roles_;
  std::map<std::string, int> index_of_;  // instance id → index
  Rng router_stream_;
  Router router_;  // the policy object (all decisions, or the decode pool's)
  std::unique_ptr<Router> prefill_router_;  // only when shared_pd_routing_policy is off
  InFlightCounters in_flight_;
  ClusterEventQueue events_;
  // The trace's C_ARRIVAL events in (time, seq) order, consumed from `next_arrival_`: they are
  // pushed before every other cluster event and alone have priority 0, so they need no heap.
  std::vector<SimRequest*> arrivals_;
  size_t next_arrival_ = 0;
  // The instances' next event times: the §8.3 scan's result (earliest, then lowest index).
  Agenda agenda_;
  int64_t clock_ = 0;
  ClusterCounters counters_;
  PdCounters pd_;
  TransferContention contention_;
  std::vector<PdParent> parents_;
  // pending_prefill / pending_decode (§9.3, §9.6) are flags on the sub-requests
  // (SimRequest::pd_pending, pd_parent); the decode map's size is kept here.
  int64_t pending_decode_count_ = 0;
  // Scratch reused across events (no allocation per event).
  EventEffect effect_;
  std::vector<SimRequest*> detected_;
  std::vector<SimRequest*> timed_;
  std::vector<int> candidates_;
  std::vector<std::string> warnings_;
};

}  // namespace simcheck::model
