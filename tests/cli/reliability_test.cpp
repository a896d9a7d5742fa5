// Issue #13 (reliability) end to end through the built binary: output paths that are devices,
// FIFOs or symlinks (docs/formats.md "Output files"), a lost stdout, and the run/check options
// whose bad values used to be accepted silently or abort.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_fixture.h"

namespace simcheck::cli_test {
namespace {

const fs::path kCase =
    fs::path(SIMCHECK_SOURCE_DIR) / "corpus" / "examples" / "b1_one_request.json";
const fs::path kBigCase =
    fs::path(SIMCHECK_SOURCE_DIR) / "corpus" / "examples" / "generator_two_clients.json";

class Reliability : public CliTest {
 protected:
  // Runs `script` with sh in dir_, with $SIMCHECK the binary; the script's own stdout and stderr
  // are captured (a redirection inside the script overrides them).
  CommandResult shell(const std::string& script) {
    const fs::path file = dir_ / ".script.sh";
    write(".script.sh", script + "\n");
    const CommandResult r =
        simcheck_raw("SIMCHECK='" + std::string(SIMCHECK_BINARY) + "' sh " + quoted(file));
    fs::remove(file);
    return r;
  }

  CommandResult simcheck_raw(const std::string& cmdline) {
    const fs::path out = dir_ / ".stdout";
    const fs::path err = dir_ / ".stderr";
    const std::string cmd = "cd '" + dir_.string() +
                            "' && env -u GTEST_SHARD_INDEX -u GTEST_TOTAL_SHARDS " + cmdline +
                            " > '" + out.string() + "' 2> '" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  // One "simcheck: ..." line on stderr containing `part`, nothing on stdout.
  static void expect_one_error_line(const CommandResult& r, const std::string& part,
                                    const std::string& what) {
    EXPECT_EQ(r.exit_code, 2) << what << "\n" << r.err;
    EXPECT_EQ(line_count(r.err), 1) << what << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("simcheck: ", 0), 0u) << what << "\n" << r.err;
    EXPECT_NE(r.err.find(part), std::string::npos) << what << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << what << "\n" << r.out;
  }

  std::string expected_sim_output() {
    const CommandResult r = simcheck("sim " + quoted(kCase));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

// -o naming a FIFO: the reader gets the output and the FIFO is still there (it used to be
// replaced by a regular file, and the reader never saw a byte).
TEST_F(Reliability, OutputToAFifoIsWrittenThroughNotReplaced) {
  const std::string expected = expected_sim_output();
  ASSERT_EQ(::mkfifo((dir_ / "pipe").c_str(), 0644), 0);
  const CommandResult r =
      shell("timeout 5 cat pipe > got & \"$SIMCHECK\" sim " + quoted(kCase) +
            " -o pipe; code=$?; [ $code -eq 0 ] || exec 3>pipe; wait; exit $code");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(dir_ / "pipe")));
  EXPECT_EQ(slurp(dir_ / "got"), expected);
}

// -o naming a device (a private copy of /dev/null and /dev/full): written through, the node kept;
// a write error on the device is exit 2 with one line.
TEST_F(Reliability, OutputToADeviceIsWrittenThroughNotReplaced) {
  if (::mknod((dir_ / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0 ||
      ::mknod((dir_ / "full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) {
    GTEST_SKIP() << "cannot create device nodes here";
  }
  const CommandResult ok = simcheck("sim " + quoted(kCase) + " -o null");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(ok.out.empty());
  EXPECT_TRUE(fs::is_character_file(fs::symlink_status(dir_ / "null")));
  const CommandResult full = simcheck("sim " + quoted(kCase) + " -o full");
  expect_one_error_line(full, "full: cannot write: No space left on device", "-o full");
  EXPECT_TRUE(fs::is_character_file(fs::symlink_status(dir_ / "full")));
  EXPECT_EQ(files(), (std::vector<std::string>{"full", "null"}));
}

// /dev/fd/1 (a link into /proc, like /dev/stdout) and "-" are stdout.
TEST_F(Reliability, OutputToDevFdOrDashIsStdout) {
  const std::string expected = expected_sim_output();
  for (const char* path : {"/dev/fd/1", "-"}) {
    const CommandResult r = simcheck("sim " + quoted(kCase) + " -o " + path);
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.err;
    EXPECT_EQ(r.out, expected) << path;
    EXPECT_TRUE(files().empty()) << path << ": left " << files().front();
  }
  // A descriptor the caller opened on a device: written in place (it used to be exit 2).
  const CommandResult r = shell("\"$SIMCHECK\" sim " + quoted(kCase) + " -o /dev/fd/3 3>got");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "got"), expected);
}

// -o naming a symlink: its target is replaced atomically, the link stays a link.
TEST_F(Reliability, OutputToASymlinkReplacesItsTargetAndKeepsTheLink) {
  const std::string expected = expected_sim_output();
  fs::create_directory(dir_ / "real");
  write("real/out.json", "old");
  fs::create_symlink("real/out.json", dir_ / "link");
  fs::create_symlink("link", dir_ / "link2");  // a chain
  fs::create_symlink("real/new.json", dir_ / "dangling");
  for (const char* name : {"link", "link2", "dangling"}) {
    const CommandResult r = simcheck("sim " + quoted(kCase) + " -o " + name);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir_ / name))) << name;
  }
  EXPECT_EQ(slurp(dir_ / "real" / "out.json"), expected);
  EXPECT_EQ(slurp(dir_ / "real" / "new.json"), expected);
  EXPECT_EQ(files(), (std::vector<std::string>{"dangling", "link", "link2", "real"}));
  int in_real = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "real")) in_real += e.exists();
  EXPECT_EQ(in_real, 2);  // no temporary left
  EXPECT_EQ(fs::status(dir_ / "real" / "out.json").permissions() & fs::perms::owner_read,
            fs::perms::owner_read);
}

