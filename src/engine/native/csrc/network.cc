// The compiled network's buffers, forward and backward passes (see network.h).
#include "network.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace mnl {

using Kind = LayerSpec::Kind;

namespace {

std::string layerName(size_t i) { return "compiled network: layer " + std::to_string(i); }

}  // namespace

Network::Network(std::vector<LayerSpec> layers, dim maxBatch, bool trainable)
    : layers_(std::move(layers)), maxBatch_(maxBatch), trainable_(trainable) {
  if (layers_.empty()) throw NativeError("compiled network: the model has no layers");
  if (maxBatch_ < 1) throw NativeError("compiled network: batch size must be >= 1, got " + std::to_string(maxBatch_));
  if (layers_.front().inFeatures < 1) {
    throw NativeError("compiled network: the input has " + std::to_string(layers_.front().inFeatures) + " features per sample");
  }
  features_.push_back(layers_.front().inFeatures);
  state_.resize(layers_.size());
  bool weightsBelow = false;
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    const int li = static_cast<int>(i);
    const dim in = features_.back();
    if (l.inFeatures != in) {
      throw NativeError(layerName(i) + " expects " + std::to_string(l.inFeatures) + " features per sample but receives " +
                        std::to_string(in));
    }
    LayerState& s = state_[i];
    s.needsInputGrad = weightsBelow;
    dim out = in;
    switch (l.kind) {
      case Kind::Conv:
      case Kind::MaxPool:
      case Kind::AvgPool: {
        const Geometry& g = l.window;
        g.withBatch(1).validate(layerName(i));
        if (g.inFeatures() != in) throw NativeError(layerName(i) + ": input size does not match " + g.text());
        if (l.kind == Kind::Conv) {
          s.kernel = addWeight(li, "kernel", {g.filterHeight, g.filterWidth, g.inChannels, g.outChannels}, true, 0.0f);
          if (l.bias) s.bias = addWeight(li, "bias", {g.outChannels}, true, 0.0f);
        } else if (g.outChannels != g.inChannels) {
          throw NativeError(layerName(i) + ": pooling changes the channel count " + g.text());
        }
        out = g.outFeatures();
        break;
      }
      case Kind::GlobalAvgPool:
        if (l.window.inFeatures() != in || in < 1) {
          throw NativeError(layerName(i) + ": global pooling input " + l.window.text() + " does not match " +
                            std::to_string(in) + " features");
        }
        out = l.window.inChannels;
        break;
      case Kind::Dense:
        if (l.units < 1) throw NativeError(layerName(i) + ": dense units must be >= 1");
        s.kernel = addWeight(li, "kernel", {in, l.units}, true, 0.0f);
        if (l.bias) s.bias = addWeight(li, "bias", {l.units}, true, 0.0f);
        if (trainable_) s.outputGrad.resize(static_cast<size_t>(maxBatch_ * l.units));
        out = l.units;
        break;
      case Kind::BatchNorm:
        if (l.channels < 1 || in % l.channels != 0) {
          throw NativeError(layerName(i) + ": batch norm has " + std::to_string(l.channels) + " channels for " +
                            std::to_string(in) + " features");
        }
        if (l.scale) s.gamma = addWeight(li, "gamma", {l.channels}, true, 1.0f);
        if (l.center) s.beta = addWeight(li, "beta", {l.channels}, true, 0.0f);
        s.movingMean = addWeight(li, "movingMean", {l.channels}, false, 0.0f);
        s.movingVariance = addWeight(li, "movingVariance", {l.channels}, false, 1.0f);
        if (trainable_) s.batchNorm = std::make_unique<ops::BatchNormPasses>(l.channels, l.epsilon);
        break;
      case Kind::Activation:
        break;
      case Kind::Dropout:
        if (!(l.rate >= 0.0f && l.rate < 1.0f)) throw NativeError(layerName(i) + ": dropout rate must be in [0, 1)");
        if (trainable_) s.mask.resize(static_cast<size_t>(maxBatch_ * in));
        break;
    }
    weightsBelow = weightsBelow || s.kernel >= 0 || s.gamma >= 0 || s.beta >= 0;
    features_.push_back(out);
  }
  for (size_t i = 0; i < layers_.size(); i++) {
    if (layers_[i].kind != Kind::Conv) continue;
    for (int w : {state_[i].kernel, state_[i].bias}) {
      if (w >= 0) convWeights_.push_back(w);
    }
  }
  foldActivations();
  maxFeatures_ = *std::max_element(features_.begin(), features_.end());
  allocateActivations();
  if (trainable_) {
    gradA_.resize(static_cast<size_t>(maxBatch_ * maxFeatures_));
    gradB_.resize(static_cast<size_t>(maxBatch_ * maxFeatures_));
    planBackward();
  }
}

