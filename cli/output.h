// docs/formats.md "Errors" and "Output files": how every subcommand reports bad input and writes
// its result (one line on stderr; no partial output file; checked writes to stdout).
#pragma once

#include <streambuf>
#include <string>

#include "io/external_input.h"

namespace simcheck::cli {

// Prints "simcheck: FILE: FIELD = VALUE: MESSAGE" as one line on stderr.
void print_error(const io::InputError& error);
void print_error(const std::string& message);  // "simcheck: MESSAGE"

// Writes `bytes` to `path` (docs/formats.md "Output files"). Empty `path` or "-" = stdout. A path
// that does not exist or is a regular file is written through a temporary file in the same
// directory and a rename, so a failure never leaves a partial or stale-looking file; a symlink is
// resolved and its final target written that way (the link itself stays); anything else that
// exists (a device such as /dev/null, a FIFO, a link into /proc such as /dev/stdout) is opened
// and written directly. On failure returns false and fills `error`.
bool write_output(const std::string& path, const std::string& bytes, io::InputError& error);

// Whether write_output(path, ...) can succeed as far as can be told before the bytes exist: the
// directory the file will be created in exists and is writable (or the device/FIFO can be
// opened for writing). For commands that run for long before they write. False fills `error`.
bool check_output_path(const std::string& path, io::InputError& error);

// Every write to std::cout goes through this while it lives (main.cpp installs it): it records
// the errno of the first failed write, so a lost stdout (a full disk, /dev/full, a closed pipe)
// is reported as "simcheck: stdout: write error: REASON" instead of exiting 0.
class CheckedStdout : public std::streambuf {
 public:
  CheckedStdout();  // installs itself as std::cout's buffer
  ~CheckedStdout() override;
  CheckedStdout(const CheckedStdout&) = delete;
  CheckedStdout& operator=(const CheckedStdout&) = delete;

  // Flushes std::cout. If any write to stdout failed, prints the one error line (unless
  // write_output already reported it) and returns false.
  bool finish();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void failed();
  std::streambuf* inner_;
};

}  // namespace simcheck::cli
