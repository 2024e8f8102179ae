// Shared plumbing of the native engine: the oneDNN CPU engine and stream, thread control and error helpers.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mnl {

using dim = int64_t;

/** The process-wide oneDNN CPU engine. */
dnnl::engine& cpuEngine();
/** The calling thread's in-order stream on cpuEngine(). */
dnnl::stream& cpuStream();

/** OpenMP threads used by our loops and by oneDNN. */
/**
 * Flushes denormal floats to zero while native work runs: Adam's moments of dead relu units decay into the
 * denormal range, where x86 arithmetic is ~100x slower (dense presets slowed 3x over 10 epochs without it).
 * Sets FTZ/DAZ on the OpenMP pool threads (they run no JavaScript) and on the calling thread, whose own
 * MXCSR is restored on exit so V8's JavaScript arithmetic keeps IEEE denormals.
 */
class DenormalsAreZero {
 public:
  DenormalsAreZero();
  ~DenormalsAreZero();
  DenormalsAreZero(const DenormalsAreZero&) = delete;
  DenormalsAreZero& operator=(const DenormalsAreZero&) = delete;

 private:
  unsigned saved_;
};

int threadCount();
void setThreadCount(int n);

/** "[a,b,c]" for error messages. */
std::string shapeText(const std::vector<dim>& dims);

/** Thrown for bad arguments; the addon turns it into a JS Error. */
struct NativeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mnl
