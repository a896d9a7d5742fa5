// Running a system under test as a child process: no shell, its own working directory, stdout
// and stderr to files, a wall-clock timeout after which it is killed. A library call: it never
// exits and never throws for a failing child; what happened is in the result.
#pragma once

#include <string>
#include <vector>

namespace simcheck::sut {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's path (no PATH search)
  std::string working_dir;        // must exist
  std::string stdout_path;        // created or truncated
  std::string stderr_path;
  double timeout_s = 60;  // > 0
};

struct ProcessResult {
  bool started = false;    // false: spawn failed (see error)
  bool timed_out = false;  // killed after timeout_s
  int exit_code = -1;      // when it exited normally
  int signal = 0;          // when a signal ended it
  double wall_s = 0;
  std::string error;  // spawn failure, one line
  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // "exit code 1", "killed by signal 11", "timed out after 30 s", "could not start: ..."
  std::string describe() const;
};

ProcessResult run_process(const ProcessSpec& spec);

}  // namespace simcheck::sut
