// The compiled trainer: a network built to train, its softmax cross-entropy head and its optimizer, so that one
// call runs a whole training step (forward, backward, update).
#pragma once

#include <vector>

#include "loss.h"
#include "network.h"
#include "optimizer.h"

namespace mnl {

struct StepResult {
  double loss;
  double accuracy;
};

class Trainer {
 public:
  /** layers end in the logits; labelSmoothing in [0, 1). */
  Trainer(std::vector<LayerSpec> layers, dim batchSize, double labelSmoothing, const OptimizerSpec& optimizer);

  Network& network() { return net_; }
  Optimizer& optimizer() { return optimizer_; }
  /** Indices into network().weights() of the trainable weights, in the order the optimizer holds their slots. */
  const std::vector<size_t>& trainableWeights() const { return trainable_; }
  dim classes() const { return net_.outputFeatures(); }

  /** One training step on n <= batchSize samples (xs: n × inputFeatures, labels: n class ids). */
  StepResult step(const float* xs, const uint8_t* labels, dim n, double lr, uint32_t seed);
  /** Inference on count samples in chunks of batchSize; probabilities: count × classes. */
  StepResult evaluate(const float* xs, const uint8_t* labels, dim count, float* probabilities);

 private:
  void checkLabels(const uint8_t* labels, dim n) const;

  Network net_;
  std::vector<size_t> trainable_;
  Optimizer optimizer_;
  double labelSmoothing_;
  std::vector<float> probabilities_;  // batchSize × classes, the last step's
  std::vector<Parameter> parameters_;
  std::vector<LossSums> chunkLosses_;  // each chunk's part of the last step's loss
};

}  // namespace mnl
