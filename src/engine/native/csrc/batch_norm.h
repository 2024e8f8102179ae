// Batch normalisation over the last axis of row-major [rows, channels] activations, with the activation that
// follows it fused in: training (batch statistics) and its closed-form backward in stages that chunks of the batch
// go through on any thread, and inference (moving statistics).
#pragma once

#include <vector>

#include "channel_blocks.h"
#include "ops.h"

namespace mnl::ops {

/**
 * One batch norm layer's training passes over a batch cut into chunks. Forward: sums() of every chunk (in any order,
 * on any threads), then fold() once, then apply() to every chunk. Backward: gradientSums(), gradientFold(),
 * gradientApply() likewise. The sums are kept per chunk and folded in chunk order: the same chunks give the same
 * result bit for bit, whichever threads ran them.
 */
class BatchNormPasses {
 public:
  BatchNormPasses(dim channels, float epsilon);

  /** Room for `chunks` chunks' sums. */
  void reserve(int chunks) { sums_.reserve(chunks); }

  /** The batch sums of chunk c's `rows` rows of x. */
  void sums(int c, dim rows, const float* x);
  /** The batch mean, biased variance and 1/sqrt(var + eps) of all `rows` rows, and the factors of apply(). gamma /
   * beta may be null (scale 1, offset 0). */
  void fold(int chunks, dim rows, const float* gamma, const float* beta);
  /** y = act(gamma·(x - mean)/sqrt(var + eps) + beta) on a chunk's rows. */
  void apply(dim rows, const float* x, Act act, float* y) const;

  /** The sums of the last training pass's gradient on chunk c, from its input x, its output y (after act) and dy. */
  void gradientSums(int c, dim rows, const float* x, const float* y, const float* dy, Act act);
  /** dgamma / dbeta (null when absent) of all `rows` rows, and the factors of gradientApply(). */
  void gradientFold(int chunks, dim rows, const float* gamma, float* dgamma, float* dbeta);
  /** dx on a chunk's rows. */
  void gradientApply(dim rows, const float* x, const float* y, const float* dy, Act act, float* dx) const;

  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& variance() const { return variance_; }

 private:
  /** Tiled per-channel factors (span floats each). */
  enum Factor { Scale, Shift, Mean, InvStd, K, MeanDy, MeanDyXhat, Factors };
  float* factor(Factor f) { return factors_.data() + f * sums_.blocks().span; }
  const float* factor(Factor f) const { return factors_.data() + f * sums_.blocks().span; }

  dim c_;
  float eps_;
  ChannelSums sums_;
  std::vector<float> mean_, variance_, invStd_, factors_;
};

/** Inference batch norm with the moving statistics, then act. */
void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, Act act, float* y);
/** moving -= (moving - value) * (1 - momentum), as tfjs-layers does. */
void movingAverage(dim c, const float* value, float momentum, float* moving);

}  // namespace mnl::ops