void Network::allocateActivations() {
  // slot[i]: which stored activation activation i is (a folded activation layer's output is its input).
  const size_t count = features_.size();
  std::vector<size_t> slot(count, 0);
  for (size_t i = 1; i < count; i++) slot[i] = state_[i - 1].folded ? slot[i - 1] : slot[i - 1] + 1;
  const size_t last = slot.back();
  buffers_.reserve(trainable_ ? last + 1 : 4);
  if (trainable_) {
    // The backward pass reads every layer's input and output: each stored activation has its own buffer.
    for (size_t i = 0; i < count; i++) {
      if (i == 0 || slot[i] != slot[i - 1]) buffers_.emplace_back(static_cast<size_t>(maxBatch_ * features_[i]));
      acts_.push_back(buffers_.back().data());
      strides_.push_back(features_[i]);
    }
    return;
  }
  // Inference keeps only what the next layer reads. The input and the output have buffers of their own, packed (the
  // caller writes and reads them); the activations between take turns in two buffers, where each chunk keeps its
  // samples at a fixed place whatever a layer's size (chunks go through the layers at their own pace): from its
  // first sample × the largest size between.
  dim between = 0;
  for (size_t i = 0; i < count; i++) {
    if (slot[i] != 0 && slot[i] != last) between = std::max(between, features_[i]);
  }
  buffers_.emplace_back(static_cast<size_t>(maxBatch_ * features_.front()));
  buffers_.emplace_back(static_cast<size_t>(maxBatch_ * features_.back()));
  for (size_t b = 0; b < std::min<size_t>(2, last - 1); b++) buffers_.emplace_back(static_cast<size_t>(maxBatch_ * between));
  for (size_t i = 0; i < count; i++) {
    const bool packed = slot[i] == 0 || slot[i] == last;
    acts_.push_back(buffers_[slot[i] == 0 ? 0 : slot[i] == last ? 1 : 2 + (slot[i] - 1) % 2].data());
    strides_.push_back(packed ? features_[i] : between);
  }
}

void Network::planBackward() {
  lowestWeighted_ = layers_.size();
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerState& s = state_[i];
    if (s.kernel >= 0 || s.gamma >= 0 || s.beta >= 0) {
      lowestWeighted_ = i;
      break;
    }
  }
  // d(output) of the top layer is in gradA_; a layer that writes d(its input) into the other buffer swaps them.
  bool inA = true;
  for (size_t i = layers_.size(); i-- > lowestWeighted_;) {
    LayerState& s = state_[i];
    if (s.folded) continue;
    s.gradientInA = inA;
    switch (layers_[i].kind) {
      case Kind::Conv:
      case Kind::Dense:
      case Kind::BatchNorm:
        if (s.needsInputGrad) inA = !inA;
        break;
      case Kind::MaxPool:
      case Kind::AvgPool:
      case Kind::GlobalAvgPool:
        inA = !inA;
        break;
      case Kind::Activation:
      case Kind::Dropout:
        break;
    }
  }
}

void Network::foldActivations() {
  for (size_t i = 1; i < layers_.size(); i++) {
    LayerSpec& below = layers_[i - 1];
    const bool canFuse = below.kind == Kind::Conv || below.kind == Kind::Dense || below.kind == Kind::BatchNorm;
    if (layers_[i].kind == Kind::Activation && canFuse && below.act == ops::Act::Linear) {
      below.act = layers_[i].act;
      state_[i].folded = true;
    }
  }
}

