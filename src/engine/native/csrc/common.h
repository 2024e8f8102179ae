// Shared plumbing of the native engine: the oneDNN CPU engine and stream, the OpenMP thread count, errors, and the
// check that the installed oneDNN is the 2.x this code is written for.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_version.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#if DNNL_VERSION_MAJOR != 2
#error "mnist-lab's native engine needs oneDNN 2.x (it builds primitives from oneDNN 2 operation descriptors, which oneDNN 3 removed). Install oneDNN 2: on Debian 12, sudo apt-get install libdnnl-dev (2.6.3); elsewhere a 2.x package or a v2.7 build of github.com/oneapi-src/oneDNN. Or set up without the engine: MNIST_LAB_SKIP_NATIVE=1 bash scripts/setup.sh"
#endif

/**
 * Compiles a hot loop also for AVX2 and AVX-512 (chosen when the addon loads, by the CPU): the build targets
 * baseline x86-64, which has 4-wide vectors. Results do not change: FP contraction is off.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MNL_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MNL_VECTOR_CLONES
#endif

namespace mnl {

using dim = int64_t;

/** The process-wide oneDNN CPU engine. */
dnnl::engine& cpuEngine();
/** The calling thread's in-order stream on cpuEngine(). */
dnnl::stream& cpuStream();

/** OpenMP threads used by our loops and by oneDNN (the calling thread's pool size). */
int threadCount();
void setThreadCount(int n);

/** "[a,b,c]" for error messages. */
std::string shapeText(const std::vector<dim>& dims);

/** Thrown for bad arguments; the addon turns it into a JS Error. */
struct NativeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mnl
