// `simcheck run` results as text and as an io::Report (JSON / JUnit for CI). Everything here is
// a deterministic function of the campaign result except `summary_text`'s timing line.
#pragma once

#include <string>

#include "io/report_writer.h"
#include "properties/gen/campaign.h"

namespace simcheck::cli {

// The canonical command line of a campaign: only the options that determine its result (not
// --jobs, --report, --corpus-dir), so equal strings mean equal campaigns.
std::string campaign_command(const gen::CampaignOptions& options);

// Two suites: "campaign" (one check per catalogue entry: violated and gating when the minimal
// failing case violates it, violated but non-gating with the number of cases when only known
// exceptions were seen, else held; notes carry seed, counts, digest and the failure) and
// "coverage" (one check per coverage item: a required item nobody hit is a gating violation
// unless the gate is off; informational items not hit are not applicable). No timing fields.
io::Report campaign_report(const gen::CampaignOptions& options, const gen::CampaignResult& result,
                           const std::string& minimal_case_path);

// The human summary printed at the end (includes the wall-clock rate, which the reports omit).
std::string summary_text(const gen::CampaignOptions& options, const gen::CampaignResult& result,
                         int jobs);

// "ID [subject] detail" lines, one per violation.
std::string violations_text(const std::vector<properties::Violation>& violations);

}  // namespace simcheck::cli
