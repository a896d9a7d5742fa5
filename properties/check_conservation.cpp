// Spec §11 INV-1 (request conservation: cluster, standalone and BLIS forms) and its PD part
// "each parent lands in exactly one bucket" (§9.8 outcome table, §10.3 counters).
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"
#include "properties/exact.h"

namespace simcheck::properties {
namespace {

using exact::Sum;
using model::ParentOutcome;
using model::RequestState;
using support::kv;
using support::Violations;

// completed + still_queued + still_running + dropped_unservable + timed_out (after §10.3).
Sum outcome_buckets(const model::Counters& c) {
  Sum s;
  s.add(c.completed)
      .add(c.still_queued)
      .add(c.still_running)
      .add(c.dropped_unservable)
      .add(c.timed_out);
  return s;
}

std::string buckets_detail(const model::Counters& c) {
  return kv("completed", c.completed) + " " + kv("still_queued", c.still_queued) + " " +
         kv("still_running", c.still_running) + " " +
         kv("dropped_unservable", c.dropped_unservable) + " " + kv("timed_out", c.timed_out);
}

}  // namespace

CheckResult check_conservation(const RunOutput& run) {
  Violations out("INV-1");
  const model::Counters& c = run.aggregate.counters;
  const bool standalone = run.config && run.config->driver == model::Driver::standalone;
  if (run.cluster) {
    const model::ClusterCounters& cl = *run.cluster;
    if (run.trace && cl.trace_requests != static_cast<int64_t>(run.trace->size())) {
      out.fail("", kv("trace_requests", cl.trace_requests) + " but the trace has " +
                       std::to_string(run.trace->size()) + " requests");
    }
    if (standalone) {
      // |trace| = pipeline_pending + completed + still_queued + still_running + dropped + timed_out
      Sum rhs = outcome_buckets(c);
      rhs.add(cl.pipeline_pending);
      if (!(Sum(cl.trace_requests) == rhs)) {
        out.fail("", "standalone: " + kv("trace_requests", cl.trace_requests) +
                         " != " + kv("pipeline_pending", cl.pipeline_pending) + " + " +
                         buckets_detail(c) + " (= " + rhs.str() + ")");
      }
    } else {
      Sum rhs = outcome_buckets(c);
      rhs.add(cl.rejected).add(cl.routing_rejections).add(cl.pipeline_pending);
      if (!(Sum(cl.arrived) == rhs)) {
        out.fail("", kv("arrived", cl.arrived) + " != " + buckets_detail(c) + " " +
                         kv("rejected", cl.rejected) + " " +
                         kv("routing_rejections", cl.routing_rejections) + " " +
                         kv("pipeline_pending", cl.pipeline_pending) + " (sum " + rhs.str() + ")");
      }
      // trace_requests - arrived = number of trace requests with arrival > horizon; recomputed
      // from the trace when both it and the horizon are known.
      int64_t beyond = cl.trace_beyond_horizon;
      std::string beyond_source = "trace_beyond_horizon";
      if (run.trace && run.config) {
        beyond = 0;
        for (const auto& t : *run.trace) beyond += t.arrival > run.config->horizon_us ? 1 : 0;
        beyond_source = "trace requests with arrival > horizon";
      }
      Sum lhs(cl.trace_requests);
      lhs.sub(cl.arrived);
      if (!(lhs == Sum(beyond))) {
        out.fail("", kv("trace_requests", cl.trace_requests) + " - " + kv("arrived", cl.arrived) +
                         " = " + lhs.str() + " != " + beyond_source + " = " +
                         std::to_string(beyond));
      }
    }
  } else if (run.trace) {
    // BLIS form: no pipeline bucket, no admission counters; every arrived request must be in an
    // outcome bucket. Without a configuration every trace request is taken to have arrived.
    int64_t arrived = 0;
    for (const auto& t : *run.trace) {
      arrived += (!run.config || t.arrival <= run.config->horizon_us) ? 1 : 0;
    }
    const Sum rhs = outcome_buckets(c);
    if (!(Sum(arrived) == rhs)) {
      out.fail("", "BLIS form: " + std::to_string(arrived) +
                       " arrived trace requests != " + buckets_detail(c) + " (sum " + rhs.str() +
                       "); requests lost mid-pipeline (A12) or miscounted");
    }
  } else {
    return not_applicable("INV-1", "cluster counters and trace missing");
  }
  return std::move(out).finish();
}

CheckResult check_parent_buckets(const RunOutput& run) {
  if (!support::is_pd_run(run)) return not_applicable("INV-1-PD", "not a PD run");
  if (!run.parents) return not_applicable("INV-1-PD", "parents missing");
  Violations out("INV-1-PD");
  int64_t n_dropped_kv = 0, n_pending = 0, n_done = 0, n_timed = 0, n_past_prefill = 0;
  for (const auto& p : *run.parents) {
    const bool has_sub = p.decode_sub.has_value();
    const auto sub_state = has_sub ? p.decode_sub->state : RequestState::waiting_for_remote_kvs;
    const bool expect_completed = p.completion_time > 0 && !p.decode_instance.empty();
    if (p.completed != expect_completed) {
      out.fail(p.id, std::string("completed flag ") + (p.completed ? "true" : "false") +
                         " but completion_time > 0 and decode_instance set is " +
                         (expect_completed ? "true" : "false") + " (§10.4)");
    }
    std::string why;  // the §9.8 signature clause that fails, if any
    switch (p.outcome) {
      case ParentOutcome::prefill_dropped:
      case ParentOutcome::prefill_timed_out:
      case ParentOutcome::prefill_pending:
        if (p.prefill_complete_time != 0 || p.transfer_start_time != 0 ||
            p.transfer_complete_time != 0 || p.decode_enqueue_time != 0 || p.completion_time != 0 ||
            has_sub) {
          why = "prefill never detected, yet a later phase time or decode_sub is set";
        } else if (const auto* inst = support::find_instance(run, p.prefill_instance)) {
          // §9.8 signatures on the prefill instance: a drop erased requests_meta; a timeout left
          // the prefill sub-request TIMED_OUT.
          const auto fs = inst->final_states.find(p.prefill_id);
          if (p.outcome == ParentOutcome::prefill_dropped &&
              inst->maps.requests_meta.count(p.prefill_id) != 0) {
            why = "prefill dropped, yet its id is still in requests_meta of " + inst->id;
          } else if (p.outcome == ParentOutcome::prefill_timed_out &&
                     fs != inst->final_states.end() &&
                     fs->second.state != RequestState::timed_out) {
            why = std::string("prefill timed out, yet its final state is ") +
                  model::to_string(fs->second.state);
          }
        }
        break;
      case ParentOutcome::dropped_at_start:
        ++n_dropped_kv;
        ++n_past_prefill;
        if (p.transfer_start_time != p.completion_time || p.transfer_complete_time != 0 ||
            has_sub || p.decode_enqueue_time != 0) {
          why = "needs transfer_start = completion, transfer_complete = 0, decode_sub = null";
        }
        break;
      case ParentOutcome::in_transfer:
        ++n_past_prefill;
        if (!has_sub || p.transfer_complete_time != 0 || p.completion_time != 0) {
          why = "needs decode_sub != null, transfer_complete = 0, completion = 0";
        }
        break;
      case ParentOutcome::late_drop:
        ++n_dropped_kv;
        ++n_past_prefill;
        if (p.transfer_complete_time <= 0 || has_sub ||
            p.completion_time != p.transfer_complete_time) {
          why = "needs transfer_complete > 0, decode_sub = null, completion = transfer_complete";
        }
        break;
      case ParentOutcome::decode_pending:
        ++n_pending;
        ++n_past_prefill;
        if (!has_sub || p.decode_enqueue_time <= 0 || p.completion_time != 0 ||
            (sub_state != RequestState::queued && sub_state != RequestState::running)) {
          why = "needs an enqueued QUEUED/RUNNING decode_sub and completion = 0";
        }
        break;
      case ParentOutcome::decode_completed:
        ++n_done;
        ++n_past_prefill;
        if (!has_sub || sub_state != RequestState::completed || p.completion_time <= 0 ||
            p.decode_detect_tick <= 0) {
          why = "needs a COMPLETED decode_sub, completion > 0, decode_detect_tick > 0";
        }
        break;
      case ParentOutcome::decode_timed_out:
        ++n_timed;
        ++n_past_prefill;
        if (!has_sub || sub_state != RequestState::timed_out || p.completion_time <= 0) {
          why = "needs a TIMED_OUT decode_sub and completion > 0";
        }
        break;
    }
    if (!why.empty()) {
      out.fail(p.id, std::string("outcome ") + model::to_string(p.outcome) + ": " + why + " (" +
                         kv("transfer_start", p.transfer_start_time) + " " +
                         kv("transfer_complete", p.transfer_complete_time) + " " +
                         kv("decode_enqueue", p.decode_enqueue_time) + " " +
                         kv("completion", p.completion_time) +
                         " decode_sub=" + (has_sub ? model::to_string(sub_state) : "null") + ")");
    }
  }
  if (run.pd) {
    const model::PdCounters& pd = *run.pd;
    auto expect = [&](const char* counter, int64_t reported, int64_t counted, const char* what) {
      if (reported != counted) {
        out.fail("",
                 kv(counter, reported) + " but " + std::to_string(counted) + " parent(s) " + what);
      }
    };
    expect("dropped_at_decode_kv", pd.dropped_at_decode_kv, n_dropped_kv,
           "dropped at transfer start or late");
    expect("pd_decode_completed", pd.pd_decode_completed, n_done, "with outcome decode_completed");
    expect("pd_decode_timed_out", pd.pd_decode_timed_out, n_timed, "with outcome decode_timed_out");
    expect("pending_decode_at_end", pd.pending_decode_at_end, n_pending,
           "with outcome decode_pending");
    expect("pd_prefill_completed", pd.pd_prefill_completed, n_past_prefill,
           "past prefill detection");
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
