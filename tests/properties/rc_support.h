// Running RapidCheck properties inside GoogleTest with a fixed seed and an explicit case count.
//
// RC_GTEST_PROP takes its seed and count from the process-wide RC_PARAMS configuration, so a CI
// run would depend on the environment; these helpers pass rc::detail::TestParams explicitly
// instead. The count is `base_cases` times SIMCHECK_RC_SCALE (an integer >= 1, default 1), so a
// nightly job can run e.g. SIMCHECK_RC_SCALE=50 without touching the code.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>

namespace simcheck::testing {

inline int rc_scale() {
  const char* s = std::getenv("SIMCHECK_RC_SCALE");
  if (s == nullptr) return 1;
  const long v = std::strtol(s, nullptr, 10);
  return v >= 1 ? static_cast<int>(v) : 1;
}

// Checks `property` (a callable as for rc::check) on base_cases * rc_scale() generated cases from
// `seed`; a failure fails the current test with RapidCheck's shrunk counterexample.
template <class Property>
void check_property(Property&& property, int base_cases, uint64_t seed = 20260501) {
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = base_cases * rc_scale();
  params.maxSize = rc::kNominalSize;
  rc::detail::TestMetadata metadata;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata, params);
  if (result.template is<rc::detail::SuccessResult>()) {
    EXPECT_EQ(result.template get<rc::detail::SuccessResult>().numSuccess, params.maxSuccess);
    return;
  }
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  ADD_FAILURE() << message.str();
}

}  // namespace simcheck::testing
