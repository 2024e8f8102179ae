// Softmax and the fused softmax cross-entropy (see loss.h).
#include "loss.h"

#include <omp.h>

#include <cmath>

#include "parallel.h"

namespace mnl {

namespace {

/** softmax of one row; returns the argmax of the logits. */
dim softmaxRow(dim k, const float* z, float* p) {
  float maxV = z[0];
  dim arg = 0;
  for (dim j = 1; j < k; j++) {
    if (z[j] > maxV) {
      maxV = z[j];
      arg = j;
    }
  }
  float total = 0;
  for (dim j = 0; j < k; j++) {
    p[j] = std::exp(z[j] - maxV);
    total += p[j];
  }
  const float inv = 1.0f / total;
  for (dim j = 0; j < k; j++) p[j] *= inv;
  return arg;
}

// tfjs-layers clips probabilities to [epsilon, 1 - epsilon] (compared in double, as TF.js compares) before the log.
constexpr double kClipLow = 1e-7;
constexpr double kClipHigh = 1 - 1e-7;

}  // namespace

void softmaxRows(dim rows, dim k, const float* logits, float* probabilities) {
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) softmaxRow(k, logits + r * k, probabilities + r * k);
  }, kParallelMin / k);
}

LossSums softmaxCrossEntropy(dim rows, dim k, const float* logits, const uint8_t* labels, double labelSmoothing,
                             float* probabilities, float* dlogits, float gradScale) {
  // The smoothed one-hot target in float32, as TF.js computes y·(1 - ls) + ls/k.
  const float off = static_cast<float>(labelSmoothing / static_cast<double>(k));
  const float on = static_cast<float>(1.0 - labelSmoothing) + off;
  const float clipLow = static_cast<float>(kClipLow), clipHigh = static_cast<float>(kClipHigh);
  double loss = 0;
  dim correct = 0;
#pragma omp parallel for reduction(+ : loss, correct) if (rows * k >= kParallelMin && !inTeamThread())
  for (dim r = 0; r < rows; r++) {
    float* p = probabilities + r * k;
    const dim arg = softmaxRow(k, logits + r * k, p);
    const dim label = labels[r];
    correct += arg == label ? 1 : 0;
    // Loss -Σ y_j log(clip(p_j)); its gradient through softmax is p_j·S - [p_j not clipped]·y_j, where S is the sum
    // of y over the classes whose probability is not clipped (clipByValue passes no gradient where it clips). With
    // one-hot targets that differs from the fused p - y only for a digit already classified to within 1e-7, by less
    // than 1e-7 per logit; there the fused form is kept, so that the ladder's results stay as they were to the digit.
    double rowLoss = 0;
    float unclippedTarget = 0;
    for (dim j = 0; j < k; j++) {
      const float y = j == label ? on : off;
      if (y == 0.0f) continue;
      const double pj = p[j];
      const bool clipped = pj < kClipLow || pj > kClipHigh;
      rowLoss -= static_cast<double>(y) * std::log(static_cast<double>(clipped ? (pj < kClipLow ? clipLow : clipHigh) : p[j]));
      if (!clipped) unclippedTarget += y;
    }
    loss += rowLoss;
    if (dlogits) {
      float* d = dlogits + r * k;
      for (dim j = 0; j < k; j++) {
        const float y = j == label ? on : off;
        if (labelSmoothing == 0) {
          d[j] = (p[j] - y) * gradScale;
          continue;
        }
        const double pj = p[j];
        const bool clipped = pj < kClipLow || pj > kClipHigh;
        d[j] = (p[j] * unclippedTarget - (clipped ? 0.0f : y)) * gradScale;
      }
    }
  }
  LossSums sums;
  sums.loss = loss;
  sums.correct = correct;
  return sums;
}

}  // namespace mnl
