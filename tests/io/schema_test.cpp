// schema/*.schema.json: the small validator works, the example cases and real simulate() outputs
// conform, and documents the readers reject are rejected by the schemas too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/case_reader.h"
#include "io/run_output_writer.h"
#include "json_schema.h"
#include "model/simulate.h"

namespace simcheck::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot(SIMCHECK_SOURCE_DIR);

nlohmann::json load(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(JsonSchemaValidator, ChecksEachKeyword) {
  const JsonSchema s(nlohmann::json::parse(R"({
    "type": "object",
    "properties": {
      "n": {"type": "integer", "minimum": 1, "maximum": 5},
      "e": {"enum": ["a", "b"]},
      "c": {"const": 3},
      "l": {"type": "array", "items": {"$ref": "#/$defs/s"}, "minItems": 1, "maxItems": 2},
      "o": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "integer"}]},
      "a": {"anyOf": [{"type": "null"}, {"type": "boolean"}]}
    },
    "required": ["n"],
    "additionalProperties": false,
    "$defs": {"s": {"type": "string", "minLength": 2}}
  })"));
  EXPECT_TRUE(s.validate(nlohmann::json::parse(R"({"n": 3, "e": "a", "c": 3, "l": ["xy"],
    "o": "s", "a": null})"))
                  .empty());
  const std::vector<std::pair<const char*, const char*>> bad = {
      {R"({"e": "a"})", "missing required"},
      {R"({"n": 2.0})", "expected type"},  // 2.0 is not an integer for simcheck
      {R"({"n": 0})", "below minimum"},
      {R"({"n": 6})", "above maximum"},
      {R"({"n": 1, "e": "z"})", "not in"},
      {R"({"n": 1, "c": 4})", "expected 3"},
      {R"({"n": 1, "l": []})", "fewer than"},
      {R"({"n": 1, "l": ["ab", "cd", "ef"]})", "more than"},
      {R"({"n": 1, "l": ["x"]})", "shorter than"},
      {R"({"n": 1, "o": 7})", "matches 2 of oneOf"},  // both number and integer
      {R"({"n": 1, "o": true})", "matches 0 of oneOf"},
      {R"({"n": 1, "a": 1})", "none of anyOf"},
      {R"({"n": 1, "x": 1})", "no value is allowed"},
  };
  for (const auto& [text, want] : bad) {
    const auto errors = s.validate(nlohmann::json::parse(text));
    ASSERT_FALSE(errors.empty()) << text;
    EXPECT_NE(join(errors).find(want), std::string::npos) << text << " gave " << join(errors);
  }
  EXPECT_THROW(JsonSchema(nlohmann::json::parse(R"({"pattern": "x"})")), std::invalid_argument);
  EXPECT_THROW(JsonSchema(nlohmann::json::parse(R"({"$ref": "#/$defs/none"})")),
               std::invalid_argument);
}

TEST(CaseSchema, ExampleCasesConformAndAreReadable) {
  const JsonSchema schema(load(kRoot / "schema" / "case.schema.json"));
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(kRoot / "corpus" / "examples")) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    EXPECT_EQ(join(schema.validate(load(entry.path()))), "") << entry.path();
    const auto read = io::read_case(entry.path().string());
    EXPECT_TRUE(std::holds_alternative<model::Case>(read)) << entry.path();
  }
  EXPECT_GE(seen, 4);
}

