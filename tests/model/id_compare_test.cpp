// compare_ids must order ids exactly as std::string_view::compare (byte-wise, unsigned bytes).
#include "model/id_compare.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/rng.h"

namespace simcheck::model {
namespace {

int sign(int x) { return (x > 0) - (x < 0); }

TEST(IdCompare, AgreesWithStringViewCompare) {
  // Short and long ids, shared prefixes, prefixes of each other, bytes above 0x7f.
  std::vector<std::string> ids = {"",
                                  "a",
                                  "request_1",
                                  "request_10",
                                  "request_1_decode",
                                  "request_1_prefill",
                                  "request_12345678",
                                  "request_12345679",
                                  "request_123456780",
                                  std::string("r\x80x", 3),
                                  std::string("r\x7fx", 3),
                                  std::string("request_\xff", 9),
                                  std::string("request_\x01", 9)};
  Rng rng(300);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int64_t len = static_cast<int64_t>(rng.uniform(27));
    for (int64_t k = 0; k < len; ++k) {
      // After "request_": bytes 0xfe, 0xff, 0x00, 0x01, 0x02 (high and low bytes).
      s.push_back(k < 8 ? "request_"[k] : static_cast<char>(rng.uniform(5) + 254));
    }
    ids.push_back(s);
  }
  for (const std::string& a : ids) {
    for (const std::string& b : ids) {
      ASSERT_EQ(sign(compare_ids(a, b)), sign(std::string_view(a).compare(b))) << a << " | " << b;
      ASSERT_EQ(id_less(a, b), a < b);
    }
  }
}

}  // namespace
}  // namespace simcheck::model
