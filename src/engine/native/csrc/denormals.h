// Flush-to-zero for native work: denormal floats are ~100x slower on x86, and Adam's moments of dead relu units
// decay into that range (the dense presets slowed 3x over 10 epochs without this).
#pragma once

namespace mnl {

/**
 * While alive, FTZ/DAZ is on for the calling thread and for its OpenMP pool. The calling thread runs JavaScript
 * too, so its MXCSR is saved and restored: V8 keeps IEEE denormals. Pool threads run only native work and keep
 * the mode: a parallel region sets it once, the first time the pool reaches a given size (each calling thread has
 * its own pool, so this is tracked per calling thread); threads the pool creates later inherit the calling
 * thread's flushed MXCSR, as Linux copies it into new threads.
 */
class FlushDenormals {
 public:
  FlushDenormals();
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
};

/** How many times a parallel region set FTZ/DAZ on a pool (once per pool size reached), for tests to count. */
int poolFlushCount();

}  // namespace mnl