// stdout on a full device: exit 2 and one line, for a small output (lost at the final flush)
// and a large one (lost while writing), from check and from sim.
TEST_F(Reliability, StdoutOnAFullDeviceIsExitTwo) {
  ASSERT_EQ(simcheck("sim " + quoted(kCase) + " -o run.json").exit_code, 0);
  for (const std::string& args :
       std::vector<std::string>{"check run.json", "sim " + quoted(kCase), "sim " + quoted(kBigCase),
                                "sim --materialise " + quoted(kBigCase), "run --help"}) {
    const CommandResult r = shell("\"$SIMCHECK\" " + args + " > /dev/full");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err, "simcheck: stdout: write error: No space left on device\n") << args;
  }
  // /dev/null takes everything.
  const CommandResult ok = shell("\"$SIMCHECK\" check run.json > /dev/null");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(ok.err.empty());
}

TEST_F(Reliability, RunRejectsTooManyJobs) {
  const CommandResult r = simcheck("run --cases 1 --jobs 100000");
  expect_one_error_line(r, "--jobs: '100000' must be in [0, 1024]", "--jobs 100000");
}

// Thread creation failing (here: too little address space for 1000 stacks) is an error, not
// std::terminate (exit 134).
TEST_F(Reliability, RunThreadCreationFailureIsAnError) {
  const CommandResult r = shell(
      "ulimit -v 600000 && \"$SIMCHECK\" run --cases 4000 --jobs 1000 "
      "--no-coverage-gate");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("simcheck: --jobs 1000: cannot start the worker threads: "),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(Reliability, RunSeedMustBeADecimalUint64) {
  for (const char* seed : {"-1", "18446744073709551616", "1e23", "0x10", "+1", "1.5", "''"}) {
    const CommandResult r = simcheck(std::string("run --cases 1 --seed ") + seed);
    expect_one_error_line(r, "--seed: ", seed);
    EXPECT_NE(r.err.find("is not a decimal integer in [0, 18446744073709551615]"),
              std::string::npos)
        << r.err;
  }
  const CommandResult max =
      simcheck("run --cases 0 --no-coverage-gate --seed 18446744073709551615");
  EXPECT_EQ(max.exit_code, 0) << max.err;
}

TEST_F(Reliability, RunTimeBudgetMustBeFiniteAndNonNegative) {
  for (const char* budget : {"nan", "inf", "-inf", "-1"}) {
    const CommandResult r = simcheck(std::string("run --cases 1 --time-budget ") + budget);
    expect_one_error_line(r, "--time-budget: ", budget);
  }
}

TEST_F(Reliability, CheckRejectsNegativeInstanceCounts) {
  ASSERT_EQ(simcheck("sim " + quoted(kCase) + " -o run.json").exit_code, 0);
  const CommandResult p = simcheck("check run.json --prefill-instances -3");
  expect_one_error_line(p, "--prefill-instances: -3: must be >= 0", "prefill");
  const CommandResult d = simcheck("check run.json --decode-instances -1");
  expect_one_error_line(d, "--decode-instances: -1: must be >= 0", "decode");
}

// An unwritable --report is found before the campaign, not after it.
TEST_F(Reliability, RunUnwritableReportFailsBeforeTheCampaign) {
  const auto start = std::chrono::steady_clock::now();
  const CommandResult r =
      simcheck("run --cases 20000 --no-coverage-gate --report junit /nonexistent-dir/x.xml");
  expect_one_error_line(r, "/nonexistent-dir/x.xml: cannot create a file here", "--report");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(files().empty());
}

// A report lost at the end does not hide the failure the campaign found: exit 1, saved, printed.
TEST_F(Reliability, RunFailureStaysExitOneWhenTheReportIsLost) {
  const CommandResult r = shell(
      "\"$SIMCHECK\" run --cases 200 --seed 1 --projection pre-1514 --corpus-dir found "
      "--report json /dev/fd/3 3>/dev/full");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("FAIL: case 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("replay: simcheck replay"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "found" / "seed1-case0-pre-1514.case.json"));
}

}  // namespace
}  // namespace simcheck::cli_test
