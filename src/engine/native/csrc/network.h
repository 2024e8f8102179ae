// A compiled sequential network (conv, dense, batch norm, activation, dropout, max/average pooling, global
// average pooling) ending in logits: its weights, preallocated activations, forward pass and, when built to
// train, the backward pass into per-weight gradients.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conv.h"
#include "geometry.h"
#include "ops.h"
#include "pool.h"

namespace mnl {

struct LayerSpec {
  enum class Kind { Conv, Dense, BatchNorm, Activation, Dropout, MaxPool, AvgPool, GlobalAvgPool };
  Kind kind = Kind::Dense;
  dim inFeatures = 0;                   // per sample; the network derives each layer's output size
  ops::Act act = ops::Act::Linear;      // conv/dense/batch norm fused activation, or the activation layer's
  bool bias = false;                    // conv/dense
  Geometry window{};                    // conv and pooling geometry (batchSize 0); global pooling: its input
  dim units = 0;                        // dense output units
  dim channels = 0;                     // batch norm channels (last axis)
  float momentum = 0.99f, epsilon = 1e-3f;
  bool center = true, scale = true;     // batch norm beta / gamma
  float rate = 0;                       // dropout
  uint32_t salt = 0;                    // dropout: mixes into the mask's random stream (the model layer index)
};

/** One weight tensor, in the order and layout of the TF.js layer's getWeights(). */
struct WeightTensor {
  int layer;
  std::string role;  // kernel, bias, gamma, beta, movingMean, movingVariance
  std::vector<dim> shape;
  bool trainable;
  std::vector<float> data, grad;  // grad only in a network built to train
};

class Network {
 public:
  /** trainable: also allocate gradients and keep what the backward pass needs (BN statistics, masks, workspaces). */
  Network(std::vector<LayerSpec> layers, dim maxBatch, bool trainable);

  std::vector<WeightTensor>& weights() { return weights_; }
  dim maxBatch() const { return maxBatch_; }
  dim inputFeatures() const { return features_.front(); }
  dim outputFeatures() const { return features_.back(); }

  /** The input buffer, maxBatch × inputFeatures. */
  float* input() { return acts_.front(); }
  /** Runs the layers on the first n rows of input() and returns the output, n × outputFeatures. Training: batch
   * statistics (and moving-average updates), dropout masks from seed; otherwise moving statistics, no dropout. */
  const float* forward(dim n, bool training, uint32_t seed);
  /** Where the caller writes d(loss)/d(output) (maxBatch × outputFeatures) before backward(). */
  float* outputGradient();
  /** Back-propagates outputGradient() through the last training forward of n rows into each weight's grad. */
  void backward(dim n);

 private:
  struct LayerState {
    int kernel = -1, bias = -1, gamma = -1, beta = -1, movingMean = -1, movingVariance = -1;
    bool needsInputGrad = false;                // some layer below has trainable weights
    bool folded = false;                        // an activation layer the layer below computes (its output is theirs)
    std::vector<float> mean, invStd, variance;  // batch norm batch statistics of the last training forward
    std::vector<uint8_t> mask;                  // dropout mask of the last training forward
    std::map<std::pair<dim, bool>, std::unique_ptr<ConvOp>> convs;  // by (batch, training)
    std::map<std::pair<dim, bool>, std::unique_ptr<PoolOp>> pools;  // by (batch, training); training keeps argmax
  };

  int addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init);
  /** Folds each activation layer into a conv, dense or batch norm layer right below it that has none of its own. */
  void foldActivations();
  ConvOp& convOp(size_t layer, dim n, bool training);
  PoolOp& poolOp(size_t layer, dim n, bool training);
  float* weight(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].data.data(); }
  float* gradient(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].grad.data(); }

  std::vector<LayerSpec> layers_;
  std::vector<LayerState> state_;
  std::vector<WeightTensor> weights_;
  std::vector<dim> features_;                // per-sample size of each activation; [0] = input
  std::vector<std::vector<float>> buffers_;  // the activations' storage
  std::vector<float*> acts_;                 // activation i, maxBatch × features_[i]; a folded layer's is its input's
  std::vector<float> gradA_, gradB_;      // ping-pong activation gradients
  dim maxBatch_;
  bool trainable_;
};

}  // namespace mnl
