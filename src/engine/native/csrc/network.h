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

/** What runs on each chunk of a training batch right after its forward pass: the trainer's loss and its gradient. */
class ChunkHead {
 public:
  virtual ~ChunkHead() = default;
  virtual void run(int chunk, const Share& samples) = 0;
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
  /** Where a chunk's d(loss)/d(output) go (samples.size() × outputFeatures) before the backward pass. */
  float* outputGradient(const Share& samples);

  /**
   * Cuts a batch of n samples into chunks (about 32 samples each, at least two when n allows; the same for any
   * thread count), builds what a pass over them needs (each thread's primitives, per-chunk sums, workspaces and
   * gradients) and returns the team's size: the pool's threads, at most one per chunk. Call before the team starts.
   */
  int prepare(dim n, bool training);
  /** The chunks prepare() cut the batch into. */
  int chunks() const { return prepared_.chunks; }
  /** Chunk c's samples. */
  Share chunk(int c) const { return Share(prepared_.n, c, prepared_.chunks); }

  // Every thread of the team prepare(n, training) sized calls these; the threads take the chunks as they come free
  // (so that one held up by another process delays the others the least), and wait for each other where batch norm
  // needs the batch's sums, so each thread calls every one of them.

  /** The layers on each chunk of input(), into output(); then head->run on each chunk (training). Training: batch
   * statistics (and moving-average updates), dropout masks from seed; otherwise the moving statistics, no dropout. */
  void forwardShare(dim n, bool training, uint32_t seed, ChunkHead* head);
  /** Back-propagates outputGradient() of each chunk through the last training forward, into the weights' gradients
   * (the convolutions' summed by reduceGradientShare); returns once every thread's part is done. */
  void backwardShare(dim n);
  /** Thread t of nt's share of each convolution's gradient: the chunks' partial gradients added up, in chunk order. */
  void reduceGradientShare(int t, int nt);

  /** The forward pass of n samples on a team of its own; returns output(). */
  const float* forward(dim n, bool training, uint32_t seed);

 private:
  struct LayerState {
    int kernel = -1, bias = -1, gamma = -1, beta = -1, movingMean = -1, movingVariance = -1;
    bool needsInputGrad = false;     // some layer below has trainable weights
    bool folded = false;             // an activation layer the layer below computes (its output is theirs)
    bool gradientInA = true;         // backward: d(this layer's output) is in gradA_ (else gradB_)
    std::unique_ptr<ops::BatchNormPasses> batchNorm;  // training batch norm: statistics and factors
    std::vector<uint8_t> mask;       // dropout mask of the last training forward
    std::vector<float> outputGrad;   // dense, training: d(pre-activation output) of the batch, for the kernel's gradient
    // Conv and pooling primitives by (thread, samples, training); each thread runs its own on any chunk.
    std::map<std::tuple<int, dim, bool>, std::unique_ptr<ConvOp>> convs;
    std::map<std::tuple<int, dim, bool>, std::unique_ptr<PoolOp>> pools;
    std::vector<ConvOp*> conv;                   // as prepared: [thread × 2 + chunk size - the smallest chunk size]
    std::vector<PoolOp*> pool;
    std::vector<std::vector<float>> workspaces;  // max pooling in training: each chunk's argmax positions
  };

  /** One step of a pass on a chunk; t is the calling thread's number in the team. */
  void layerForward(size_t i, int chunk, const Share& samples, bool training, uint32_t seed, int t);
  void layerBackward(size_t i, int chunk, const Share& samples, int t);
  /** Runs fn(chunk, samples) on every chunk, each on whichever thread of the team takes it, and waits for all. */
  template <typename Fn>
  void forEachChunk(Fn fn);
  /** Every thread: the dense layers' kernel and bias gradients of the whole batch, split by rows of the kernel. */
  void denseGradients(dim n);
  /** Dense and batch norm layers' gradients and the order of the ping-pong buffers, fixed once. */
  void planBackward();

  int addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init);
  /** Folds each activation layer into a conv, dense or batch norm layer right below it that has none of its own. */
  void foldActivations();
  /** Storage for the activations: each its own to train; to infer, the layers between input and output take turns. */
  void allocateActivations();
  /** Throws unless prepare(n, training) was the last prepared pass (every thread throws alike, before any wait). */
  void checkPrepared(dim n, bool training) const;
  ConvOp& convOf(LayerState& s, int t, const Share& samples) const;
  PoolOp& poolOf(LayerState& s, int t, const Share& samples) const;
  float* weight(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].data.data(); }
  float* gradient(int index) { return index < 0 ? nullptr : weights_[static_cast<size_t>(index)].grad.data(); }
  /** A chunk's gradient buffer of a conv weight: the weight's own for chunk 0, a partial for the others. */
  float* chunkGradient(int index, int chunk);

  std::vector<LayerSpec> layers_;
  std::vector<LayerState> state_;
  std::vector<WeightTensor> weights_;
  std::vector<int> convWeights_;                        // conv kernels and biases: gradients summed over chunks
  std::vector<std::vector<std::vector<float>>> chunkGradients_;  // [chunk - 1][weight]: the other chunks' partials
  size_t lowestWeighted_ = 0;                           // the backward pass stops below this layer
  std::vector<dim> features_;                           // per-sample size of each activation; [0] = input
  std::vector<std::vector<float>> buffers_;             // the activations' storage
  std::vector<float*> acts_;                            // activation i, maxBatch samples; a folded layer's is its input's
  std::vector<dim> strides_;                            // floats from one sample of activation i to the next
  // Ping-pong activation gradients. Chunks go through the layers at their own pace, so each keeps its samples at a
  // fixed place in both buffers whatever a layer's size: from its first sample × the largest activation size.
  std::vector<float> gradA_, gradB_;
  dim maxFeatures_ = 0;
  dim maxBatch_;
  bool trainable_;
  struct Prepared {
    dim n = 0;
    bool training = false;
    int chunks = 0, threads = 0;
    dim smallest = 0;   // the smallest chunk's samples (the others have one more)
    uint64_t pass = 0;  // changes at every prepare(): conv kernels are reordered once a pass
  } prepared_;
};

}  // namespace mnl
