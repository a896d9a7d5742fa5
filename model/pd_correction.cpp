// Spec §10.3: PD conservation correction.
#include "model/pd_correction.h"

namespace simcheck::model {

void apply_pd_correction(Counters& counters, PdCounters& pd, std::vector<std::string>& warnings) {
  // A parent must not count twice: its prefill sub-request completed on a prefill instance.
  counters.completed -= pd.pd_prefill_completed;
  counters.dropped_unservable += pd.dropped_at_decode_kv;
  pd.pd_in_transfer = pd.pd_prefill_completed - pd.pd_decode_completed - pd.pd_decode_timed_out -
                      pd.dropped_at_decode_kv - pd.pending_decode_at_end;
  if (pd.pd_in_transfer > 0) counters.still_running += pd.pd_in_transfer;
  if (pd.pd_in_transfer < 0) {
    warnings.push_back("pd_correction: pd_in_transfer = " + std::to_string(pd.pd_in_transfer) +
                       " < 0 (PD bookkeeping error)");
  }
}

}  // namespace simcheck::model
