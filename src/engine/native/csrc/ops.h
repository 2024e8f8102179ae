// The compiled network's plain CPU loops and its sgemm: bias, activations, dropout, global average pooling.
// Activations are row-major [rows, channels] (NHWC). After warm-up they allocate nothing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "common.h"

namespace mnl::ops {

enum class Act { Linear, Relu, Sigmoid, Tanh };

/** act(x) of one value. */
template <Act A>
inline float activate(float x) {
  if constexpr (A == Act::Relu) return std::max(x, 0.0f);
  if constexpr (A == Act::Sigmoid) return 1.0f / (1.0f + std::exp(-x));
  if constexpr (A == Act::Tanh) return std::tanh(x);
  return x;
}

/** dy · act'(x) of one value, from the activation's output y. */
template <Act A>
inline float activationGrad(float y, float dy) {
  if constexpr (A == Act::Relu) return y > 0.0f ? dy : 0.0f;
  if constexpr (A == Act::Sigmoid) return dy * (y * (1.0f - y));
  if constexpr (A == Act::Tanh) return dy * (1.0f - y * y);
  return dy;
}

/** Calls fn(std::integral_constant<Act, act>{}): a loop written once is compiled for each activation. */
template <typename Fn>
void withAct(Act act, Fn&& fn) {
  switch (act) {
    case Act::Linear: return fn(std::integral_constant<Act, Act::Linear>{});
    case Act::Relu: return fn(std::integral_constant<Act, Act::Relu>{});
    case Act::Sigmoid: return fn(std::integral_constant<Act, Act::Sigmoid>{});
    case Act::Tanh: return fn(std::integral_constant<Act, Act::Tanh>{});
  }
}

/** C[m,n] = op(A) op(B) (+ C when accumulate); row-major, oneDNN's jit sgemm. */
void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, const float* b, float* c, bool accumulate);
/** The same with leading dimensions (row strides) of its own for each matrix, e.g. for a block of columns. */
void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, dim lda, const float* b, dim ldb, float* c,
          dim ldc, bool accumulate);

/** y[rows, c] += bias[c]. */
void addBias(dim rows, dim c, const float* bias, float* y);
/** db[c] = sum over rows of dy[rows, c] (in double), on the calling thread. */
void biasGrad(dim rows, dim c, const float* dy, float* db);

/** y = act(x); x may equal y (Linear copies when they differ). */
void activationForward(Act act, dim n, const float* x, float* y);
/** In place dy *= act'(y), y being the activation's output. */
void activationBackward(Act act, dim n, const float* y, float* dy);

/** Uniform [0,1) float of a counter-based hash: same (seed, salt, index) → same number. */
float counterUniform(uint32_t seed, uint32_t salt, uint64_t index);
/**
 * Inverted dropout of n elements, the first being element `first` of the layer's output (whose index draws its
 * number): keep where u >= rate, scale kept values by 1/(1-rate); mask gets 1 for kept. On the calling thread.
 */
void dropoutForward(dim first, dim n, float rate, uint32_t seed, uint32_t salt, const float* x, float* y,
                    uint8_t* mask);
void dropoutBackward(dim n, float rate, const uint8_t* mask, const float* dy, float* dx);

/** y[n, c] = mean over the `positions` pixels of x[n, positions, c]. */
void globalAvgPoolForward(dim n, dim positions, dim c, const float* x, float* y);
/** dx[n, p, c] = dy[n, c] / positions. */
void globalAvgPoolBackward(dim n, dim positions, dim c, const float* dy, float* dx);

}  // namespace mnl::ops
