// One 2-D pooling shape on oneDNN (NHWC): max pooling (training keeps oneDNN's workspace of argmax positions for
// the backward pass) or average pooling that, as TF does, divides by the in-bounds count only.
#pragma once

#include <memory>

#include "geometry.h"

namespace mnl {

enum class PoolKind { Max, Average };

class PoolOp {
 public:
  /** geometry must have its batchSize set and outChannels = inChannels. */
  PoolOp(const Geometry& geometry, PoolKind kind, bool training);
  void forward(const float* x, float* y);
  /** dx from dy, using the workspace of the last forward() (max pooling). */
  void backward(const float* dy, float* dx);

 private:
  struct Impl;
  Geometry g_;
  bool training_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mnl
