// Shared fixture of the end-to-end tests of the `simcheck` executable: runs the built binary in a
// temporary directory (its working directory) and captures exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace simcheck::cli_test {

namespace fs = std::filesystem;

inline const fs::path kBlisFixtures =
    fs::path(SIMCHECK_SOURCE_DIR) / ".." / "shared" / "fixtures" / "blis-head";

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Number of lines of `s` (a last line without '\n' counts).
inline int line_count(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n + (!s.empty() && s.back() != '\n');
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "simcheck_cli_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  bool have_blis_fixtures() const { return fs::exists(kBlisFixtures / "nonpd.metrics.json"); }
  std::string fixture(const std::string& name) const { return (kBlisFixtures / name).string(); }

  // Runs the binary in dir_ with `args` (shell-quoted where needed); `env` is prepended (e.g.
  // "GTEST_SHARD_INDEX=1 "). The test's own GTEST sharding never leaks into `simcheck run`.
  CommandResult simcheck(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / ".stdout";
    const fs::path err = dir_ / ".stderr";
    const std::string cmd =
        "cd '" + dir_.string() + "' && env -u GTEST_SHARD_INDEX -u GTEST_TOTAL_SHARDS " + env +
        "'" + SIMCHECK_BINARY + "' " + args + " > '" + out.string() + "' 2> '" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  // The files in dir_ (names, sorted), i.e. what the test wrote and what the binary left.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  // `text` with the first occurrence of `from` replaced by `to` (the test fails if absent).
  static std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "not found: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  fs::path dir_;
};

#define SKIP_WITHOUT_BLIS_FIXTURES()                                         \
  if (!have_blis_fixtures()) {                                               \
    GTEST_SKIP() << "BLIS fixtures not found at " << kBlisFixtures.string(); \
  }

}  // namespace simcheck::cli_test
