// io/report_writer: the JSON and JUnit reports of a neutral summary.
#include "io/report_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace simcheck::io {
namespace {

Report sample() {
  ReportSuite s;
  s.name = "out.json";
  s.notes = {"duplicate requestID request_3"};
  ReportCheck held{"C-1", "TTFT <= E2E", ReportCheck::Status::held, "", false, {}};
  ReportCheck gate{"STAT-MEANS",
                   "Reported means",
                   ReportCheck::Status::violated,
                   "",
                   true,
                   {{"", "e2e_mean_ms: reported=1 recomputed=2 <&>", false}}};
  ReportCheck known{"C-1b", "",    ReportCheck::Status::violated,
                    "",     false, {{"p7", "ttft=5 > e2e=4", true}}};
  ReportCheck na{"INV-4", "KV", ReportCheck::Status::not_applicable, "x \"y\" not reported",
                 false,   {}};
  s.checks = {held, gate, known, na};
  return Report{"simcheck check out.json", {s}};
}

TEST(ReportWriter, TotalsCountStatusesAndGates) {
  const ReportTotals t = totals(sample().suites[0]);
  EXPECT_EQ(t.held, 1);
  EXPECT_EQ(t.violated, 2);
  EXPECT_EQ(t.not_applicable, 1);
  EXPECT_EQ(t.gating, 1);
}

TEST(ReportWriter, JsonCarriesEveryCheck) {
  const auto j = nlohmann::json::parse(write_report_json(sample()));
  EXPECT_EQ(j["format"], "simcheck-report/1");
  const auto& s = j["suites"][0];
  EXPECT_EQ(s["totals"]["gating"], 1);
  EXPECT_EQ(s["checks"][1]["status"], "violated");
  EXPECT_EQ(s["checks"][1]["violations"][0]["detail"], "e2e_mean_ms: reported=1 recomputed=2 <&>");
  EXPECT_EQ(s["checks"][3]["reason"], "x \"y\" not reported");
  EXPECT_EQ(s["notes"][0], "duplicate requestID request_3");
  EXPECT_EQ(write_report_json(sample()), write_report_json(sample()));  // deterministic
}

TEST(ReportWriter, JUnitFailsOnlyGatingChecksAndEscapes) {
  const std::string x = write_report_junit(sample());
  EXPECT_NE(x.find("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos)
      << x;
  EXPECT_NE(x.find("recomputed=2 &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(x.find("<skipped message=\"x &quot;y&quot; not reported\"/>"), std::string::npos);
  EXPECT_NE(x.find("<system-out>p7: ttft=5 &gt; e2e=4 [known exception]"), std::string::npos);
  // Invalid UTF-8 and control bytes from hostile input never reach the XML.
  Report r = sample();
  r.suites[0].checks[1].violations[0].subject = std::string("bad\xff\x01id");
  const std::string y = write_report_junit(r);
  EXPECT_NE(y.find("bad??id"), std::string::npos);
}

}  // namespace
}  // namespace simcheck::io
