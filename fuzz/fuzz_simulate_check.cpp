// docs/fuzzing.md: libFuzzer entry point, fuzzer bytes -> valid case (decode_case) -> simulate
// -> check_all; a gating violation prints the case as simcheck-case/1 JSON and aborts.
//
// Environment (read once, in LLVMFuzzerInitialize):
//   SIMCHECK_FUZZ_PROJECTION=current|pre-1514|pre-1512|pre-931|pre-846  projection era (default
//     current); a historical era makes the fuzzer hunt the bug that era had.
//   SIMCHECK_FUZZ_STRICT=1  known exceptions (C-1 on E-FALLBACK, ...) gate too.
//   SIMCHECK_FUZZ_RECORD_EVENTS=0  no per-instance event log: faster, but INV-3, INV-4 and INV-8
//     become not applicable.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz/input_checks.h"
#include "model/config.h"

namespace {

// libFuzzer gives the entry point no context argument, so the options parsed at start-up live
// here; they are written once, before the first input, and only read afterwards.
simcheck::fuzz::SimulateCheckOptions g_options;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (const char* era = std::getenv("SIMCHECK_FUZZ_PROJECTION")) {
    if (!simcheck::model::parse(era, g_options.projection)) {
      std::fprintf(stderr,
                   "SIMCHECK_FUZZ_PROJECTION=%s: expected current, pre-1514, pre-1512, pre-931 "
                   "or pre-846\n",
                   era);
      std::exit(2);
    }
  }
  if (const char* strict = std::getenv("SIMCHECK_FUZZ_STRICT")) {
    g_options.strict = std::strcmp(strict, "1") == 0;
  }
  if (const char* events = std::getenv("SIMCHECK_FUZZ_RECORD_EVENTS")) {
    g_options.record_events = std::strcmp(events, "0") != 0;
  }
  std::fprintf(stderr, "fuzz_simulate_check: projection %s%s%s\n",
               simcheck::model::to_string(g_options.projection), g_options.strict ? ", strict" : "",
               g_options.record_events ? "" : ", no event log");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const simcheck::fuzz::Finding finding =
          simcheck::fuzz::check_simulate_input({data, size}, g_options)) {
    std::fprintf(stderr, "fuzz_simulate_check finding:\n%s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
