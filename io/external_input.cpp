// Spec §10.6: error values and file reading shared by the external-format readers.
#include "io/external_input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace simcheck::io {

std::string describe(const InputError& e) {
  std::string out = e.file.empty() ? std::string("<input>") : e.file;
  if (!e.field.empty()) {
    out += ": " + e.field;
    if (!e.value.empty()) out += " = " + e.value;
  } else if (!e.value.empty()) {
    out += ": " + e.value;
  }
  if (!e.message.empty()) out += ": " + e.message;
  // One line, whatever the input contained.
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::string excerpt(const std::string& value, std::size_t max_chars) {
  std::string out;
  for (char c : value) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  return out;
}

std::optional<std::string> read_text_file(const std::string& path, InputError& error,
                                          std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = InputError{path, "", "", "is a directory, not a file"};
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = InputError{path, "", "", std::string("cannot open: ") + std::strerror(errno)};
    return std::nullopt;
  }
  std::string text;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      error = InputError{path, "", "", "file larger than " + std::to_string(max_bytes) + " bytes"};
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = InputError{path, "", "", "read error"};
    return std::nullopt;
  }
  return text;
}

}  // namespace simcheck::io
