// Spec §8.1–§8.6: the cluster driver (event loop, admission, standard routing, in-flight
// accounting) and the end-of-run accounting (pipeline_pending, §10.6); §4.2 standalone driver.
#include "model/cluster.h"

#include <algorithm>
#include <set>
#include <utility>

#include "model/cluster_driver.h"

namespace simcheck::model {
namespace {

std::string instance_id(int i) { return "instance_" + std::to_string(i); }

Role role_of(const Config& config, int i) {
  if (!config.pd_enabled()) return Role::none;
  if (i < config.prefill_instances) return Role::prefill;
  if (i < config.prefill_instances + config.decode_instances) return Role::decode;
  return Role::none;  // never receives traffic
}

int64_t count_beyond_horizon(const std::vector<SimRequest*>& trace, int64_t horizon) {
  int64_t n = 0;
  for (const SimRequest* r : trace) n += r->arrival > horizon ? 1 : 0;
  return n;
}

// Requests injected into an instance whose ARRIVAL or QUEUED event never ran: in neither
// container, state still QUEUED, but (unlike a request dropped at enqueue, §7.2) still in
// requests_meta. `instance_of(r)` gives the instance r was injected into, or -1.
template <class InstanceOf>
int64_t count_not_yet_enqueued(const std::vector<const SimRequest*>& injected,
                               const std::vector<InstanceOutput>& outputs, InstanceOf instance_of) {
  std::vector<std::set<std::string, std::less<>>> waiting(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    waiting[i].insert(outputs[i].wait_queue_at_end.begin(), outputs[i].wait_queue_at_end.end());
  }
  int64_t n = 0;
  for (const SimRequest* r : injected) {
    if (r->state != RequestState::queued) continue;
    const int i = instance_of(*r);
    if (i < 0) continue;
    if (waiting[i].count(r->id.view()) != 0) continue;
    if (outputs[i].maps.requests_meta.count(r->id) != 0) ++n;
  }
  return n;
}

}  // namespace

ClusterDriver::ClusterDriver(const Config& config, int64_t seed, RequestArena& arena,
                             const ClusterHooks& hooks)
    : config_(config),
      arena_(arena),
      hooks_(hooks),
      router_stream_(stream(seed, "router")),
      router_(config.routing_policy, config.least_loaded_tiebreak,
              [this](int64_t n) {
                return static_cast<int64_t>(router_stream_.uniform(static_cast<uint64_t>(n)));
              }),
      in_flight_(config.num_instances),
      agenda_(config.num_instances) {
  for (int i = 0; i < config.num_instances; ++i) {
    roles_.push_back(role_of(config, i));
    instances_.emplace_back(instance_id(i), roles_.back(), config);
    index_of_[instance_id(i)] = i;
  }
  // ⚑ A6: one policy object serves both pools unless the quirk is switched off, in which case
  // the prefill pool gets its own (own round-robin counter; the router stream stays shared
  // because §12.1 defines one "router" stream per run).
  if (config.pd_enabled() && !config.quirks.shared_pd_routing_policy) {
    prefill_router_ = std::make_unique<Router>(
        config.routing_policy, config.least_loaded_tiebreak, [this](int64_t n) {
          return static_cast<int64_t>(router_stream_.uniform(static_cast<uint64_t>(n)));
        });
  }
}

bool ClusterDriver::routable(int i, int64_t t) const {
  return !hooks_.routable || hooks_.routable(i, t);
}

const std::vector<int>& ClusterDriver::candidates(Role pool, int64_t t) {
  std::vector<int>& out = candidates_;
  out.clear();
  for (int i = 0; i < static_cast<int>(instances_.size()); ++i) {
    if (config_.pd_enabled() && roles_[i] != pool) continue;
    if (routable(i, t)) out.push_back(i);
  }
  return out;
}

InstanceLoad ClusterDriver::load_of(int i) const {
  return InstanceLoad{instances_[i].queue_depth(), instances_[i].batch_size(), in_flight_[i]};
}

Router& ClusterDriver::router_for(Role pool) {
  return (pool == Role::prefill && prefill_router_) ? *prefill_router_ : router_;
}

void ClusterDriver::run(const std::vector<SimRequest*>& trace) {
  counters_.trace_requests = static_cast<int64_t>(trace.size());
  if (config_.pd_enabled()) parents_.reserve(trace.size());  // at most one parent per request
  counters_.trace_beyond_horizon = count_beyond_horizon(trace, config_.horizon_us);
  // The C_ARRIVALs in the order a queue would pop them: by time, then by push order (seq).
  arrivals_.assign(trace.begin(), trace.end());
  const auto by_arrival = [](const SimRequest* a, const SimRequest* b) {
    return a->arrival < b->arrival;
  };
  if (!std::is_sorted(arrivals_.begin(), arrivals_.end(), by_arrival)) {
    std::stable_sort(arrivals_.begin(), arrivals_.end(), by_arrival);
  }
  next_arrival_ = 0;
  const int64_t horizon = config_.horizon_us;
  for (;;) {
    const bool have_arrival = next_arrival_ < arrivals_.size();
    const bool have_cluster = have_arrival || !events_.empty();
    // Earliest instance event; ties → lowest index.
    const int k = agenda_.empty() ? -1 : agenda_.index();
    const int64_t ti = agenda_.empty() ? 0 : agenda_.time();
    if (!have_cluster && k < 0) break;
    // The earliest cluster event: an arrival (priority 0) wins a time tie with any other kind.
    const bool arrival_first =
        have_arrival &&
        (events_.empty() || arrivals_[next_arrival_]->arrival <= events_.top().time);
    const int64_t tc = !have_cluster   ? 0
                       : arrival_first ? arrivals_[next_arrival_]->arrival
                                       : events_.top().time;
    if (have_cluster && (k < 0 || tc <= ti)) {  // cluster events win ties
      clock_ = tc;
      if (clock_ > horizon) break;  // NOT executed; left queued for the end-of-run accounting
      if (arrival_first) {
        SimRequest* r = arrivals_[next_arrival_++];
        execute(ClusterEvent{tc, ClusterEventKind::arrival, 0, r, -1});
      } else {
        execute(events_.pop());
      }
    } else {
      const int64_t prev = clock_;
      clock_ = ti;
      if (clock_ > horizon) break;
      process_instance_event(k, prev);
    }
  }
}

void ClusterDriver::process_instance_event(int k, int64_t prev) {
  EventEffect& effect = effect_;
  instances_[k].process_next(effect);
  refresh_agenda(k);
  if (effect.lazily_cancelled) clock_ = prev;  // the cluster clock is restored too
  // §8.6: the counter changes caused by this one event.
  const int64_t delta =
      effect.delta_completed + effect.delta_dropped_unservable + effect.delta_timed_out;
  if (!in_flight_.on_event(k, delta)) {
    warnings_.push_back("in_flight[" + instances_[k].id() +
                        "] went negative at t=" + std::to_string(clock_) + "; clamped to 0");
  }
  if (!config_.pd_enabled()) return;
  if (roles_[k] == Role::prefill) detect_prefill(effect);
  if (roles_[k] == Role::decode) detect_decode(effect);
}

void ClusterDriver::execute(const ClusterEvent& e) {
  switch (e.kind) {
    case ClusterEventKind::arrival:
      counters_.arrived += 1;
      events_.push(e.time + config_.admission_latency_us, ClusterEventKind::admit, e.request, -1);
      return;
    case ClusterEventKind::admit:
      // §8.4: always-admit is the only v1 policy, so `rejected` stays 0.
      events_.push(e.time + config_.routing_latency_us, ClusterEventKind::route, e.request, -1);
      return;
    case ClusterEventKind::route:
      if (config_.pd_enabled()) {
        disagg_route(*e.request, e.time);
      } else {
        standard_route(*e.request, e.time);
      }
      return;
    case ClusterEventKind::prefill_route:
      prefill_route(e.parent, e.time);
      return;
    case ClusterEventKind::kv_start:
      kv_start(e.parent, e.time);
      return;
    case ClusterEventKind::kv_done:
      kv_done(e.parent, e.time);
      return;
  }
}

void ClusterDriver::standard_route(SimRequest& r, int64_t t) {
  const std::vector<int>& c = candidates(Role::none, t);
  if (c.empty()) {
    counters_.routing_rejections += 1;
    return;
  }
  dispatch(router_.choose(c, [this](int i) { return load_of(i); }), r, t);
}

void ClusterDriver::dispatch(int target, SimRequest& r, int64_t t) {
  r.assigned = instances_[target].id();
  in_flight_.on_dispatch(target);
  instances_[target].inject(r, t);
  refresh_agenda(target);
}

void ClusterDriver::refresh_agenda(int i) { agenda_.set(i, instances_[i].next_event_time()); }

int64_t ClusterDriver::count_pipeline_pending(const std::vector<InstanceOutput>& outputs,
                                              const std::vector<SimRequest*>& trace) const {
  int64_t n = 0;
  // Cluster hops still queued (all lie beyond the horizon). A pending C_ARRIVAL is a request
  // that never arrived (trace_beyond_horizon), not a pipeline one.
  for (const ClusterEvent& e : events_.pending()) {
    if (e.kind == ClusterEventKind::admit || e.kind == ClusterEventKind::route ||
        e.kind == ClusterEventKind::prefill_route) {
      ++n;
    }
  }
  std::vector<const SimRequest*> injected(trace.begin(), trace.end());
  for (const PdParent& p : parents_) injected.push_back(p.prefill);
  return n + count_not_yet_enqueued(injected, outputs, [this](const SimRequest& r) {
           if (r.assigned.empty()) return -1;  // never injected (still in the pipeline)
           return index_of_.at(r.assigned);
         });
}

DriverResult ClusterDriver::finish(const std::vector<SimRequest*>& trace) {
  DriverResult out;
  for (Instance& inst : instances_) out.instances.push_back(inst.finalize(config_.horizon_us));
  out.cluster = counters_;
  out.cluster.pipeline_pending = count_pipeline_pending(out.instances, trace);
  if (config_.pd_enabled()) {
    PdCounters pd = pd_;
    pd.pending_decode_at_end = pending_decode_count_;
    pd.active_transfers_at_end = contention_.active;
    pd.peak_concurrent_transfers = contention_.peak;
    pd.transfer_depth_sum = contention_.depth_sum;
    pd.transfer_start_count = contention_.start_count;
    pd.contention_corrupted = contention_.corrupted;
    out.pd = pd;
    out.parents.reserve(parents_.size());
    for (PdParent& p : parents_) out.parents.push_back(final_record(p, out.instances));
  }
  if (contention_.corrupted) warnings_.push_back("contention bookkeeping corrupted");
  out.warnings = std::move(warnings_);
  return out;
}

DriverResult run_cluster(const Config& config, int64_t seed, const std::vector<SimRequest*>& trace,
                         RequestArena& arena, const ClusterHooks& hooks) {
  ClusterDriver driver(config, seed, arena, hooks);
  driver.run(trace);
  return driver.finish(trace);
}

DriverResult run_standalone(const Config& config, const std::vector<SimRequest*>& trace) {
  Instance inst(instance_id(0), Role::none, config);
  const int64_t horizon = config.horizon_us;
  DriverResult out;
  for (SimRequest* r : trace) inst.inject(*r, r->arrival);  // even past the horizon (warned)
  const int64_t beyond = count_beyond_horizon(trace, horizon);
  if (beyond > 0) {
    out.warnings.push_back(std::to_string(beyond) + " trace request(s) arrive after the horizon");
  }
  for (;;) {
    const std::optional<int64_t> next = inst.next_event_time();
    if (!next) break;
    // ⚑ A11: BLIS's library loop runs the first event past the horizon, then stops.
    // Δ1 (causal): the loop checks before processing, as §8.3 does.
    if ((config.causal() || !config.quirks.standalone_runs_event_past_horizon) && *next > horizon) {
      break;
    }
    inst.process_next();
    if (inst.clock() > horizon) break;
  }
  out.instances.push_back(inst.finalize(horizon));
  ClusterCounters& c = out.cluster;
  c.trace_requests = static_cast<int64_t>(trace.size());
  c.arrived = c.trace_requests;  // every request is pushed as an instance ARRIVAL
  c.trace_beyond_horizon = beyond;
  std::vector<const SimRequest*> injected(trace.begin(), trace.end());
  c.pipeline_pending =
      count_not_yet_enqueued(injected, out.instances, [](const SimRequest&) { return 0; });
  return out;
}

}  // namespace simcheck::model
