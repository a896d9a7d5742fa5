// docs/fuzzing.md: libFuzzer entry point, any bytes -> io::parse_blis_output (metrics JSON and
// stdout): a clear error or an output that check_all survives.
#include <cstdio>
#include <cstdlib>

#include "fuzz/input_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const simcheck::fuzz::Finding finding =
          simcheck::fuzz::check_blis_metrics_reader_input({data, size})) {
    std::fprintf(stderr, "fuzz_blis_metrics_reader finding:\n%s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
