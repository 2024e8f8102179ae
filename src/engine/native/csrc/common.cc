// Process-wide oneDNN engine/stream and OpenMP thread control (see common.h).
#include "common.h"

#include <omp.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define MNL_HAS_MXCSR 1
#endif

namespace mnl {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  // One stream per calling thread: Node worker threads may each train their own model.
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

#ifdef MNL_HAS_MXCSR
// MXCSR bits: flush-to-zero (15) and denormals-are-zero (6).
constexpr unsigned kFtzDaz = 0x8040;

DenormalsAreZero::DenormalsAreZero() : saved_(_mm_getcsr()) {
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() | kFtzDaz);
  _mm_setcsr(saved_ | kFtzDaz);
}

DenormalsAreZero::~DenormalsAreZero() { _mm_setcsr(saved_); }
#else
DenormalsAreZero::DenormalsAreZero() : saved_(0) {}
DenormalsAreZero::~DenormalsAreZero() {}
#endif

int threadCount() { return omp_get_max_threads(); }

void setThreadCount(int n) {
  if (n < 1) throw NativeError("threads must be >= 1, got " + std::to_string(n));
  omp_set_num_threads(n);
}

std::string shapeText(const std::vector<dim>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); i++) out += (i ? "," : "") + std::to_string(dims[i]);
  return out + "]";
}

}  // namespace mnl
