// corpus/blis/: every distinct finding a BLIS campaign produced, shrunk through BLIS, with BLIS's
// raw outputs. Each is re-judged from the recorded files (no BLIS needed): without --strict the
// finding is a known, explained difference (nothing gates); with --strict it is a finding again.
// A change to the readers, the checks or the explanations that loses one of them fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/case_reader.h"
#include "sut/sut_campaign.h"

namespace simcheck::sut {
namespace {
namespace fs = std::filesystem;

const fs::path kRecorded = fs::path(SIMCHECK_SOURCE_DIR) / "corpus" / "blis";

std::vector<fs::path> recorded_dirs() {
  std::vector<fs::path> out;
  if (!fs::exists(kRecorded)) return out;
  for (const auto& e : fs::directory_iterator(kRecorded)) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The finding key from violations.txt's "# finding KEY: ..." line.
std::string finding_key(const fs::path& dir) {
  std::ifstream in(dir / "violations.txt");
  for (std::string line; std::getline(in, line);) {
    const std::string tag = "# finding ";
    if (line.rfind(tag, 0) == 0) return line.substr(tag.size(), line.find(": ") - tag.size());
  }
  return "";
}

class RecordedBlis : public ::testing::TestWithParam<fs::path> {};

TEST_P(RecordedBlis, IsAKnownDifferenceAndAFindingUnderStrict) {
  const fs::path& dir = GetParam();
  std::ifstream in(dir / "case.json");
  std::stringstream text;
  text << in.rdbuf();
  auto read = io::parse_case(text.str(), (dir / "case.json").string());
  ASSERT_TRUE(std::holds_alternative<model::Case>(read)) << dir;
  const model::Case c = std::get<model::Case>(read);
  const std::string key = finding_key(dir);
  ASSERT_FALSE(key.empty()) << dir << "/violations.txt names no finding";

  SutCampaignOptions o;
  SutVerdict v = judge_recorded_blis_run(c, (dir / "blis").string(), o);
  EXPECT_TRUE(v.sut_failure.empty()) << v.sut_failure;
  EXPECT_TRUE(v.findings.empty()) << dir << ": " << ::testing::PrintToString(v.findings);
  bool known = false;
  for (const auto& k : v.known) known = known || k.invariant == key;
  EXPECT_TRUE(known) << dir << ": " << key << " is not among the known differences";

  o.strict = true;
  v = judge_recorded_blis_run(c, (dir / "blis").string(), o);
  EXPECT_NE(std::find(v.findings.begin(), v.findings.end(), key), v.findings.end())
      << dir << ": " << key << " does not fail under --strict";
}

INSTANTIATE_TEST_SUITE_P(Corpus, RecordedBlis, ::testing::ValuesIn(recorded_dirs()),
                         [](const auto& info) {
                           std::string name = info.param.filename().string();
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(RecordedBlisCorpus, IsNotEmpty) { EXPECT_GE(recorded_dirs().size(), 10u); }

}  // namespace
}  // namespace simcheck::sut
