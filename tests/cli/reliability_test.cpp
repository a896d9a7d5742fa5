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

}  // namespace
}  // namespace simcheck::cli_test
