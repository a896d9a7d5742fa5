// Spec §11 verdicts: JSON and JUnit XML report writers (see report_writer.h).
#include "io/report_writer.h"

#include <nlohmann/json.hpp>

namespace simcheck::io {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  }
  return n;
}

// XML 1.0 forbids most control characters even escaped, and the document is UTF-8: both kinds
// of offending bytes (hostile input can put them in a witness) become '?'.
std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += '?';
      } else {
        out.append(s, i, n);
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string witness_line(const ReportViolation& v) {
  return (v.subject.empty() ? std::string("(run)") : v.subject) + ": " + v.detail +
         (v.known_exception ? " [known exception]" : "");
}

}  // namespace

const char* to_string(ReportCheck::Status s) {
  switch (s) {
    case ReportCheck::Status::held:
      return "held";
    case ReportCheck::Status::violated:
      return "violated";
    case ReportCheck::Status::not_applicable:
      return "not_applicable";
  }
  return "?";
}

ReportTotals totals(const ReportSuite& suite) {
  ReportTotals t;
  for (const auto& c : suite.checks) {
    switch (c.status) {
      case ReportCheck::Status::held:
        ++t.held;
        break;
      case ReportCheck::Status::violated:
        ++t.violated;
        break;
      case ReportCheck::Status::not_applicable:
        ++t.not_applicable;
        break;
    }
    if (c.gating) ++t.gating;
  }
  return t;
}

std::string write_report_json(const Report& report) {
  using nlohmann::ordered_json;
  ordered_json root;
  root["format"] = "simcheck-report/1";
  root["command"] = report.command;
  root["suites"] = ordered_json::array();
  for (const auto& suite : report.suites) {
    ordered_json s;
    s["name"] = suite.name;
    const ReportTotals t = totals(suite);
    s["totals"] = {{"held", t.held},
                   {"violated", t.violated},
                   {"not_applicable", t.not_applicable},
                   {"gating", t.gating}};
    s["notes"] = suite.notes;
    s["checks"] = ordered_json::array();
    for (const auto& c : suite.checks) {
      ordered_json j;
      j["id"] = c.id;
      j["title"] = c.title;
      j["status"] = to_string(c.status);
      j["gating"] = c.gating;
      if (c.status == ReportCheck::Status::not_applicable) {
        j["reason"] = c.not_applicable_reason;
      }
      j["violations"] = ordered_json::array();
      for (const auto& v : c.violations) {
        j["violations"].push_back(
            {{"subject", v.subject}, {"detail", v.detail}, {"known_exception", v.known_exception}});
      }
      s["checks"].push_back(std::move(j));
    }
    root["suites"].push_back(std::move(s));
  }
  // Invalid UTF-8 in a subject must not make the writer throw: replace it.
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string write_report_junit(const Report& report) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"simcheck\">\n";
  for (const auto& suite : report.suites) {
    const ReportTotals t = totals(suite);
    out += "  <testsuite name=\"" + xml_escape(suite.name) + "\" tests=\"" +
           std::to_string(suite.checks.size()) + "\" failures=\"" + std::to_string(t.gating) +
           "\" errors=\"0\" skipped=\"" + std::to_string(t.not_applicable) + "\">\n";
    for (const auto& c : suite.checks) {
      out += "    <testcase classname=\"simcheck." + xml_escape(suite.name) + "\" name=\"" +
             xml_escape(c.id + (c.title.empty() ? "" : " " + c.title)) + "\"";
      std::string witnesses;
      for (const auto& v : c.violations) witnesses += witness_line(v) + "\n";
      if (c.status == ReportCheck::Status::not_applicable) {
        out += ">\n      <skipped message=\"" + xml_escape(c.not_applicable_reason) + "\"/>\n";
        out += "    </testcase>\n";
      } else if (c.gating) {
        out += ">\n      <failure message=\"" +
               xml_escape(std::to_string(c.violations.size()) + " violation(s)") +
               "\" type=\"violated\">" + xml_escape(witnesses) + "</failure>\n";
        out += "    </testcase>\n";
      } else if (!witnesses.empty()) {
        out += ">\n      <system-out>" + xml_escape(witnesses) + "</system-out>\n";
        out += "    </testcase>\n";
      } else {
        out += "/>\n";
      }
    }
    if (!suite.notes.empty()) {
      std::string notes;
      for (const auto& n : suite.notes) notes += n + "\n";
      out += "    <system-out>" + xml_escape(notes) + "</system-out>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace simcheck::io
