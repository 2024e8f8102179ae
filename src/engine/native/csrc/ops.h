// The compiled network's plain CPU loops and its sgemm: bias, activations, batch norm, dropout, global average
// pooling. Activations are row-major [rows, channels] (NHWC). After warm-up they allocate nothing.
#pragma once

#include <cstdint>

#include "common.h"

namespace mnl::ops {

enum class Act { Linear, Relu, Sigmoid, Tanh };

/** C[m,n] = op(A) op(B) (+ C when accumulate); row-major, oneDNN's jit sgemm. */
void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, const float* b, float* c, bool accumulate);

/** y[rows, c] += bias[c]. */
void addBias(dim rows, dim c, const float* bias, float* y);
/** db[c] = sum over rows of dy[rows, c]. */
void biasGrad(dim rows, dim c, const float* dy, float* db);

/** y = act(x); x may equal y (Linear copies when they differ). */
void activationForward(Act act, dim n, const float* x, float* y);
/** In place dy *= act'(y), y being the activation's output. */
void activationBackward(Act act, dim n, const float* y, float* dy);

/** Training batch norm over rows: saves the batch mean and 1/sqrt(var+eps); var is the biased batch variance. */
void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, float* y,
                    float* mean, float* invStd, float* variance);
/** Inference batch norm with the moving statistics (gamma / beta may be null: scale 1, offset 0). */
void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, float* y);
/** Gradients of batchNormTrain; dx may be null (input gradient not needed), dgamma/dbeta null when absent. */
void batchNormBackward(dim rows, dim c, const float* x, const float* dy, const float* gamma, const float* mean,
                       const float* invStd, float* dx, float* dgamma, float* dbeta);
/** moving -= (moving - value) * (1 - momentum), as tfjs-layers does. */
void movingAverage(dim c, const float* value, float momentum, float* moving);

/** Uniform [0,1) float of a counter-based hash: same (seed, salt, index) → same number. */
float counterUniform(uint32_t seed, uint32_t salt, uint64_t index);
/** Inverted dropout: keep where u >= rate, scale kept values by 1/(1-rate); mask gets 1 for kept. */
void dropoutForward(dim n, float rate, uint32_t seed, uint32_t salt, const float* x, float* y, uint8_t* mask);
void dropoutBackward(dim n, float rate, const uint8_t* mask, const float* dy, float* dx);

/** y[n, c] = mean over the `positions` pixels of x[n, positions, c]. */
void globalAvgPoolForward(dim n, dim positions, dim c, const float* x, float* y);
/** dx[n, p, c] = dy[n, c] / positions. */
void globalAvgPoolBackward(dim n, dim positions, dim c, const float* dy, float* dx);

}  // namespace mnl::ops
