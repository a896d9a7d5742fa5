// docs/fuzzing.md "Regression corpus": replays every seed of corpus/fuzz/<target>/ through its
// fuzz-target body, and every finding of corpus/regressions/ against its expected verdict, in the
// ordinary (g++, no libFuzzer) test run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/input_checks.h"
#include "io/blis_metrics_reader.h"
#include "io/blis_trace.h"
#include "io/case_reader.h"
#include "io/external_input.h"
#include "io/run_output_reader.h"
#include "model/config.h"

namespace simcheck {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(SIMCHECK_SOURCE_DIR) / "corpus";
constexpr const char* kSidecarSuffix = ".expect.json";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fuzz::Bytes as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// gtest parameter names allow only [A-Za-z0-9_].
std::string test_name(const fs::path& relative) {
  std::string name = relative.generic_string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------- seeds of corpus/fuzz/<target>/

// One test per target (not per file): libFuzzer's -merge adds hundreds of small seeds, and one
// ctest process per file would cost more than replaying them.
class FuzzSeedTest : public ::testing::TestWithParam<std::string> {};

// Every seed must behave under its target exactly as the fuzzer demands: no crash, no sanitizer
// report, no finding (readers: valid value or clear error; simulate_check: no gating violation
// under the current projection).
TEST_P(FuzzSeedTest, EverySeedBehavesUnderItsTarget) {
  const std::string& target = GetParam();
  const auto& bodies = fuzz::target_bodies();
  const auto body = std::find_if(bodies.begin(), bodies.end(),
                                 [&](const fuzz::TargetBody& b) { return b.name == target; });
  ASSERT_NE(body, bodies.end());
  const std::vector<fs::path> seeds = sorted_files(kCorpus / "fuzz" / target);
  EXPECT_FALSE(seeds.empty()) << "corpus/fuzz/" << target << "/ has no seed";
  for (const fs::path& seed : seeds) {
    const std::string bytes = read_bytes(seed);
    const fuzz::Finding finding = body->run(as_bytes(bytes));
    EXPECT_FALSE(finding.has_value()) << seed << ":\n" << finding.value_or("");
  }
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const fuzz::TargetBody& body : fuzz::target_bodies()) names.push_back(body.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Corpus, FuzzSeedTest, ::testing::ValuesIn(target_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// ---------------------------------------------------------------- corpus/regressions/

std::vector<fs::path> collect_sidecars() {
  std::vector<fs::path> sidecars;
  for (const fs::path& file : sorted_files(kCorpus / "regressions")) {
    if (ends_with(file.filename().string(), kSidecarSuffix)) sidecars.push_back(file);
  }
  return sidecars;
}

// What a reader made of an input: accepted, or the error it gave.
using ReadOutcome = std::variant<std::monostate, io::InputError>;

template <class Result>
ReadOutcome outcome_of(const Result& r) {
  if (const auto* e = std::get_if<io::InputError>(&r)) return *e;
  return std::monostate{};
}

// The reader verdict of docs/fuzzing.md: the first reader of the target's pipeline that rejects.
ReadOutcome read_with(const std::string& target, const std::string& bytes) {
  if (target == "case_reader") return outcome_of(io::parse_case(bytes, "input"));
  if (target == "run_output_reader") return outcome_of(io::parse_run_output(bytes, "input"));
  if (target == "blis_metrics_reader") {
    return outcome_of(io::parse_blis_output(io::NamedText{"input", bytes}, std::nullopt, {}));
  }
  // blis_trace_reader: header and CSV split as the fuzz target splits them.
  const std::string marker = std::string("\n") + fuzz::kBlisTraceSeparator + "\n";
  io::NamedText header{"header", ""};
  io::NamedText csv{"csv", bytes};
  if (bytes.rfind(std::string(fuzz::kBlisTraceSeparator) + "\n", 0) == 0) {
    csv.text = bytes.substr(marker.size() - 1);
  } else if (const size_t at = bytes.find(marker); at != std::string::npos) {
    header.text = bytes.substr(0, at + 1);
    csv.text = bytes.substr(at + marker.size());
  }
  auto trace = io::parse_blis_trace(header, csv);
  if (const auto* e = std::get_if<io::InputError>(&trace)) return *e;
  return outcome_of(io::to_trace_requests(std::get<io::BlisTrace>(trace), header.name, csv.name));
}

class RegressionTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(RegressionTest, GivesItsExpectedVerdict) {
  const fs::path& sidecar_path = GetParam();
  nlohmann::json sidecar;
  try {
    sidecar = nlohmann::json::parse(read_bytes(sidecar_path));
  } catch (const std::exception& e) {
    FAIL() << sidecar_path << ": not JSON: " << e.what();
  }
  ASSERT_EQ(sidecar.value("format", ""), "simcheck-regression/1") << sidecar_path;
  const std::string target = sidecar.at("target").get<std::string>();
  const fs::path input_path = sidecar_path.parent_path() / sidecar.at("input").get<std::string>();
  ASSERT_TRUE(fs::is_regular_file(input_path)) << input_path;
  const std::string bytes = read_bytes(input_path);
  const nlohmann::json& expect = sidecar.at("expect");

  const auto& bodies = fuzz::target_bodies();
  const auto body = std::find_if(bodies.begin(), bodies.end(),
                                 [&](const fuzz::TargetBody& b) { return b.name == target; });
  ASSERT_NE(body, bodies.end()) << sidecar_path << ": unknown target " << target;

  if (target == "simulate_check") {
    // The input is a simcheck-case/1 file; "projection" (optional) overrides its era.
    io::CaseReadResult read = io::parse_case(bytes, input_path.string());
    const auto* error = std::get_if<io::InputError>(&read);
    ASSERT_EQ(error, nullptr) << io::describe(*error);
    model::Case c = std::get<model::Case>(read);
    if (sidecar.contains("projection")) {
      ASSERT_TRUE(model::parse(sidecar["projection"].get<std::string>(), c.config.projection))
          << sidecar_path << ": bad projection";
    }
    const properties::CheckOptions options{sidecar.value("strict", false)};
    const fuzz::CaseVerdict verdict = fuzz::simulate_and_check(c, options);
    EXPECT_EQ(verdict.gating, expect.at("gating").get<bool>())
        << sidecar_path << " under projection " << model::to_string(c.config.projection) << ":\n"
        << verdict.report;
    const std::set<std::string> gating(verdict.gating_checks.begin(), verdict.gating_checks.end());
    for (const std::string& id : expect.value("violated", std::vector<std::string>{})) {
      EXPECT_TRUE(gating.count(id) == 1)
          << sidecar_path << ": expected a gating " << id << " violation; got:\n"
          << verdict.report;
    }
    return;
  }

  // Reader regressions: the fuzz body must hold (no crash, no finding) and the verdict match.
  const fuzz::Finding finding = body->run(as_bytes(bytes));
  EXPECT_FALSE(finding.has_value()) << input_path << ":\n" << finding.value_or("");
  const std::string result = expect.at("result").get<std::string>();
  const ReadOutcome outcome = read_with(target, bytes);
  const auto* error = std::get_if<io::InputError>(&outcome);
  if (result == "accept") {
    EXPECT_EQ(error, nullptr) << input_path << ": " << io::describe(*error);
  } else {
    ASSERT_EQ(result, "reject") << sidecar_path << ": expect.result is accept or reject";
    ASSERT_NE(error, nullptr) << input_path << ": accepted, expected a rejection";
    if (expect.contains("error_field")) {
      EXPECT_EQ(error->field, expect["error_field"].get<std::string>()) << io::describe(*error);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, RegressionTest, ::testing::ValuesIn(collect_sidecars()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name(info.param.filename());
                         });

// Every input of corpus/regressions/ is named by a sidecar (several may judge one input, e.g. one
// per projection era), and every named input exists: a finding without its verdict would be
// silently skipped.
TEST(Regressions, EveryInputHasASidecar) {
  std::set<std::string> named;
  for (const fs::path& sidecar : collect_sidecars()) {
    const std::string input =
        nlohmann::json::parse(read_bytes(sidecar)).at("input").get<std::string>();
    named.insert(input);
    EXPECT_TRUE(fs::is_regular_file(kCorpus / "regressions" / input)) << sidecar << ": " << input;
  }
  size_t inputs = 0;
  for (const fs::path& file : sorted_files(kCorpus / "regressions")) {
    const std::string name = file.filename().string();
    if (ends_with(name, kSidecarSuffix) || name == "README.md") continue;
    ++inputs;
    EXPECT_EQ(named.count(name), 1u) << "corpus/regressions/" << name << " has no sidecar";
  }
  EXPECT_GT(inputs, 0u);
}

}  // namespace
}  // namespace simcheck
