// Process-wide oneDNN engine/stream and OpenMP thread control (see common.h).
#include "common.h"

#include <omp.h>

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
