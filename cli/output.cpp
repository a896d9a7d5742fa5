// docs/formats.md "Errors" and "Output files": stderr error lines and atomic output files.
#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

namespace simcheck::cli {

void print_error(const io::InputError& error) {
  std::cerr << "simcheck: " << io::describe(error) << "\n";
}

void print_error(const std::string& message) { std::cerr << "simcheck: " << message << "\n"; }

namespace {

// Set by CheckedStdout on the first failed write to stdout; 0 = none (or no CheckedStdout).
int g_stdout_errno = 0;
bool g_stdout_failed = false;
bool g_stdout_reported = false;  // write_output already printed the error line

std::string stdout_reason() {
  return std::string("write error: ") + std::strerror(g_stdout_errno != 0 ? g_stdout_errno : EIO);
}

bool write_stdout(const std::string& bytes, io::InputError& error) {
  std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::cout.flush();
  if (!std::cout || g_stdout_failed) {
    error = io::InputError{"stdout", "", "", stdout_reason()};
    g_stdout_reported = true;
    return false;
  }
  return true;
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Something that exists and is not a regular file (a device, a FIFO, a socket): opened and
// written in place; a temporary file and a rename would replace it.
bool write_in_place(const std::string& path, const std::string& bytes, io::InputError& error) {
  struct stat target {};
  struct stat out {};
  if (::stat(path.c_str(), &target) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 &&
      target.st_dev == out.st_dev && target.st_ino == out.st_ino) {
    // Our own stdout (e.g. /dev/stdout): through std::cout, so it stays in order with the rest.
    return write_stdout(bytes, error);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    error = io::InputError{path, "", "", std::string("cannot open: ") + std::strerror(errno)};
    return false;
  }
  if (!write_all(fd, bytes)) {
    const int saved = errno;
    ::close(fd);
    error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(saved)};
    return false;
  }
  if (::close(fd) != 0) {
    error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(errno)};
    return false;
  }
  return true;
}

bool under_proc(const std::filesystem::path& p) {
  std::error_code ec;
  const std::string dir = std::filesystem::weakly_canonical(p.parent_path(), ec).string();
  return !ec && dir.rfind("/proc/", 0) == 0;
}

// Follows `path` while it is a symlink. Returns the final target (which may not exist yet), or
// nullopt with `in_place` set when the chain runs through /proc (/dev/stdout, /dev/fd/N: those
// links name open files, not places to create one), or with errno set on failure.
std::optional<std::filesystem::path> resolve_links(std::filesystem::path p, bool& in_place) {
  in_place = false;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    if (under_proc(p)) {
      in_place = true;
      return std::nullopt;
    }
    std::error_code ec;
    const std::filesystem::path to = std::filesystem::read_symlink(p, ec);
    if (ec) {
      errno = ec.value();
      return std::nullopt;
    }
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  errno = ELOOP;
  return std::nullopt;
}

bool write_atomically(const std::string& path, const std::string& target_path,
                      const std::string& bytes, io::InputError& error) {
  const std::filesystem::path target(target_path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  // A hidden temporary next to the target: rename() is atomic only within one file system.
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    error = io::InputError{path, "", "",
                           std::string("cannot create a file here: ") + std::strerror(errno)};
    return false;
  }
  const std::string tmp(name.data());
  auto fail = [&](const char* what) {
    const int saved = errno;
    ::close(fd);
    std::remove(tmp.c_str());
    error = io::InputError{path, "", "", std::string(what) + ": " + std::strerror(saved)};
    return false;
  };
  if (!write_all(fd, bytes)) return fail("cannot write");
  // mkstemp creates 0600; output files get the usual 0644 (minus the umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0644 & ~mask) != 0) return fail("cannot set permissions");
  if (::close(fd) != 0) {
    const int saved = errno;
    std::remove(tmp.c_str());
    error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(saved)};
    return false;
  }
  if (std::rename(tmp.c_str(), target_path.c_str()) != 0) {
    const int saved = errno;
    std::remove(tmp.c_str());
    error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(saved)};
    return false;
  }
  return true;
}

}  // namespace

bool write_output(const std::string& path, const std::string& bytes, io::InputError& error) {
  if (path.empty() || path == "-") return write_stdout(bytes, error);
  bool in_place = false;
  const auto target = resolve_links(path, in_place);
  if (in_place) return write_in_place(path, bytes, error);
  if (!target) {
    error = io::InputError{path, "", "",
                           std::string("cannot resolve the link: ") + std::strerror(errno)};
    return false;
  }
  struct stat st {};
  if (::stat(target->c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      error = io::InputError{path, "", "", "is a directory"};
      return false;
    }
    return write_in_place(path, bytes, error);
  }
  return write_atomically(path, target->string(), bytes, error);
}

bool check_output_path(const std::string& path, io::InputError& error) {
  if (path.empty() || path == "-") return true;
  bool in_place = false;
  const auto target = resolve_links(path, in_place);
  if (in_place) return true;  // /dev/stdout and the like: written through
  if (!target) {
    error = io::InputError{path, "", "",
                           std::string("cannot resolve the link: ") + std::strerror(errno)};
    return false;
  }
  struct stat st {};
  if (::stat(target->c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      error = io::InputError{path, "", "", "is a directory"};
      return false;
    }
    if (::access(target->c_str(), W_OK) != 0) {
      error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(errno)};
      return false;
    }
    return true;
  }
  std::filesystem::path dir = target->parent_path();
  if (dir.empty()) dir = ".";
  int problem = 0;
  if (::stat(dir.c_str(), &st) != 0) {
    problem = errno;
  } else if (!S_ISDIR(st.st_mode)) {
    problem = ENOTDIR;
  } else if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    problem = errno;
  }
  if (problem != 0) {
    error = io::InputError{path, "", "",
                           std::string("cannot create a file here: ") + std::strerror(problem)};
    return false;
  }
  return true;
}

CheckedStdout::CheckedStdout() : inner_(std::cout.rdbuf()) { std::cout.rdbuf(this); }

CheckedStdout::~CheckedStdout() {
  std::cout.flush();
  std::cout.rdbuf(inner_);
}

void CheckedStdout::failed() {
  if (!g_stdout_failed) {
    g_stdout_failed = true;
    g_stdout_errno = errno;
  }
}

CheckedStdout::int_type CheckedStdout::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  errno = 0;
  const int_type r = inner_->sputc(traits_type::to_char_type(c));
  if (traits_type::eq_int_type(r, traits_type::eof())) failed();
  return r;
}

std::streamsize CheckedStdout::xsputn(const char* s, std::streamsize n) {
  errno = 0;
  const std::streamsize r = inner_->sputn(s, n);
  if (r < n) failed();
  return r;
}

int CheckedStdout::sync() {
  errno = 0;
  const int r = inner_->pubsync();
  if (r != 0) failed();
  return r;
}

bool CheckedStdout::finish() {
  std::cout.flush();
  if (!std::cout && !g_stdout_failed) {
    g_stdout_failed = true;
  }
  if (!g_stdout_failed) return true;
  if (!g_stdout_reported) print_error("stdout: " + stdout_reason());
  g_stdout_reported = true;
  return false;
}

}  // namespace simcheck::cli
