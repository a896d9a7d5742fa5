// Spec §0, §10.6: JSON with number literals kept verbatim (nlohmann SAX gives floats' lexemes).
#include "io/json_lexeme.h"

#include <cstdint>
#include <nlohmann/json.hpp>

namespace simcheck::io {
namespace {

// Builds a LexJson from nlohmann's SAX events. Containers under construction live on `stack_`
// (values, not pointers: a parent's vector may reallocate while a child is being filled).
class LexSax {
 public:
  using json = nlohmann::json;

  LexSax(int max_depth, LexJsonError& error) : max_depth_(max_depth), error_(error) {}

  bool null() { return add(LexJson{}); }
  bool boolean(bool v) {
    LexJson j;
    j.kind = LexJson::Kind::boolean;
    j.boolean = v;
    return add(std::move(j));
  }
  bool number_integer(json::number_integer_t v) { return add_number(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add_number(std::to_string(v)); }
  bool number_float(json::number_float_t /*binary64 value: deliberately unused*/,
                    const std::string& lexeme) {
    return add_number(lexeme);
  }
  bool string(std::string& v) {
    LexJson j;
    j.kind = LexJson::Kind::string;
    j.text = std::move(v);
    return add(std::move(j));
  }
  bool binary(json::binary_t& /*unused*/) { return fail("binary values are not JSON"); }
  bool start_object(std::size_t /*size*/) { return open(LexJson::Kind::object); }
  bool key(std::string& k) {
    LexJson& obj = stack_.back().value;
    for (const auto& [existing, unused] : obj.members) {
      if (existing == k) return fail("duplicate key \"" + k + "\"");
    }
    stack_.back().pending_key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t /*size*/) { return open(LexJson::Kind::array); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    if (error_.message.empty()) {
      error_.byte_offset = position;
      error_.message = ex.what();
    }
    return false;
  }

  std::optional<LexJson> take_root() { return std::move(root_); }

 private:
  struct Frame {
    LexJson value;
    std::string pending_key;
  };

  bool fail(std::string message) {
    if (error_.message.empty()) error_.message = std::move(message);
    return false;
  }
  bool add_number(std::string lexeme) {
    LexJson j;
    j.kind = LexJson::Kind::number;
    j.text = std::move(lexeme);
    return add(std::move(j));
  }
  bool add(LexJson j) {
    if (stack_.empty()) {
      root_ = std::move(j);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.kind == LexJson::Kind::object) {
      top.value.members.emplace_back(std::move(top.pending_key), std::move(j));
      top.pending_key.clear();
    } else {
      top.value.items.push_back(std::move(j));
    }
    return true;
  }
  bool open(LexJson::Kind kind) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      return fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    Frame f;
    f.value.kind = kind;
    stack_.push_back(std::move(f));
    return true;
  }
  bool close() {
    LexJson done = std::move(stack_.back().value);
    stack_.pop_back();
    return add(std::move(done));
  }

  int max_depth_;
  LexJsonError& error_;
  std::vector<Frame> stack_;
  std::optional<LexJson> root_;
};

}  // namespace

LexJson::LexJson() = default;
LexJson::LexJson(const LexJson&) = default;
LexJson::LexJson(LexJson&&) noexcept = default;
LexJson& LexJson::operator=(const LexJson&) = default;
LexJson& LexJson::operator=(LexJson&&) noexcept = default;
LexJson::~LexJson() = default;

const LexJson* LexJson::find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const char* to_string(LexJson::Kind kind) {
  switch (kind) {
    case LexJson::Kind::null:
      return "null";
    case LexJson::Kind::boolean:
      return "boolean";
    case LexJson::Kind::number:
      return "number";
    case LexJson::Kind::string:
      return "string";
    case LexJson::Kind::array:
      return "array";
    case LexJson::Kind::object:
      return "object";
  }
  return "?";
}

std::optional<LexJson> parse_lex_json(std::string_view text, LexJsonError& error, int max_depth) {
  error = LexJsonError{};
  LexSax sax(max_depth, error);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const std::exception& e) {  // defensive: the SAX path reports through parse_error
    if (error.message.empty()) error.message = e.what();
    ok = false;
  }
  if (!ok) {
    if (error.message.empty()) error.message = "invalid JSON";
    return std::nullopt;
  }
  auto root = sax.take_root();
  if (!root) {
    error.message = "empty document";
    return std::nullopt;
  }
  return root;
}

}  // namespace simcheck::io
