// Spec §1.3 items 3-4, §2, §12.2: a simcheck case as a BLIS replay input — the trace in BLIS's
// format, the BLIS flags that reproduce the configuration, and what has no BLIS equivalent.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/blis_trace.h"
#include "model/case.h"

namespace simcheck::io {

struct BlisExport {
  BlisTrace trace;
  // `blis replay` flags, in order: {"--flag", "value"} (value never empty).
  std::vector<std::pair<std::string, std::string>> flags;
  // Settings of the case that BLIS cannot reproduce: with any of them the two simulators are not
  // expected to agree, so `simcheck export` refuses unless forced.
  std::vector<std::string> not_equivalent;
  // Things the user must know or do by hand (model description, least-loaded ties, ...).
  std::vector<std::string> caveats;
  // BLIS names replayed requests request_<n>. A case with other ids is exported as the same case
  // with request i renamed request_<i> (ids order completion detection, §9.4, so the renamed
  // case — not the original — is what BLIS's output is to be compared with): it is here, with
  // the renaming, original id -> new id, in the case's request order.
  std::optional<model::Case> renamed_case;
  std::vector<std::pair<std::string, std::string>> renamed_ids;
};

// Precondition: model::validate_case(c) returned no error. Renames ids that are not request_<n>
// (see BlisExport::renamed_case), materialises the case (§12) and maps
// its token sharing onto BLIS prefix groups: requests whose inputs share at least one full KV
// block form a group whose prefix is the tokens all of them share; this is exact at block
// granularity (the only granularity the prefix cache sees, §6) when every pair in the group
// shares the same number of full blocks, and is reported as not equivalent otherwise.
BlisExport export_to_blis(const model::Case& c);

// "--a=1 --b=x ..." for a shell (the `=` form is the only one pflag reads for booleans).
std::string join_flags(const std::vector<std::pair<std::string, std::string>>& flags);

}  // namespace simcheck::io
