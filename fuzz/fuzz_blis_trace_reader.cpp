// docs/fuzzing.md: libFuzzer entry point, any bytes -> io::parse_blis_trace (header + CSV): a clear
// error or a trace that round-trips and replays into a valid case.
#include <cstdio>
#include <cstdlib>

#include "fuzz/input_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const simcheck::fuzz::Finding finding =
          simcheck::fuzz::check_blis_trace_reader_input({data, size})) {
    std::fprintf(stderr, "fuzz_blis_trace_reader finding:\n%s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
