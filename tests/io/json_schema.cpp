// The JSON Schema subset validator of json_schema.h (tests only).
#include "json_schema.h"

#include <set>
#include <stdexcept>

namespace simcheck::testing {
namespace {

const std::set<std::string> kKeywords = {
    "type",  "const",    "enum",        "properties", "required", "additionalProperties",
    "items", "minItems", "maxItems",    "minLength",  "minimum",  "maximum",
    "$ref",  "allOf",    "anyOf",       "oneOf",      "$schema",  "$id",
    "$defs", "title",    "description", "default"};

// JSON Schema types. "integer" is a number written without fraction or exponent (nlohmann's
// integer kinds), matching the simcheck readers, which reject 20.0 where an integer is due.
bool has_type(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  throw std::invalid_argument("unknown type " + type);
}

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

JsonSchema::JsonSchema(nlohmann::json schema) : root_(std::move(schema)) {
  check_keywords(root_, "#");
}

void JsonSchema::check_keywords(const nlohmann::json& schema, const std::string& where) const {
  if (schema.is_boolean()) return;
  if (!schema.is_object()) throw std::invalid_argument(where + ": a schema must be an object");
  for (const auto& [key, value] : schema.items()) {
    if (!kKeywords.count(key)) throw std::invalid_argument(where + ": unsupported keyword " + key);
  }
  if (schema.contains("$ref")) resolve(schema["$ref"].get<std::string>());
  if (schema.contains("type")) {
    const auto& t = schema["type"];
    if (t.is_string()) has_type(nullptr, t.get<std::string>());
    if (t.is_array()) {
      for (const auto& x : t) has_type(nullptr, x.get<std::string>());
    }
  }
  for (const char* key : {"properties", "$defs"}) {
    if (schema.contains(key)) {
      for (const auto& [name, sub] : schema[key].items()) {
        check_keywords(sub, where + "/" + key + "/" + name);
      }
    }
  }
  for (const char* key : {"items", "additionalProperties"}) {
    if (schema.contains(key)) check_keywords(schema[key], where + "/" + key);
  }
  for (const char* key : {"allOf", "anyOf", "oneOf"}) {
    if (schema.contains(key)) {
      for (std::size_t i = 0; i < schema[key].size(); ++i) {
        check_keywords(schema[key][i], where + "/" + key + "/" + std::to_string(i));
      }
    }
  }
}

const nlohmann::json& JsonSchema::resolve(const std::string& ref) const {
  const std::string prefix = "#/$defs/";
  if (ref.rfind(prefix, 0) != 0) throw std::invalid_argument("unsupported $ref " + ref);
  const std::string name = ref.substr(prefix.size());
  if (!root_.contains("$defs") || !root_["$defs"].contains(name)) {
    throw std::invalid_argument("dangling $ref " + ref);
  }
  return root_["$defs"][name];
}

std::vector<std::string> JsonSchema::validate(const nlohmann::json& document) const {
  std::vector<std::string> errors;
  validate(root_, document, "", errors);
  return errors;
}

void JsonSchema::validate(const nlohmann::json& schema, const nlohmann::json& v,
                          const std::string& at, std::vector<std::string>& errors) const {
  const std::string where = at.empty() ? "/" : at;
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) errors.push_back(where + ": no value is allowed here");
    return;
  }
  if (schema.contains("$ref")) validate(resolve(schema["$ref"].get<std::string>()), v, at, errors);
  if (schema.contains("type")) {
    const auto& t = schema["type"];
    bool ok = false;
    if (t.is_string()) ok = has_type(v, t.get<std::string>());
    for (const auto& x : t.is_array() ? t : nlohmann::json::array()) {
      ok = ok || has_type(v, x.get<std::string>());
    }
    if (!ok) {
      errors.push_back(where + ": expected type " + t.dump() + ", found " + v.type_name());
      return;  // the other keywords would only repeat the mismatch
    }
  }
  if (schema.contains("const") && v != schema["const"]) {
    errors.push_back(where + ": expected " + schema["const"].dump());
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& x : schema["enum"]) found = found || x == v;
    if (!found) errors.push_back(where + ": " + v.dump() + " not in " + schema["enum"].dump());
  }
  if (v.is_number()) {
    if (schema.contains("minimum") && v.get<double>() < schema["minimum"].get<double>()) {
      errors.push_back(where + ": " + v.dump() + " below minimum " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && v.get<double>() > schema["maximum"].get<double>()) {
      errors.push_back(where + ": " + v.dump() + " above maximum " + schema["maximum"].dump());
    }
  }
  if (v.is_string() && schema.contains("minLength") &&
      v.get<std::string>().size() < schema["minLength"].get<std::size_t>()) {
    errors.push_back(where + ": string shorter than " + schema["minLength"].dump());
  }
  if (v.is_array()) {
    if (schema.contains("minItems") && v.size() < schema["minItems"].get<std::size_t>()) {
      errors.push_back(where + ": fewer than " + schema["minItems"].dump() + " items");
    }
    if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<std::size_t>()) {
      errors.push_back(where + ": more than " + schema["maxItems"].dump() + " items");
    }
    if (schema.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        validate(schema["items"], v[i], at + "/" + std::to_string(i), errors);
      }
    }
  }
  if (v.is_object()) {
    if (schema.contains("required")) {
      for (const auto& key : schema["required"]) {
        if (!v.contains(key.get<std::string>())) {
          errors.push_back(where + ": missing required " + key.dump());
        }
      }
    }
    const nlohmann::json empty = nlohmann::json::object();
    const auto& props = schema.contains("properties") ? schema["properties"] : empty;
    for (const auto& [key, value] : v.items()) {
      const std::string child = at + "/" + escape_pointer(key);
      if (props.contains(key)) {
        validate(props[key], value, child, errors);
      } else if (schema.contains("additionalProperties")) {
        validate(schema["additionalProperties"], value, child, errors);
      }
    }
  }
  if (schema.contains("allOf")) {
    for (const auto& sub : schema["allOf"]) validate(sub, v, at, errors);
  }
  auto matches = [&](const nlohmann::json& sub) {
    std::vector<std::string> sub_errors;
    validate(sub, v, at, sub_errors);
    return sub_errors.empty();
  };
  if (schema.contains("anyOf")) {
    bool any = false;
    for (const auto& sub : schema["anyOf"]) any = any || matches(sub);
    if (!any) errors.push_back(where + ": matches none of anyOf");
  }
  if (schema.contains("oneOf")) {
    int count = 0;
    for (const auto& sub : schema["oneOf"]) count += matches(sub) ? 1 : 0;
    if (count != 1) {
      errors.push_back(where + ": matches " + std::to_string(count) + " of oneOf (need exactly 1)");
    }
  }
}

}  // namespace simcheck::testing
