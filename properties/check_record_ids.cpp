// Spec §10.1 (maps keyed by request id) seen through a source that lists per-request records
// (BLIS's requests[]): each record names a different request (REQ-RECORD-IDS). The maps merge a
// duplicated id, so only the list shows it.
#include <unordered_map>

#include "properties/check_support.h"
#include "properties/coverage.h"

namespace simcheck::properties {

CheckResult check_record_ids(const model::RunOutput& run) {
  const char* id = "REQ-RECORD-IDS";
  if (!run.request_record_ids) {
    return not_applicable(id,
                          "request_record_ids missing (the source lists no per-request "
                          "records)");
  }
  support::Violations out(id);
  std::unordered_map<std::string_view, std::size_t> first_at;
  for (std::size_t i = 0; i < run.request_record_ids->size(); ++i) {
    const std::string& rid = (*run.request_record_ids)[i];
    auto [it, inserted] = first_at.emplace(rid, i);
    if (!inserted) {
      out.fail(rid, "listed again as record #" + std::to_string(i) + " (first as record #" +
                        std::to_string(it->second) + ")");
    }
  }
  return std::move(out).finish();
}

}  // namespace simcheck::properties
