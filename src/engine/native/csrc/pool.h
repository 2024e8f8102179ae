// One 2-D pooling shape on oneDNN (NHWC), on the pool or on the calling thread: max pooling (training keeps oneDNN's
// workspace of argmax positions for the backward pass) or average pooling that, as TF does, divides by the
// in-bounds count only.
#pragma once

#include <memory>

#include "geometry.h"
#include "parallel.h"

namespace mnl {

enum class PoolKind { Max, Average };

class PoolOp {
 public:
  /** geometry must have its batchSize set and outChannels = inChannels. */
  PoolOp(const Geometry& geometry, PoolKind kind, bool training, OpThreads threads);
  void forward(const float* x, float* y);
  /** dx from dy, using the workspace of the last forward() (max pooling). */
  void backward(const float* dy, float* dx);

 private:
  struct Impl;
  /** Runs a pass on the op's threads; a oneDNN failure becomes a NativeError naming the pass and the shape. */
  template <typename Fn>
  void run(const char* pass, Fn body);
  Geometry g_;
  bool training_;
  OpThreads threads_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mnl
