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

/** While alive, OpenMP work the calling thread starts (its own loops and oneDNN's) runs on that thread alone. */
class SerialScope {
 public:
  SerialScope() : saved_(omp_get_max_threads()) {
    if (saved_ > 1) omp_set_num_threads(1);
  }
  ~SerialScope() {
    if (saved_ > 1) omp_set_num_threads(saved_);
  }
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_;
};

/** The threads for a pass over `elements` values: the whole team when it pays for the fork, else one. */
inline int teamFor(dim elements) { return elements >= kParallelMin ? omp_get_max_threads() : 1; }

/**
 * Runs body(t, nt) on `threads` threads (in the calling thread when one): for passes that share work out by hand,
 * several loops to one fork; an `omp barrier` or `omp single` inside binds to this team.
 */
template <typename Body>
void inTeam(int threads, Body body) {
  if (threads == 1) {
    body(0, 1);
    return;
  }
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
}

}  // namespace mnl
