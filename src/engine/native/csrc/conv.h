// One 2-D convolution shape on oneDNN: forward, backward-data and backward-weights primitives, built once and
// reused, on the pool or on the calling thread. Activations are NHWC, kernels TF.js's HWIO; oneDNN's preferred
// weight layouts are reordered to.
#pragma once

#include <memory>

#include "geometry.h"
#include "parallel.h"

namespace mnl {

/** What a convolution op is built for: inference, training, or training that also needs the input gradient. */
enum class ConvPurpose { Inference, Training, TrainingWithInputGrad };

class ConvOp {
 public:
  /** geometry must have its batchSize set. Ops on the calling thread may run concurrently, each on its own thread. */
  ConvOp(const Geometry& geometry, bool bias, ConvPurpose purpose, OpThreads threads);
  const Geometry& geometry() const { return g_; }

  /**
   * pass: the kernel is reordered into the primitive's layout once per pass (a caller's number that changes when
   * the kernel may have; kAnyKernel reorders at every call).
   */
  void forward(const float* x, const float* kernelHwio, const float* bias, float* y, uint64_t pass = kAnyKernel);
  void backwardData(const float* dy, const float* kernelHwio, float* dx, uint64_t pass = kAnyKernel);
  static constexpr uint64_t kAnyKernel = 0;
  /** dBias: the bias gradient, for an op built with bias (ignored without). */
  void backwardWeights(const float* x, const float* dy, float* dKernelHwio, float* dBias);

 private:
  struct Impl;
  void build();
  /** Runs a pass on the op's threads; a oneDNN failure becomes a NativeError naming the pass and the shape. */
  template <typename Fn>
  void run(const char* pass, Fn body);
  Geometry g_;
  bool bias_;
  ConvPurpose purpose_;
  OpThreads threads_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mnl
