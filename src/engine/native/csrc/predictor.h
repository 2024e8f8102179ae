// The compiled predictor: a network built for inference only (no gradients, no optimizer) and a softmax.
#pragma once

#include <vector>

#include "network.h"

namespace mnl {

class Predictor {
 public:
  /** layers end in the logits. */
  Predictor(std::vector<LayerSpec> layers, dim maxBatch);

  Network& network() { return net_; }
  dim classes() const { return net_.outputFeatures(); }
  /** Class probabilities (count × classes) of count samples, in chunks of maxBatch. */
  void probabilities(const float* xs, dim count, float* out);

 private:
  Network net_;
};

}  // namespace mnl