int Network::addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init) {
  dim size = 1;
  for (dim d : shape) size *= d;
  WeightTensor t{layer, role, std::move(shape), trainable, std::vector<float>(static_cast<size_t>(size), init), {}};
  if (trainable && trainable_) t.grad.resize(static_cast<size_t>(size));
  weights_.push_back(std::move(t));
  return static_cast<int>(weights_.size() - 1);
}

int Network::prepare(dim n, bool training) {
  if (n < 1 || n > maxBatch_) {
    throw NativeError("compiled network: batch of " + std::to_string(n) + " samples; built for 1.." +
                      std::to_string(maxBatch_));
  }
  if (training && !trainable_) throw NativeError("compiled network: built for inference only");
  // Chunks of about 32 samples (a convolution costs the same per sample at 32 as at 64; at 16 the extra calls cost 2%
  // of a step), at least two when there are two samples, so that the threads share any batch and a thread held up
  // by another process leaves less for the other to wait for.
  const int chunks = static_cast<int>(std::max<dim>(std::min<dim>(n, 2), (n + 31) / 32));
  const int threads = std::min(omp_get_max_threads(), chunks);
  const dim smallest = n / chunks;
  const dim sizes = n % chunks == 0 ? 1 : 2;  // chunk sizes: smallest, and smallest + 1 when n does not divide
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    LayerState& s = state_[i];
    if (l.kind == Kind::Conv) {
      const ConvPurpose purpose = !training ? ConvPurpose::Inference
                                  : s.needsInputGrad ? ConvPurpose::TrainingWithInputGrad
                                                     : ConvPurpose::Training;
      s.conv.assign(static_cast<size_t>(2 * threads), nullptr);
      for (int t = 0; t < threads; t++) {
        for (dim size = smallest; size < smallest + sizes; size++) {
          std::unique_ptr<ConvOp>& op = s.convs[{t, size, training}];
          if (!op) op = std::make_unique<ConvOp>(l.window.withBatch(size), l.bias, purpose, OpThreads::Caller);
          s.conv[static_cast<size_t>(2 * t + size - smallest)] = op.get();
        }
      }
    } else if (l.kind == Kind::MaxPool || l.kind == Kind::AvgPool) {
      const PoolKind kind = l.kind == Kind::MaxPool ? PoolKind::Max : PoolKind::Average;
      s.pool.assign(static_cast<size_t>(2 * threads), nullptr);
      for (int t = 0; t < threads; t++) {
        for (dim size = smallest; size < smallest + sizes; size++) {
          std::unique_ptr<PoolOp>& op = s.pools[{t, size, training}];
          if (!op) op = std::make_unique<PoolOp>(l.window.withBatch(size), kind, training, OpThreads::Caller);
          s.pool[static_cast<size_t>(2 * t + size - smallest)] = op.get();
        }
      }
      if (training) {
        s.workspaces.resize(std::max(s.workspaces.size(), static_cast<size_t>(chunks)));
        for (int c = 0; c < chunks; c++) {
          const size_t bytes = s.pool[static_cast<size_t>(Share(n, c, chunks).size() - smallest)]->workspaceBytes();
          const size_t floats = (bytes + sizeof(float) - 1) / sizeof(float);
          if (s.workspaces[static_cast<size_t>(c)].size() < floats) s.workspaces[static_cast<size_t>(c)].resize(floats);
        }
      }
    } else if (s.batchNorm) {
      s.batchNorm->reserve(chunks);
    }
  }
  if (training) {
    while (chunkGradients_.size() + 1 < static_cast<size_t>(chunks)) {
      std::vector<std::vector<float>> partial(weights_.size());
      for (int w : convWeights_) partial[static_cast<size_t>(w)].resize(weights_[static_cast<size_t>(w)].data.size());
      chunkGradients_.push_back(std::move(partial));
    }
  }
  prepared_ = {n, training, chunks, threads, smallest, prepared_.pass + 1};
  return threads;
}

