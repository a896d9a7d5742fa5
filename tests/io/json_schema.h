// A small JSON Schema (draft 2020-12) validator for the subset that schema/*.schema.json use:
// type, const, enum, properties, required, additionalProperties, items, minItems, maxItems,
// minLength, minimum, maximum, $ref (to #/$defs/NAME), allOf, anyOf, oneOf; annotations
// ($schema, $id, $defs, title, description, default) are ignored. Any other keyword is an error,
// so a schema cannot silently rely on something this validator does not check.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace simcheck::testing {

class JsonSchema {
 public:
  // Throws std::invalid_argument naming the first unsupported keyword or bad $ref.
  explicit JsonSchema(nlohmann::json schema);

  // Empty when `document` conforms; otherwise one message per violation, with a JSON pointer.
  std::vector<std::string> validate(const nlohmann::json& document) const;

 private:
  void check_keywords(const nlohmann::json& schema, const std::string& where) const;
  const nlohmann::json& resolve(const std::string& ref) const;
  void validate(const nlohmann::json& schema, const nlohmann::json& value, const std::string& at,
                std::vector<std::string>& errors) const;

  nlohmann::json root_;
};

}  // namespace simcheck::testing
