// One 2-D convolution shape on oneDNN: forward, backward-data and backward-weights primitives, built once
// and reused. Activations are NHWC, kernels TF.js's HWIO; oneDNN's preferred weight layouts are reordered to.
#pragma once

#include <memory>
#include <string>

#include "common.h"

namespace mnl {

struct ConvShape {
  dim n, h, w, c;        // input NHWC
  dim kh, kw, oc;        // kernel HWIO = [kh, kw, c, oc]
  dim sh, sw;            // strides
  dim padTop, padLeft, padBottom, padRight;
  dim oh, ow;            // output spatial size
  bool bias;
  /** Checks the geometry (output size consistent with input, kernel, strides and pads). */
  void validate() const;
  std::string text() const;
};

class ConvOp {
 public:
  /** backward: build the gradient primitives too; inputGrad: also backward-data. */
  ConvOp(const ConvShape& shape, bool backward, bool inputGrad);
  const ConvShape& shape() const { return shape_; }

  void forward(const float* x, const float* kernelHwio, const float* bias, float* y);
  void backwardData(const float* dy, const float* kernelHwio, float* dx);
  void backwardWeights(const float* x, const float* dy, float* dKernelHwio, float* dBias);

 private:
  struct Impl;
  void build(bool backward, bool inputGrad);
  ConvShape shape_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mnl
