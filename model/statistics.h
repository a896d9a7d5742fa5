// Spec §10.5: summary statistics (MEAN_ms, PCT_ms and the Statistics record).
#pragma once

#include <cstdint>
#include <vector>

#include "model/run_output.h"

namespace simcheck::model {

// Sorts ascending: operator<'s order, with -0.0 before +0.0 (which compare equal), whatever the
// list's length. Large lists are radix-sorted on their bit patterns.
void sort_ascending(std::vector<double>& values);

// MEAN_ms(v) = ((Σ of v sorted ascending, accumulated left to right in binary64) / n) / 1000;
// 0 for an empty list. Integer data is converted element by element before accumulation (equal
// to the exact integer sum below 2^53 and free of overflow above it).
double mean_ms(std::vector<double> values);
double mean_ms(std::vector<int64_t> values);

// PCT_ms(x, p) over `sorted` (ascending): 0 if empty; rank = (p / 100.0)·(n − 1), lo = ⌊rank⌋,
// hi = ⌈rank⌉; x[lo] / 1000 if lo == hi, else x[lo] / 1000 + ((x[hi] − x[lo])·(rank − lo)) / 1000.
// For int64 data x[hi] − x[lo] is an integer subtraction, then converted to double.
double percentile_ms(const std::vector<double>& sorted, double p);
double percentile_ms(const std::vector<int64_t>& sorted, double p);

// §10.5 over one set of metrics (an instance's own maps, or the final aggregate). Every statistic
// (injected_requests included) is 0 when counters.completed == 0, as §10.5 says literally.
Statistics summary_statistics(const Counters& counters, const MetricMaps& maps,
                              const std::vector<int64_t>& all_itls);

}  // namespace simcheck::model
