// The compiled network's head: softmax over the logits, and categorical cross-entropy (optionally label-smoothed)
// with its logits gradient, both as tfjs-layers computes them. Labels are class ids.
#pragma once

#include <cstdint>

#include "common.h"

namespace mnl {

/** probabilities[rows, k] = softmax of each row of logits. */
void softmaxRows(dim rows, dim k, const float* logits, float* probabilities);

struct LossSums {
  double loss = 0;  // sum over rows of -Σ_k y_k log(clip(p_k, 1e-7, 1 - 1e-7))
  dim correct = 0;  // rows whose argmax equals the label
};

/**
 * Softmax cross-entropy of logits[rows, k] against labels, the target being the one-hot label smoothed as Keras
 * does: y = onehot·(1 - labelSmoothing) + labelSmoothing / k. Writes the probabilities; when dlogits is not null
 * it gets d(loss)/d(logits) · gradScale, differentiated through tfjs-layers' clipping of the probabilities to
 * [1e-7, 1 - 1e-7] exactly as TF.js does (a clipped probability passes no gradient).
 */
LossSums softmaxCrossEntropy(dim rows, dim k, const float* logits, const uint8_t* labels, double labelSmoothing,
                             float* probabilities, float* dlogits, float gradScale);

}  // namespace mnl
