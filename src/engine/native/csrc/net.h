// The compiled trainer: a sequential network (conv, dense, batch norm, activation, dropout; softmax
// cross-entropy at the end) whose whole training step (forward, backward, optimizer) runs in one call.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "conv.h"
#include "ops.h"

namespace mnl {

struct LayerSpec {
  enum class Kind { Conv, Dense, BatchNorm, Activation, Dropout };
  Kind kind = Kind::Dense;
  dim inFeatures = 0, outFeatures = 0;  // per sample
  ops::Act act = ops::Act::Linear;      // conv/dense fused activation, or the activation layer's
  bool bias = false;                    // conv/dense
  ConvShape conv{};                     // conv geometry; n is set per batch size
  dim units = 0;                        // dense output units
  dim channels = 0;                     // batch norm channels (last axis)
  float momentum = 0.99f, epsilon = 1e-3f;
  bool center = true, scale = true;     // batch norm beta / gamma
  float rate = 0;                       // dropout
  uint32_t salt = 0;                    // dropout: mixes into the mask's random stream (the model layer index)
};

struct OptimizerSpec {
  bool adam = true;
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;
};

/** One weight tensor, in the order and layout of the TF.js layer's getWeights(). */
struct WeightTensor {
  int layer;
  std::string role;  // kernel, bias, gamma, beta, movingMean, movingVariance
  std::vector<dim> shape;
  bool trainable;
  std::vector<float> data, grad, m, v;
};

struct StepResult {
  double loss;
  double accuracy;
};

class Net {
 public:
  Net(std::vector<LayerSpec> layers, dim batchSize, OptimizerSpec optimizer, float lossScale);

  std::vector<WeightTensor>& weights() { return weights_; }
  dim batchSize() const { return batchSize_; }
  dim inputFeatures() const { return features_.front(); }
  dim classes() const { return features_.back(); }

  /** One training step on n <= batchSize samples (xs: n × inputFeatures, labels: n class indices). */
  StepResult step(const float* xs, const uint8_t* labels, dim n, float lr, uint32_t seed);
  /** Inference on count samples in chunks of batchSize; probabilities: count × classes. */
  StepResult evaluate(const float* xs, const uint8_t* labels, dim count, float* probabilities);

  /** Optimizer steps taken so far (Adam's t); setting it recomputes the bias-correction powers as TF.js does. */
  long optimizerStep() const { return step_; }
  void setOptimizerStep(long step);

 private:
  struct LayerState {
    int kernel = -1, bias = -1, gamma = -1, beta = -1, movingMean = -1, movingVariance = -1;
    std::vector<float> mean, invStd, variance;  // batch norm batch statistics of the last training forward
    std::vector<uint8_t> mask;                  // dropout mask of the last training forward
  };

  int addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init);
  ConvOp& convOp(size_t layer, dim n, bool training);
  void checkLabels(const uint8_t* labels, dim n) const;
  void forward(dim n, bool training, uint32_t seed);
  void backward(dim n);
  void update(float lr);

  std::vector<LayerSpec> layers_;
  std::vector<LayerState> state_;
  std::vector<WeightTensor> weights_;
  std::vector<dim> features_;               // per-sample size of each activation; [0] = input
  std::vector<std::vector<float>> acts_;    // activations, batchSize × features_[i]
  std::vector<float> gradA_, gradB_;        // ping-pong activation gradients
  std::map<std::pair<dim, bool>, std::vector<std::unique_ptr<ConvOp>>> convOps_;
  dim batchSize_;
  OptimizerSpec opt_;
  float lossScale_;
  long step_ = 0;
  float accBeta1_, accBeta2_;
};

}  // namespace mnl
