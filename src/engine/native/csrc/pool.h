// One 2-D pooling shape on oneDNN (NHWC), on the pool or on the calling thread: max pooling (training writes
// oneDNN's workspace of argmax positions, which the backward pass reads) or average pooling that, as TF does,
// divides by the in-bounds count only.
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
  /** Bytes of the workspace a training forward writes and its backward reads (0: none). */
  size_t workspaceBytes() const;
  /** workspace: workspaceBytes() bytes, or null when there are none. */
  void forward(const float* x, float* y, void* workspace);
  /** dx from dy, with the workspace the forward of the same samples wrote. */
  void backward(const float* dy, float* dx, void* workspace);

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
