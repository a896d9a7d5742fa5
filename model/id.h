// A request id as the run output stores it: a byte string with room for 31 bytes inside the
// object. A run's sub-request ids ("request_12345_prefill", 21 bytes) are longer than
// std::string's 15-byte small buffer, and each id is copied into about ten maps and records, so
// with std::string every copy was a heap allocation, a copy and a free (about a sixth of a PD
// run's time). Longer ids go to the heap as before.
//
// Value semantics like std::string; converts implicitly to std::string_view (to read it) and to
// std::string (to hand it to code that wants one); compares byte-wise (§0), like std::string.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "model/id_compare.h"

namespace simcheck::model {

class Id {
 public:
  static constexpr size_t kInline = 31;

  Id() noexcept { set_inline_size(0); }
  Id(std::string_view s) { assign(s.data(), s.size()); }  // NOLINT: implicit, like std::string
  Id(const std::string& s) : Id(std::string_view(s)) {}   // NOLINT
  Id(const char* s) : Id(std::string_view(s)) {}          // NOLINT
  // a + b without a temporary string.
  static Id concat(std::string_view a, std::string_view b) {
    Id id;
    char* to = id.prepare(a.size() + b.size());
    if (!a.empty()) std::memcpy(to, a.data(), a.size());
    if (!b.empty()) std::memcpy(to + a.size(), b.data(), b.size());
    return id;
  }

  Id(const Id& o) {
    if (o.is_inline()) {
      std::memcpy(buf_, o.buf_, sizeof buf_);
    } else {
      assign(o.data(), o.size());
    }
  }
  Id(Id&& o) noexcept {
    std::memcpy(buf_, o.buf_, sizeof buf_);
    o.set_inline_size(0);
  }
  Id& operator=(const Id& o) {
    if (this != &o) {
      Id copy(o);
      swap(copy);
    }
    return *this;
  }
  Id& operator=(Id&& o) noexcept {
    if (this != &o) {
      release();
      std::memcpy(buf_, o.buf_, sizeof buf_);
      o.set_inline_size(0);
    }
    return *this;
  }
  ~Id() { release(); }

  void swap(Id& o) noexcept {
    char tmp[sizeof buf_];
    std::memcpy(tmp, buf_, sizeof buf_);
    std::memcpy(buf_, o.buf_, sizeof buf_);
    std::memcpy(o.buf_, tmp, sizeof buf_);
  }

  const char* data() const { return is_inline() ? buf_ : heap_data(); }
  size_t size() const {
    return is_inline() ? static_cast<unsigned char>(buf_[kInline]) : heap_size();
  }
  bool empty() const { return size() == 0; }
  std::string_view view() const { return {data(), size()}; }
  std::string str() const { return std::string(view()); }
  operator std::string_view() const { return view(); }  // NOLINT: implicit by design
  operator std::string() const { return str(); }  // NOLINT: implicit, for code that wants a string
  bool ends_with(std::string_view s) const { return view().ends_with(s); }
  bool starts_with(std::string_view s) const { return view().starts_with(s); }

  friend bool operator==(const Id& a, const Id& b) { return a.view() == b.view(); }
  friend bool operator==(const Id& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Id& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const Id& a, const char* b) { return a.view() == b; }
  friend std::strong_ordering operator<=>(const Id& a, const Id& b) {
    return compare_ids(a, b) <=> 0;
  }
  friend std::strong_ordering operator<=>(const Id& a, std::string_view b) {
    return compare_ids(a, b) <=> 0;
  }
  friend std::strong_ordering operator<=>(const Id& a, const std::string& b) {
    return compare_ids(a, b) <=> 0;
  }
  friend std::strong_ordering operator<=>(const Id& a, const char* b) {
    return compare_ids(a, b) <=> 0;
  }
  friend std::string operator+(const Id& a, std::string_view b) {
    std::string s(a.view());
    s.append(b);
    return s;
  }
  friend std::string operator+(std::string_view a, const Id& b) {
    std::string s(a);
    s.append(b.view());
    return s;
  }
  friend std::string operator+(const Id& a, const char* b) { return a + std::string_view(b); }
  friend std::string operator+(const char* a, const Id& b) { return std::string_view(a) + b; }
  friend std::string operator+(const Id& a, const std::string& b) {
    return a + std::string_view(b);
  }
  friend std::string operator+(const std::string& a, const Id& b) {
    return std::string_view(a) + b;
  }
  friend std::ostream& operator<<(std::ostream& os, const Id& id) { return os << id.view(); }

 private:
  // buf_[kInline] is the inline length (0..31), or kHeap: then buf_ holds the heap pointer and the
  // size (memcpy'd, so no type punning).
  static constexpr unsigned char kHeap = 0xFF;
  bool is_inline() const { return static_cast<unsigned char>(buf_[kInline]) != kHeap; }
  void set_inline_size(size_t n) { buf_[kInline] = static_cast<char>(n); }
  char* heap_data() const {
    char* p = nullptr;
    std::memcpy(&p, buf_, sizeof p);
    return p;
  }
  size_t heap_size() const {
    size_t n = 0;
    std::memcpy(&n, buf_ + sizeof(char*), sizeof n);
    return n;
  }
  // Room for n bytes, as the current (empty) value; returns where to write them.
  char* prepare(size_t n) {
    if (n <= kInline) {
      set_inline_size(n);
      return buf_;
    }
    char* p = new char[n];
    std::memcpy(buf_, &p, sizeof p);
    std::memcpy(buf_ + sizeof(char*), &n, sizeof n);
    buf_[kInline] = static_cast<char>(kHeap);
    return p;
  }
  void assign(const char* s, size_t n) {
    char* to = prepare(n);
    if (n > 0) std::memcpy(to, s, n);
  }
  void release() {
    if (!is_inline()) delete[] heap_data();
  }

  char buf_[kInline + 1];
};

}  // namespace simcheck::model

template <>
struct std::hash<simcheck::model::Id> {
  size_t operator()(const simcheck::model::Id& id) const noexcept {
    return std::hash<std::string_view>{}(id.view());
  }
};