void Network::checkPrepared(dim n, bool training) const {
  if (prepared_.n != n || prepared_.training != training) {
    throw NativeError("compiled network: a " + std::string(training ? "training" : "inference") + " pass of " +
                      std::to_string(n) + " samples, prepared for " + std::to_string(prepared_.n));
  }
}

ConvOp& Network::convOf(LayerState& s, int t, const Share& samples) const {
  return *s.conv[static_cast<size_t>(2 * t + samples.size() - prepared_.smallest)];
}

PoolOp& Network::poolOf(LayerState& s, int t, const Share& samples) const {
  return *s.pool[static_cast<size_t>(2 * t + samples.size() - prepared_.smallest)];
}

float* Network::chunkGradient(int index, int chunk) {
  if (index < 0) return nullptr;
  if (chunk == 0) return gradient(index);
  return chunkGradients_[static_cast<size_t>(chunk - 1)][static_cast<size_t>(index)].data();
}

float* Network::outputGradient(const Share& samples) {
  if (!trainable_) throw NativeError("compiled network: built for inference only");
  return gradA_.data() + samples.begin * maxFeatures_;
}

template <typename Fn>
void Network::forEachChunk(Fn fn) {
  const int chunks = prepared_.chunks;
  const int t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
  for (int c = 0; c < chunks; c++) fn(c, chunk(c), t);
}

const float* Network::forward(dim n, bool training, uint32_t seed) {
  const int threads = prepare(n, training);
  inTeam(threads, [&](int, int) { forwardShare(n, training, seed, nullptr); });
  return output();
}

void Network::forwardShare(dim n, bool training, uint32_t seed, ChunkHead* head) {
  checkPrepared(n, training);
  // Segments of layers that each chunk goes through on its own, cut where training batch norm needs the batch's
  // sums: a segment ends with a batch norm layer's sums; the next starts with its normalisation.
  const size_t count = layers_.size();
  size_t start = 0;
  bool normaliseFirst = false;
  for (;;) {
    size_t end = start + (normaliseFirst ? 1 : 0);
    while (end < count && !(training && layers_[end].kind == Kind::BatchNorm)) end++;
    forEachChunk([&](int c, const Share& samples, int t) {
      size_t i = start;
      const dim rows = samples.size();
      if (normaliseFirst) {
        const dim outF = features_[i + 1];
        state_[i].batchNorm->apply(rows * outF / layers_[i].channels, acts_[i] + samples.begin * features_[i],
                                   layers_[i].act, acts_[i + 1] + samples.begin * outF);
        i++;
      }
      for (; i < end; i++) layerForward(i, c, samples, training, seed, t);
      if (end < count) {
        state_[end].batchNorm->sums(c, rows * features_[end + 1] / layers_[end].channels,
                                    acts_[end] + samples.begin * features_[end]);
      } else if (head) {
        head->run(c, samples);
      }
    });
    if (end == count) return;
    const LayerSpec& l = layers_[end];
    LayerState& s = state_[end];
#pragma omp single
    {
      ops::BatchNormPasses& bn = *s.batchNorm;
      bn.fold(prepared_.chunks, n * features_[end + 1] / l.channels, weight(s.gamma), weight(s.beta));
      ops::movingAverage(l.channels, bn.mean().data(), l.momentum, weight(s.movingMean));
      ops::movingAverage(l.channels, bn.variance().data(), l.momentum, weight(s.movingVariance));
    }
    start = end;
    normaliseFirst = true;
  }
}

