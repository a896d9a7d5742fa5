// Spec §2, §3, §12.2 (via properties/gen): fuzzer bytes -> gen::CaseRecipe -> a valid model::Case.
//
// The decoder produces the same recipe type as the RapidCheck generator (properties/gen/
// case_gen.h) and maps it with the generator's own `gen::to_case`, so the fuzzer explores exactly
// the case space the property tests do, and every input decodes to a case that
// model::validate_case accepts. No RapidCheck code runs here.
#pragma once

#include <cstdint>
#include <span>

#include "model/case.h"
#include "properties/gen/case_gen.h"

namespace simcheck::fuzz {

// The generator options the fuzzer uses: H5's defaults (1..8 instances, PD allowed, up to 64
// requests, event log recorded so that INV-3/INV-4/INV-8 are checkable).
gen::CaseGenOptions fuzz_case_options();

// Decodes configuration knobs first (fixed layout, 65 bytes), then one request per block of 16
// bytes until the input ends or options.max_requests is reached. Each knob is drawn from the
// same mixture of bands, with the same weights, as gen::draw_recipe draws it from, so uniformly
// random bytes decode to the generator's distribution (ByteReader::take_banded).
gen::CaseRecipe decode_recipe(std::span<const uint8_t> bytes, const gen::CaseGenOptions& options);

// decode_recipe + gen::to_case.
model::Case decode_case(std::span<const uint8_t> bytes, const gen::CaseGenOptions& options);

}  // namespace simcheck::fuzz
