// Spec §11 INV-4 (KV block conservation, §6.5) at every event boundary of the processed-event
// log, and at the end of the run: block owners are in a state that may hold KV, and a run with no
// pending work holds no blocks.
#include <algorithm>
#include <string>

#include "properties/check_support.h"
#include "properties/checks.h"

namespace simcheck::properties {

CheckResult check_kv_blocks(const RunOutput& run) {
  using model::RequestState;
  using support::kv;
  const bool any = std::any_of(run.instances.begin(), run.instances.end(),
                               [](const auto& inst) { return inst.kv_total_blocks > 0; });
  if (!any) return not_applicable("INV-4", "instances[].kv_total_blocks missing");
  support::Violations out("INV-4");
  const auto parents = support::index_parents(run);
  const bool pd = support::is_pd_run(run);
  // Decode instances holding KV reserved for a transfer still in flight (§9.5).
  support::IdSet reserving;
  if (run.parents) {
    for (const auto& p : *run.parents) {
      if (p.decode_sub && p.decode_enqueue_time == 0) reserving.insert(p.decode_instance);
    }
  }

  for (const auto& inst : run.instances) {
    const int64_t total = inst.kv_total_blocks;
    if (total <= 0) continue;
    // ---- every event boundary ----
    if (inst.events) {
      const auto& ev = *inst.events;
      for (std::size_t i = 0; i < ev.size(); ++i) {
        const model::EventRecord& e = ev[i];
        std::string why;
        if (e.kv_free_count < 0 || e.kv_in_use_blocks < 0) {
          why = "negative block count";
        } else if (e.kv_free_count + e.kv_in_use_blocks != total) {
          why = "free + in_use != total";
        } else if (e.kv_ref_sum != e.kv_owned_sum) {
          why = "sum of refs != sum of owner list lengths";
        } else if (e.kv_ref_sum < e.kv_in_use_blocks ||
                   ((e.kv_in_use_blocks == 0) != (e.kv_ref_sum == 0))) {
          why = "in_use <=> ref > 0 broken";
        }
        if (!why.empty()) {
          out.fail(inst.id,
                   "after event #" + std::to_string(i) + " " + model::to_string(e.kind) + " at " +
                       std::to_string(e.time) + ": " + why + " (" + kv("free", e.kv_free_count) +
                       " " + kv("in_use", e.kv_in_use_blocks) + " " + kv("total", total) + " " +
                       kv("ref_sum", e.kv_ref_sum) + " " + kv("owned_sum", e.kv_owned_sum) + ")");
        }
      }
    }
    // ---- end of run ----
    const int64_t used = inst.kv_used_at_end;
    if (used < 0 || used > total) {
      out.fail(inst.id, kv("kv_used_at_end", used) + " outside [0, " + kv("total", total) + "]");
    }
    if (!inst.final_states.empty()) {
      int64_t owned = 0;
      for (const auto& [id, fs] : inst.final_states) {
        owned += fs.kv_blocks_owned;
        if (fs.kv_blocks_owned <= 0 || fs.state == RequestState::running) continue;
        // Besides RUNNING requests only a decode sub-request holding its reserved KV may own
        // blocks: WAITING_FOR_REMOTE_KVS, or QUEUED with pi = L.
        const auto it = parents.by_sub_id.find(id);
        const bool is_decode =
            it != parents.by_sub_id.end()
                ? it->second->decode_id == id
                : (pd && !run.parents && id.size() > 7 && id.ends_with("_decode"));
        bool allowed = false;
        if (is_decode && fs.state == RequestState::waiting_for_remote_kvs) allowed = true;
        if (is_decode && fs.state == RequestState::queued) {
          allowed = it == parents.by_sub_id.end() || fs.pi == it->second->input_len;
        }
        if (!allowed) {
          out.fail(id, std::string("owns ") + std::to_string(fs.kv_blocks_owned) + " block(s) on " +
                           inst.id + " at the end while " + model::to_string(fs.state) + " " +
                           kv("pi", fs.pi));
        }
      }
      // Every in-use block has at least one owner entry and vice versa.
      if (used > owned || ((used == 0) != (owned == 0))) {
        out.fail(inst.id, kv("kv_used_at_end", used) + " but the final owners hold " +
                              std::to_string(owned) + " block reference(s)");
      }
    }
    // With no pending work (nothing queued or running, no KV reserved for a transfer in flight)
    // nothing may hold blocks.
    bool pending = !inst.wait_queue_at_end.empty() || !inst.running_at_end.empty();
    if (pd) {
      if (run.parents) {
        pending = pending || reserving.count(inst.id) != 0;
      } else {
        pending = pending || !run.pd || run.pd->pd_in_transfer > 0;
      }
    }
    if (!pending && used != 0) {
      out.fail(inst.id, kv("kv_used_at_end", used) + " with no pending work (expected 0)");
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
