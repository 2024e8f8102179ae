// One 2-D convolution shape on oneDNN: forward, backward-data and backward-weights primitives, built once and
// reused. Activations are NHWC, kernels TF.js's HWIO; oneDNN's preferred weight layouts are reordered to.
#pragma once

#include <memory>

#include "geometry.h"

namespace mnl {

/** What a convolution op is built for: inference, training, or training that also needs the input gradient. */
enum class ConvPurpose { Inference, Training, TrainingWithInputGrad };

class ConvOp {
 public:
  /** geometry must have its batchSize set. */
  ConvOp(const Geometry& geometry, bool bias, ConvPurpose purpose);
  const Geometry& geometry() const { return g_; }

  void forward(const float* x, const float* kernelHwio, const float* bias, float* y);
  void backwardData(const float* dy, const float* kernelHwio, float* dx);
  /** dBias: the bias gradient, for an op built with bias (ignored without). */
  void backwardWeights(const float* x, const float* dy, float* dKernelHwio, float* dBias);

 private:
  struct Impl;
  void build();
  Geometry g_;
  bool bias_;
  ConvPurpose purpose_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mnl
