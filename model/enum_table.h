// One table per enum gives both directions of its canonical spelling.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace simcheck::model::detail {

template <class E, std::size_t K>
bool parse_from(const std::pair<E, const char*> (&table)[K], const std::string& s, E& out) {
  for (const auto& [value, name] : table) {
    if (s == name) {
      out = value;
      return true;
    }
  }
  return false;
}

template <class E, std::size_t K>
const char* name_of(const std::pair<E, const char*> (&table)[K], E v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "?";
}

}  // namespace simcheck::model::detail
