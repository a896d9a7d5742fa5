// Usage errors of the `simcheck` executable: exit code 2 and exactly one line on stderr that
// names the subcommand, whatever CLI11 would have printed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

using Usage = CliTest;

TEST_F(Usage, UsageErrorsExitTwoWithOneLineNamingTheSubcommand) {
  struct Case {
    std::string args;
    std::string expected_stderr_part;
  };
  const std::vector<Case> cases = {
      {"", "simcheck: A subcommand is required (see simcheck --help)"},
      {"bogus",
       "simcheck: unknown subcommand 'bogus' (one of: sim, run, replay, check, diff, "
       "export)"},
      {"sim", "simcheck sim: CASE is required (see simcheck sim --help)"},
      {"run --cases x", "simcheck run: "},
      {"check", "simcheck check: OUTPUT is required"},
  };
  for (const Case& c : cases) {
    const CommandResult r = simcheck(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(line_count(r.err), 1) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected_stderr_part), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << ": " << r.out;
  }
}

TEST_F(Usage, HelpExitsZeroAndListsEverySubcommand) {
  const CommandResult r = simcheck("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"sim", "run", "replay", "check", "diff", "export"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + sub + " "), std::string::npos) << sub << "\n"
                                                                              << r.out;
  }
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace simcheck::cli_test
