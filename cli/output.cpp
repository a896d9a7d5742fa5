// docs/formats.md "Errors" and "Output files": stderr error lines and atomic output files.
#include "cli/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

namespace simcheck::cli {

void print_error(const io::InputError& error) {
  std::cerr << "simcheck: " << io::describe(error) << "\n";
}

void print_error(const std::string& message) { std::cerr << "simcheck: " << message << "\n"; }

bool write_output(const std::string& path, const std::string& bytes, io::InputError& error) {
  if (path.empty()) {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) {
      error = io::InputError{"<stdout>", "", "", "write failed"};
      return false;
    }
    return true;
  }
  const std::filesystem::path target(path);
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
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
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
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    std::remove(tmp.c_str());
    error = io::InputError{path, "", "", std::string("cannot write: ") + std::strerror(saved)};
    return false;
  }
  return true;
}

}  // namespace simcheck::cli
