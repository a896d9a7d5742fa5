// Greedy shrinking of a failing value along its RapidCheck shrink tree (the same walk RapidCheck
// performs after a failed property): take the first shrink that still fails, repeat from it,
// stop when no shrink fails or the try budget is spent.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <utility>

namespace simcheck::gen {

template <class T>
struct Minimised {
  T value;
  int64_t accepted = 0;    // shrink steps taken
  int64_t tried = 0;       // candidates evaluated
  bool exhausted = false;  // stopped by the try budget, not by a local minimum
};

// `still_fails(const T&) -> bool` must be deterministic. `start` must fail.
template <class T, class Pred>
Minimised<T> minimise(rc::Shrinkable<T> start, Pred&& still_fails, int64_t max_tries) {
  Minimised<T> m{start.value()};
  rc::Shrinkable<T> current = std::move(start);
  bool progressed = true;
  while (progressed) {
    progressed = false;
    auto shrinks = current.shrinks();
    while (auto candidate = shrinks.next()) {
      if (m.tried >= max_tries) {
        m.exhausted = true;
        return m;
      }
      ++m.tried;
      T value = candidate->value();
      if (still_fails(value)) {
        m.value = std::move(value);
        ++m.accepted;
        current = std::move(*candidate);
        progressed = true;
        break;
      }
    }
  }
  return m;
}

}  // namespace simcheck::gen