void Network::layerForward(size_t i, int chunk, const Share& samples, bool training, uint32_t seed, int t) {
  const LayerSpec& l = layers_[i];
  LayerState& s = state_[i];
  if (s.folded) return;
  const dim rows = samples.size();
  const dim outF = features_[i + 1];
  const float* x = acts_[i] + samples.begin * strides_[i];
  float* y = acts_[i + 1] + samples.begin * strides_[i + 1];
  const dim outCount = rows * outF;
  switch (l.kind) {
    case Kind::Conv:
      convOf(s, t, samples).forward(x, weight(s.kernel), weight(s.bias), y, prepared_.pass);
      ops::activationForward(l.act, outCount, y, y);
      break;
    case Kind::Dense:
      ops::gemm(false, false, rows, l.units, l.inFeatures, x, weight(s.kernel), y, false);
      if (l.bias) ops::addBias(rows, l.units, weight(s.bias), y);
      ops::activationForward(l.act, outCount, y, y);
      break;
    case Kind::BatchNorm:  // inference (training batch norm is split across segments)
      ops::batchNormInfer(outCount / l.channels, l.channels, x, weight(s.gamma), weight(s.beta), weight(s.movingMean),
                          weight(s.movingVariance), l.epsilon, l.act, y);
      break;
    case Kind::Activation:
      ops::activationForward(l.act, outCount, x, y);
      break;
    case Kind::Dropout:
      if (training && l.rate > 0.0f) {
        ops::dropoutForward(samples.begin * outF, outCount, l.rate, seed, l.salt, x, y, s.mask.data() + samples.begin * outF);
      } else {
        std::memcpy(y, x, sizeof(float) * static_cast<size_t>(outCount));
      }
      break;
    case Kind::MaxPool:
    case Kind::AvgPool:
      poolOf(s, t, samples).forward(x, y, training ? s.workspaces[static_cast<size_t>(chunk)].data() : nullptr);
      break;
    case Kind::GlobalAvgPool:
      ops::globalAvgPoolForward(rows, l.window.inHeight * l.window.inWidth, l.window.inChannels, x, y);
      break;
  }
}

void Network::backwardShare(dim n) {
  checkPrepared(n, true);
  // Segments from the top down, cut at each batch norm layer: a segment ends with its gradient sums; the next starts
  // with its input gradient. The pass stops below the lowest layer with weights.
  size_t top = layers_.size();  // the segment's layers are below top
  bool inputGradientFirst = false;
  for (;;) {
    size_t stop = lowestWeighted_;  // the segment's lowest layer that runs whole
    bool batchNormBelow = false;
    for (size_t i = top - (inputGradientFirst ? 1 : 0); i-- > lowestWeighted_;) {
      if (layers_[i].kind == Kind::BatchNorm) {
        stop = i + 1;
        batchNormBelow = true;
        break;
      }
    }
    forEachChunk([&](int c, const Share& samples, int t) {
      size_t i = top;
      if (inputGradientFirst) {
        i--;
        const LayerState& s = state_[i];
        const dim rows = samples.size() * features_[i + 1] / layers_[i].channels;
        const dim offset = samples.begin * maxFeatures_;
        s.batchNorm->gradientApply(rows, acts_[i] + samples.begin * features_[i], acts_[i + 1] + samples.begin * features_[i + 1],
                                   (s.gradientInA ? gradA_ : gradB_).data() + offset, layers_[i].act,
                                   (s.gradientInA ? gradB_ : gradA_).data() + offset);
      }
      while (i-- > stop) layerBackward(i, c, samples, t);
      if (batchNormBelow) {
        const size_t b = stop - 1;
        const LayerState& s = state_[b];
        s.batchNorm->gradientSums(c, samples.size() * features_[b + 1] / layers_[b].channels,
                                  acts_[b] + samples.begin * features_[b], acts_[b + 1] + samples.begin * features_[b + 1],
                                  (s.gradientInA ? gradA_ : gradB_).data() + samples.begin * maxFeatures_, layers_[b].act);
      }
    });
    if (!batchNormBelow) break;
    const size_t b = stop - 1;
    LayerState& s = state_[b];
#pragma omp single
    s.batchNorm->gradientFold(prepared_.chunks, n * features_[b + 1] / layers_[b].channels, weight(s.gamma),
                              gradient(s.gamma), gradient(s.beta));
    if (!s.needsInputGrad) break;
    top = b + 1;
    inputGradientFirst = true;
  }
  denseGradients(n);
}