TEST(CaseSchema, RejectsWhatTheReaderRejects) {
  const JsonSchema schema(load(kRoot / "schema" / "case.schema.json"));
  const std::string head =
      R"({"format": "simcheck-case/1", "config": {"alpha": [1, 0, 0], "beta": [1, 0, 0])";
  const std::vector<std::string> bad = {
      head + R"(, "num_instance": 2}, "requests": []})",                  // unknown key
      head + R"(}, "requests": [], "workload": {"aggregate_rate": 1}})",  // both
      head + R"(}})",                                                     // neither
      head + R"(, "total_kv_blocks": 20.0}, "requests": []})",            // float for int
      head + R"(}, "requests": [{"arrival_us": 0, "input_len": 1}]})",    // no output
      head + R"(}, "requests": [{"arrival_us": 0, "input": [], "output_len": 1}]})",  // L = 0
      head +
          R"(}, "requests": [{"arrival_us": 0, "input": [1], "input_len": 1, "output_len": 1}]})",
      R"({"format": "simcheck-case/1", "config": {"alpha": [1, 0], "beta": [1, 0, 0]},
          "requests": []})",
  };
  for (const auto& text : bad) {
    EXPECT_FALSE(schema.validate(nlohmann::json::parse(text)).empty()) << text;
    EXPECT_TRUE(std::holds_alternative<io::InputError>(io::parse_case(text, "x"))) << text;
  }
}

TEST(RunOutputSchema, ConfigDefinitionIsTheCaseSchemas) {
  const auto run = load(kRoot / "schema" / "run-output.schema.json");
  const auto cases = load(kRoot / "schema" / "case.schema.json");
  for (const char* def : {"config", "quirks", "coefficients"}) {
    EXPECT_EQ(run["$defs"][def], cases["$defs"][def]) << def;
  }
}

model::Case example(const std::string& name) {
  const auto read = io::read_case((kRoot / "corpus" / "examples" / name).string());
  EXPECT_TRUE(std::holds_alternative<model::Case>(read)) << name;
  return std::get<model::Case>(read);
}

TEST(RunOutputSchema, RealOutputsConform) {
  const JsonSchema schema(load(kRoot / "schema" / "run-output.schema.json"));
  std::vector<model::Case> cases = {example("b1_one_request.json"),
                                    example("b2_disaggregated.json"), example("b3_preemption.json"),
                                    example("generator_two_clients.json")};
  for (model::Case c : std::vector<model::Case>(cases)) {
    c.config.record_events = true;
    cases.push_back(c);
  }
  model::Case standalone = example("b3_preemption.json");
  standalone.config.driver = model::Driver::standalone;
  cases.push_back(standalone);
  for (const auto& c : cases) {
    const model::RunOutput out = model::simulate(c);
    const auto doc = io::run_output_to_json(out);
    EXPECT_EQ(join(schema.validate(doc)), "");
  }
  // The PD example has the PD sections the schema describes.
  const auto pd = io::run_output_to_json(model::simulate(example("b2_disaggregated.json")));
  EXPECT_TRUE(pd.contains("parents"));
  EXPECT_TRUE(pd.contains("pd"));
  EXPECT_TRUE(pd["parents"][0]["decode_sub"].is_object());
}

TEST(RunOutputSchema, RejectsMalformedOutputs) {
  const JsonSchema schema(load(kRoot / "schema" / "run-output.schema.json"));
  auto doc = io::run_output_to_json(model::simulate(example("b1_one_request.json")));
  auto bad_type = doc;
  bad_type["aggregate"]["counters"]["completed"] = "1";
  EXPECT_FALSE(schema.validate(bad_type).empty());
  auto unknown = doc;
  unknown["instances"][0]["extra"] = 1;
  EXPECT_FALSE(schema.validate(unknown).empty());
  auto missing = doc;
  missing["aggregate"].erase("statistics");
  EXPECT_FALSE(schema.validate(missing).empty());
  auto bad_double = doc;
  bad_double["aggregate"]["maps"]["ttft"]["A"] = "nan";  // only "NaN" spells a NaN
  EXPECT_FALSE(schema.validate(bad_double).empty());
  auto non_finite = doc;
  non_finite["aggregate"]["maps"]["ttft"]["A"] = "NaN";
  EXPECT_TRUE(schema.validate(non_finite).empty());
}

}  // namespace
}  // namespace simcheck::testing
