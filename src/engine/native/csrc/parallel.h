// Splits the engine's plain loops across the OpenMP pool, only when they are large enough to pay for it.
#pragma once

#include <omp.h>

#include "common.h"

namespace mnl {

// Loops over fewer elements than this run on one thread: a parallel region's fork and barrier cost more than the
// work, and much more when another process holds a core.
constexpr dim kParallelMin = 1 << 15;

/**
 * Runs fn(begin, end) over [0, n): split across the OpenMP threads when n is at least `minimum`, else in one
 * call. The loops inside fn are plain, so the compiler vectorises them.
 */
template <typename Fn>
void parallelRange(dim n, Fn fn, dim minimum = kParallelMin) {
  if (n < minimum || omp_get_max_threads() == 1) {
    fn(dim(0), n);
    return;
  }
#pragma omp parallel
  {
    const dim t = omp_get_thread_num();
    const dim nt = omp_get_num_threads();
    fn(n * t / nt, n * (t + 1) / nt);
  }
}

}  // namespace mnl
