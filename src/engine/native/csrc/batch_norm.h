// Batch normalisation over the last axis of row-major [rows, channels] activations, with the activation that
// follows it fused in: training (batch statistics), inference (moving statistics) and the closed-form backward.
#pragma once

#include "ops.h"

namespace mnl::ops {

/**
 * Training batch norm over rows, y = act(gamma·(x - mean)/sqrt(var + eps) + beta): saves the batch mean, the biased
 * batch variance and 1/sqrt(var + eps). gamma / beta may be null (scale 1, offset 0).
 */
void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, Act act,
                    float* y, float* mean, float* invStd, float* variance);
/** Inference batch norm with the moving statistics, then act. */
void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, Act act, float* y);
/**
 * Gradients of batchNormTrain, from its input x, its output y (after act) and dy = d(loss)/dy. dx may be null (input
 * gradient not needed), dgamma / dbeta null when absent.
 */
void batchNormBackward(dim rows, dim c, const float* x, const float* y, const float* dy, const float* gamma,
                       const float* mean, const float* invStd, Act act, float* dx, float* dgamma, float* dbeta);
/** moving -= (moving - value) * (1 - momentum), as tfjs-layers does. */
void movingAverage(dim c, const float* value, float momentum, float* moving);

}  // namespace mnl::ops
