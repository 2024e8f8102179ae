// Batch normalisation over the last axis of row-major [rows, channels] activations, with the activation that
// follows it fused in: training (batch statistics) and its closed-form backward, run by every thread of a team on
// its own rows; inference (moving statistics) on any rows.
#pragma once

#include <vector>

#include "channel_blocks.h"
#include "ops.h"

namespace mnl::ops {

/** One batch norm layer's training passes over a team: the batch statistics and the per-channel factors. */
class BatchNormPasses {
 public:
  BatchNormPasses(dim channels, float epsilon);

  /** Room for a team of `threads`; call before the team starts. */
  void reserve(int threads) { sums_.reserve(threads); }

  // Every thread t of a team of nt calls these on its own `sliceRows` rows (the pointers at its first row) of the
  // batch's `rows`; they wait for each other once (the batch's sums), so every thread of the team calls them.

  /**
   * y = act(gamma·(x - mean)/sqrt(var + eps) + beta) with the batch mean and biased variance, which it keeps (with
   * 1/sqrt(var + eps)). gamma / beta may be null (scale 1, offset 0).
   */
  void train(int t, int nt, dim rows, dim sliceRows, const float* x, const float* gamma, const float* beta, Act act,
             float* y);
  /** Gradients of the last train() from its input x, output y (after act) and dy = d(loss)/dy. dx may be null
   * (input gradient not needed), dgamma / dbeta null when absent. */
  void backward(int t, int nt, dim rows, dim sliceRows, const float* x, const float* y, const float* dy,
                const float* gamma, Act act, float* dx, float* dgamma, float* dbeta);

  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& variance() const { return variance_; }

 private:
  /** Tiled per-channel factors (span floats each). */
  enum Factor { Scale, Shift, Mean, InvStd, K, MeanDy, MeanDyXhat, Factors };
  float* factor(Factor f) { return factors_.data() + f * sums_.blocks().span; }

  dim c_;
  float eps_;
  ChannelSums sums_;
  std::vector<float> mean_, variance_, invStd_, factors_;
};

/** Inference batch norm with the moving statistics, then act, on the calling thread. */
void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, Act act, float* y);
/** moving -= (moving - value) * (1 - momentum), as tfjs-layers does. */
void movingAverage(dim c, const float* value, float momentum, float* moving);

}  // namespace mnl::ops
