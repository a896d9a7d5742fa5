// Assertion helpers for the catalogue tests: which checks a run violates, with which subjects.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "properties/check_result.h"
#include "properties/checks.h"

namespace simcheck::testing {

using properties::CheckResult;
using properties::Status;

// id -> subjects of its violations, for every violated check of the catalogue.
inline std::map<std::string, std::set<std::string>> violations_by_check(
    const model::RunOutput& run) {
  std::map<std::string, std::set<std::string>> out;
  for (const CheckResult& r : properties::check_all(run)) {
    // The §C4 laws (which also catch many of these hand-broken runs) have their own tests in
    // causal_laws_test.cpp; the expectations here are about the other checks.
    if (r.status != Status::violated || r.id.rfind("LAW-C4-", 0) == 0) continue;
    for (const auto& v : r.violations) out[r.id].insert(v.subject);
  }
  return out;
}

inline std::string describe(const model::RunOutput& run) {
  std::string s;
  for (const CheckResult& r : properties::check_all(run)) {
    for (const auto& v : r.violations) {
      s += r.id + " [" + v.subject + "] " + v.detail + (v.known_exception ? " (known)" : "") + "\n";
    }
  }
  return s;
}

inline std::set<std::string> keys(const std::map<std::string, std::set<std::string>>& m) {
  std::set<std::string> k;
  for (const auto& [id, subjects] : m) k.insert(id);
  return k;
}

// Asserts that exactly the checks in `expected_ids` are violated, and that `target` among them
// names `subject` as a witness.
inline void expect_violations(const model::RunOutput& run, const std::string& target,
                              const std::string& subject, std::set<std::string> expected_ids) {
  expected_ids.insert(target);
  const auto got = violations_by_check(run);
  EXPECT_EQ(keys(got), expected_ids) << describe(run);
  const auto it = got.find(target);
  ASSERT_NE(it, got.end()) << target << " not violated\n" << describe(run);
  EXPECT_TRUE(it->second.count(subject)) << target << " does not name '" << subject << "'\n"
                                         << describe(run);
}

inline const CheckResult& result_of(const std::vector<CheckResult>& results,
                                    const std::string& id) {
  for (const auto& r : results) {
    if (r.id == id) return r;
  }
  static const CheckResult none;  // test-only fallback, never matched by a real id
  ADD_FAILURE() << "no result for " << id;
  return none;
}

}  // namespace simcheck::testing
