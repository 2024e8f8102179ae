// Plain CPU loops of the compiled trainer: dense via oneDNN sgemm, batch norm, activations, dropout,
// softmax cross-entropy and the optimizer updates. Activations are row-major [rows, channels] (NHWC).
#pragma once

#include <cstdint>

#include "common.h"

namespace mnl::ops {

enum class Act { Linear = 0, Relu = 1, Sigmoid = 2, Softmax = 3 };

/** C[m,n] = op(A) op(B) (+ C when accumulate); row-major, oneDNN's jit sgemm. */
void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, const float* b, float* c, bool accumulate);

/** y[rows, c] += bias[c]. */
void addBias(dim rows, dim c, const float* bias, float* y);
/** db[c] = sum over rows of dy[rows, c]. */
void biasGrad(dim rows, dim c, const float* dy, float* db);

/** y = act(x), x may equal y (not Softmax: Linear copies when x != y). */
void activationForward(Act act, dim n, const float* x, float* y);
/** In place dy *= act'(y), y being the activation's output (not Softmax). */
void activationBackward(Act act, dim n, const float* y, float* dy);

/** Training batch norm over rows: saves the batch mean and 1/sqrt(var+eps); var is the biased batch variance. */
void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, float* y,
                    float* mean, float* invStd, float* variance);
/** Inference batch norm with the moving statistics. */
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

struct LossSums {
  double loss = 0;  // sum over rows of -log(clip(p[label]))
  dim correct = 0;  // rows whose argmax equals the label
};
/** In place softmax of logits[rows, k] → probabilities; dlogits (if not null) = (p - onehot) * gradScale. */
LossSums softmaxCrossEntropy(dim rows, dim k, float* logitsToProbs, const uint8_t* labels, float* dlogits,
                             float gradScale);

/** TF.js AdamOptimizer's update, fused per parameter. */
void adamUpdate(dim n, float* w, const float* g, float* m, float* v, float lr, float beta1, float beta2, float eps,
                float oneMinusAccBeta1, float oneMinusAccBeta2);
void sgdUpdate(dim n, float* w, const float* g, float lr);

}  // namespace mnl::ops