void Network::layerBackward(size_t i, int chunk, const Share& samples, int t) {
  const LayerSpec& l = layers_[i];
  LayerState& s = state_[i];
  if (s.folded) return;  // the layer below differentiates through the activation
  const dim rows = samples.size();
  const dim inF = features_[i], outF = features_[i + 1];
  const float* x = acts_[i] + samples.begin * inF;
  const float* y = acts_[i + 1] + samples.begin * outF;
  const dim outCount = rows * outF;
  float* dOut = (s.gradientInA ? gradA_ : gradB_).data() + samples.begin * maxFeatures_;
  float* dIn = (s.gradientInA ? gradB_ : gradA_).data() + samples.begin * maxFeatures_;  // when not in place
  switch (l.kind) {
    case Kind::Conv: {
      ConvOp& op = convOf(s, t, samples);
      ops::activationBackward(l.act, outCount, y, dOut);
      op.backwardWeights(x, dOut, chunkGradient(s.kernel, chunk), chunkGradient(s.bias, chunk));
      if (s.needsInputGrad) op.backwardData(dOut, weight(s.kernel), dIn, prepared_.pass);
      break;
    }
    case Kind::Dense:
      // The kernel's gradient waits for the whole batch (denseGradients); the chunk keeps its output gradient.
      ops::activationBackward(l.act, outCount, y, dOut);
      std::memcpy(s.outputGrad.data() + samples.begin * l.units, dOut, sizeof(float) * static_cast<size_t>(outCount));
      if (s.needsInputGrad) ops::gemm(false, true, rows, l.inFeatures, l.units, dOut, weight(s.kernel), dIn, false);
      break;
    case Kind::BatchNorm:  // split across segments (backwardShare)
      break;
    case Kind::Activation:
      ops::activationBackward(l.act, outCount, y, dOut);
      break;
    case Kind::Dropout:
      if (l.rate > 0.0f) ops::dropoutBackward(outCount, l.rate, s.mask.data() + samples.begin * outF, dOut, dOut);
      break;
    case Kind::MaxPool:
    case Kind::AvgPool:
      poolOf(s, t, samples).backward(dOut, dIn, s.workspaces[static_cast<size_t>(chunk)].data());
      break;
    case Kind::GlobalAvgPool:
      ops::globalAvgPoolBackward(rows, l.window.inHeight * l.window.inWidth, l.window.inChannels, dOut, dIn);
      break;
  }
}

void Network::denseGradients(dim n) {
  // Each dense kernel's gradient X^T·dY over the whole batch in blocks of its rows (of about 32k weights, a fixed
  // cut, so that any thread count gives the same result); a layer's first block also sums its bias gradient.
  struct Block {
    size_t layer;
    dim r0, r1;
  };
  thread_local std::vector<Block> blocks;
  blocks.clear();
  for (size_t i = lowestWeighted_; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    if (l.kind != Kind::Dense) continue;
    const dim count = std::max<dim>(1, l.inFeatures * l.units / kParallelMin);
    for (dim b = 0; b < count; b++) {
      const Share rowsOf(l.inFeatures, static_cast<int>(b), static_cast<int>(count));
      blocks.push_back({i, rowsOf.begin, rowsOf.end});
    }
  }
  const auto total = static_cast<long>(blocks.size());
#pragma omp for schedule(static)
  for (long k = 0; k < total; k++) {
    const Block& b = blocks[static_cast<size_t>(k)];
    const LayerSpec& l = layers_[b.layer];
    LayerState& s = state_[b.layer];
    ops::gemm(true, false, b.r1 - b.r0, l.units, n, acts_[b.layer] + b.r0, l.inFeatures, s.outputGrad.data(), l.units,
              gradient(s.kernel) + b.r0 * l.units, l.units, false);
    if (l.bias && b.r0 == 0) ops::biasGrad(n, l.units, s.outputGrad.data(), gradient(s.bias));
  }
}

void Network::reduceGradientShare(int t, int nt) {
  for (int w : convWeights_) {
    float* grad = gradient(w);
    const Share share(static_cast<dim>(weights_[static_cast<size_t>(w)].grad.size()), t, nt);
    for (int c = 1; c < prepared_.chunks; c++) {
      const float* partial = chunkGradients_[static_cast<size_t>(c - 1)][static_cast<size_t>(w)].data();
      for (dim i = share.begin; i < share.end; i++) grad[i] += partial[i];
    }
  }
}

}  // namespace mnl
