// FTZ/DAZ on the calling thread per call and on each OpenMP pool thread once (see denormals.h).
#include "denormals.h"

#include <omp.h>

#include <atomic>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define MNL_HAS_MXCSR 1
#endif

namespace mnl {

#ifdef MNL_HAS_MXCSR
// MXCSR bits: flush-to-zero (15) and denormals-are-zero (6).
constexpr unsigned kFtzDaz = 0x8040;

namespace {
/** The largest pool size of this calling thread whose threads have FTZ/DAZ set. */
thread_local int flushedPoolSize = 0;
/** Parallel regions run to set the mode on a pool, over all calling threads. */
std::atomic<int> poolFlushes{0};
}  // namespace

int poolFlushCount() { return poolFlushes.load(); }

FlushDenormals::FlushDenormals() : saved_(_mm_getcsr()) {
  _mm_setcsr(saved_ | kFtzDaz);
  const int poolSize = omp_get_max_threads();
  if (poolSize > flushedPoolSize) {
#pragma omp parallel num_threads(poolSize)
    _mm_setcsr(_mm_getcsr() | kFtzDaz);
    flushedPoolSize = poolSize;
    poolFlushes++;
  }
}

FlushDenormals::~FlushDenormals() { _mm_setcsr(saved_); }
#else
int poolFlushCount() { return 0; }
FlushDenormals::FlushDenormals() : saved_(0) {}
FlushDenormals::~FlushDenormals() {}
#endif

}  // namespace mnl
