// docs/fuzzing.md: libFuzzer entry point, any bytes -> io::parse_blis_debug_log: a clear
// error or a timeline the whole catalogue runs on.
#include <cstdio>
#include <cstdlib>

#include "fuzz/input_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const simcheck::fuzz::Finding finding =
          simcheck::fuzz::check_blis_debug_log_input({data, size})) {
    std::fprintf(stderr, "fuzz_blis_debug_log finding:\n%s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
