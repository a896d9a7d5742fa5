// docs/fuzzing.md: libFuzzer entry point, any bytes -> io::parse_case: a clear error or a valid
// case that round-trips through the case writer.
#include <cstdio>
#include <cstdlib>

#include "fuzz/input_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const simcheck::fuzz::Finding finding =
          simcheck::fuzz::check_case_reader_input({data, size})) {
    std::fprintf(stderr, "fuzz_case_reader finding:\n%s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
