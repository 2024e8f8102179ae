// A compiled sequential network (conv, dense, batch norm, activation, dropout, max/average pooling, global
// average pooling) ending in logits: its weights, preallocated activations, forward pass and, when built to
// train, the backward pass into per-weight gradients. A batch is shared out across a team of OpenMP threads by
// samples: each thread runs every layer on its own samples with its own single-threaded primitives, and the team
// waits for each other only where batch norm needs the batch's statistics and where weight gradients are summed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "batch_norm.h"
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
  /** The output of the last forward pass, maxBatch × outputFeatures. */
  const float* output() const { return acts_.back(); }
  /** Where thread `share`'s samples' d(loss)/d(output) go (share.size() × outputFeatures) before backwardShare. */
  float* outputGradient(const Share& share);

  /**
   * Builds what a team needs for batches of n samples (the per-thread primitives, their partial gradients) and
   * returns its size: the pool's threads, at most one per sample. Call it before the team starts.
   */
  int prepare(dim n, bool training);

  // Thread t of the team of nt that prepare(n, training) sized calls these on its share of the n samples (Share(n,
  // t, nt)); batch norm makes the team wait for each other, so every thread of the team calls each of them.

  /** The layers on the thread's samples of input(), into output(). Training: batch statistics (and moving-average
   * updates), dropout masks from seed; otherwise the moving statistics, no dropout. */
  void forwardShare(dim n, bool training, uint32_t seed, int t, int nt);
  /** Back-propagates the thread's rows of outputGradient() through the last training forward: its partial weight
   * gradients (batch norm's are whole). */
  void backwardShare(dim n, int t, int nt);
  /** Once every thread's backwardShare is over (a barrier): thread t's share of each weight gradient, the
   * threads' partial gradients added up into grad. */
  void reduceGradientShare(int t, int nt);

  /** The forward pass of n samples on a team of its own; returns output(). */
  const float* forward(dim n, bool training, uint32_t seed);

 private:
  struct LayerState {
    int kernel = -1, bias = -1, gamma = -1, beta = -1, movingMean = -1, movingVariance = -1;
    bool needsInputGrad = false;                // some layer below has trainable weights
    bool folded = false;                        // an activation layer the layer below computes (its output is theirs)
    std::unique_ptr<ops::BatchNormPasses> batchNorm;  // training batch norm: statistics and factors
    std::vector<uint8_t> mask;                  // dropout mask of the last training forward
    // Conv and pooling primitives by (thread, samples, training); training pooling keeps the argmax workspace.
    std::map<std::tuple<int, dim, bool>, std::unique_ptr<ConvOp>> convs;
    std::map<std::tuple<int, dim, bool>, std::unique_ptr<PoolOp>> pools;
    std::vector<ConvOp*> conv;  // each thread's, as prepared
    std::vector<PoolOp*> pool;
  };

  int addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init);
  /** Folds each activation layer into a conv, dense or batch norm layer right below it that has none of its own. */
  void foldActivations();
  /** Throws unless prepare(n, training) sized a team of nt (every thread throws alike, before any barrier). */
  void checkPrepared(dim n, bool training, int nt) const;
  float* weight(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].data.data(); }
  /** Thread t's gradient buffer of a conv or dense weight: the weight's own for thread 0, a partial for the others. */
  float* gradient(int index, int t);
  /** The gradient of a batch norm weight, computed whole. */
  float* wholeGradient(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].grad.data(); }

  std::vector<LayerSpec> layers_;
  std::vector<LayerState> state_;
  std::vector<WeightTensor> weights_;
  std::vector<int> sharedWeights_;                   // conv and dense weights, whose gradients threads split by samples
  std::vector<std::vector<std::vector<float>>> partialGradients_;  // [thread - 1][weight]: the other threads' partials
  std::vector<dim> features_;                        // per-sample size of each activation; [0] = input
  std::vector<std::vector<float>> buffers_;          // the activations' storage
  std::vector<float*> acts_;                         // activation i, maxBatch × features_[i]; a folded layer's is its input's
  // Ping-pong activation gradients. Threads go through the layers at their own pace, so each keeps its samples at
  // a fixed place in both buffers whatever a layer's size: from its first sample × the largest activation size.
  std::vector<float> gradA_, gradB_;
  dim maxFeatures_ = 0;
  dim maxBatch_;
  bool trainable_;
  struct Prepared {
    dim n = 0;
    bool training = false;
    int threads = 0;
  } prepared_;
};

}  // namespace mnl
