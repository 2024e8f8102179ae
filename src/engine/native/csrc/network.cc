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
  for (const LayerState& s : state_) {
    for (int w : {s.kernel, s.bias}) {
      if (w >= 0) sharedWeights_.push_back(w);
    }
  }
  foldActivations();
  buffers_.reserve(features_.size());
  dim maxFeatures = 0;
  for (size_t i = 0; i < features_.size(); i++) {
    if (i > 0 && state_[i - 1].folded) {
      acts_.push_back(acts_.back());
      continue;
    }
    buffers_.emplace_back(static_cast<size_t>(maxBatch_ * features_[i]));
    acts_.push_back(buffers_.back().data());
    maxFeatures = std::max(maxFeatures, features_[i]);
  }
  maxFeatures_ = maxFeatures;
  if (trainable_) {
    gradA_.resize(static_cast<size_t>(maxBatch_ * maxFeatures));
    gradB_.resize(static_cast<size_t>(maxBatch_ * maxFeatures));
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
  const int nt = static_cast<int>(std::min<dim>(omp_get_max_threads(), n));
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    LayerState& s = state_[i];
    if (l.kind == Kind::Conv) {
      const ConvPurpose purpose = !training ? ConvPurpose::Inference
                                  : s.needsInputGrad ? ConvPurpose::TrainingWithInputGrad
                                                     : ConvPurpose::Training;
      s.conv.assign(static_cast<size_t>(nt), nullptr);
      for (int t = 0; t < nt; t++) {
        const dim samples = Share(n, t, nt).size();
        std::unique_ptr<ConvOp>& op = s.convs[{t, samples, training}];
        if (!op) op = std::make_unique<ConvOp>(l.window.withBatch(samples), l.bias, purpose, OpThreads::Caller);
        s.conv[static_cast<size_t>(t)] = op.get();
      }
    } else if (l.kind == Kind::MaxPool || l.kind == Kind::AvgPool) {
      const PoolKind kind = l.kind == Kind::MaxPool ? PoolKind::Max : PoolKind::Average;
      s.pool.assign(static_cast<size_t>(nt), nullptr);
      for (int t = 0; t < nt; t++) {
        const dim samples = Share(n, t, nt).size();
        std::unique_ptr<PoolOp>& op = s.pools[{t, samples, training}];
        if (!op) op = std::make_unique<PoolOp>(l.window.withBatch(samples), kind, training, OpThreads::Caller);
        s.pool[static_cast<size_t>(t)] = op.get();
      }
    } else if (s.batchNorm) {
      s.batchNorm->reserve(nt);
    }
  }
  if (training) {
    while (partialGradients_.size() + 1 < static_cast<size_t>(nt)) {
      std::vector<std::vector<float>> partial(weights_.size());
      for (int w : sharedWeights_) partial[static_cast<size_t>(w)].resize(weights_[static_cast<size_t>(w)].data.size());
      partialGradients_.push_back(std::move(partial));
    }
  }
  prepared_ = {n, training, nt};
  return nt;
}

void Network::checkPrepared(dim n, bool training, int nt) const {
  if (prepared_.n != n || prepared_.training != training || prepared_.threads != nt) {
    throw NativeError("compiled network: a pass of " + std::to_string(n) + " samples on " + std::to_string(nt) +
                      " threads, prepared for " + std::to_string(prepared_.n) + " on " +
                      std::to_string(prepared_.threads));
  }
}

float* Network::gradient(int index, int t) {
  if (index < 0) return nullptr;
  if (t == 0) return weights_[static_cast<size_t>(index)].grad.data();
  return partialGradients_[static_cast<size_t>(t - 1)][static_cast<size_t>(index)].data();
}

const float* Network::forward(dim n, bool training, uint32_t seed) {
  const int threads = prepare(n, training);
  inTeam(threads, [&](int t, int nt) { forwardShare(n, training, seed, t, nt); });
  return output();
}

void Network::forwardShare(dim n, bool training, uint32_t seed, int t, int nt) {
  checkPrepared(n, training, nt);
  const Share share(n, t, nt);
  const dim rows = share.size();
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    LayerState& s = state_[i];
    if (s.folded) continue;
    const dim inF = features_[i], outF = features_[i + 1];
    const float* x = acts_[i] + share.begin * inF;
    float* y = acts_[i + 1] + share.begin * outF;
    const dim outCount = rows * outF;
    switch (l.kind) {
      case Kind::Conv:
        s.conv[static_cast<size_t>(t)]->forward(x, weight(s.kernel), weight(s.bias), y);
        ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::Dense:
        ops::gemm(false, false, rows, l.units, l.inFeatures, x, weight(s.kernel), y, false);
        if (l.bias) ops::addBias(rows, l.units, weight(s.bias), y);
        ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::BatchNorm: {
        const dim positions = outF / l.channels;
        if (training) {
          ops::BatchNormPasses& bn = *s.batchNorm;
          bn.train(t, nt, n * positions, rows * positions, x, weight(s.gamma), weight(s.beta), l.act, y);
          if (t == 0) {
            ops::movingAverage(l.channels, bn.mean().data(), l.momentum, weight(s.movingMean));
            ops::movingAverage(l.channels, bn.variance().data(), l.momentum, weight(s.movingVariance));
          }
        } else {
          ops::batchNormInfer(rows * positions, l.channels, x, weight(s.gamma), weight(s.beta), weight(s.movingMean),
                              weight(s.movingVariance), l.epsilon, l.act, y);
        }
        break;
      }
      case Kind::Activation:
        ops::activationForward(l.act, outCount, x, y);
        break;
      case Kind::Dropout:
        if (training && l.rate > 0.0f) {
          ops::dropoutForward(share.begin * outF, outCount, l.rate, seed, l.salt, x, y, s.mask.data() + share.begin * outF);
        } else {
          std::memcpy(y, x, sizeof(float) * static_cast<size_t>(outCount));
        }
        break;
      case Kind::MaxPool:
      case Kind::AvgPool:
        s.pool[static_cast<size_t>(t)]->forward(x, y);
        break;
      case Kind::GlobalAvgPool:
        ops::globalAvgPoolForward(rows, l.window.inHeight * l.window.inWidth, l.window.inChannels, x, y);
        break;
    }
  }
}

float* Network::outputGradient(const Share& share) {
  if (!trainable_) throw NativeError("compiled network: built for inference only");
  return gradA_.data() + share.begin * maxFeatures_;
}

void Network::backwardShare(dim n, int t, int nt) {
  if (!trainable_) throw NativeError("compiled network: built for inference only");
  checkPrepared(n, true, nt);
  const Share share(n, t, nt);
  const dim rows = share.size();
  // On entry gradA_ holds d(loss)/d(output); each layer turns d(its output) into d(its input) when a layer below
  // has trainable weights, and the pass stops below the lowest layer with weights. Every thread takes the same
  // turns through the two buffers, in its own part of them.
  float* dOut = gradA_.data() + share.begin * maxFeatures_;
  float* spare = gradB_.data() + share.begin * maxFeatures_;
  for (size_t idx = layers_.size(); idx-- > 0;) {
    const LayerSpec& l = layers_[idx];
    LayerState& s = state_[idx];
    const bool hasWeights = s.kernel >= 0 || s.gamma >= 0 || s.beta >= 0;
    if (!hasWeights && !s.needsInputGrad) break;
    if (s.folded) continue;  // the layer below differentiates through the activation
    const dim inF = features_[idx], outF = features_[idx + 1];
    const float* x = acts_[idx] + share.begin * inF;
    const float* y = acts_[idx + 1] + share.begin * outF;
    const dim outCount = rows * outF;
    bool inPlace = true;  // d(input) is left in dOut's buffer
    switch (l.kind) {
      case Kind::Conv: {
        ConvOp& op = *s.conv[static_cast<size_t>(t)];
        ops::activationBackward(l.act, outCount, y, dOut);
        op.backwardWeights(x, dOut, gradient(s.kernel, t), gradient(s.bias, t));
        if (s.needsInputGrad) {
          op.backwardData(dOut, weight(s.kernel), spare);
          inPlace = false;
        }
        break;
      }
      case Kind::Dense:
        ops::activationBackward(l.act, outCount, y, dOut);
        ops::gemm(true, false, l.inFeatures, l.units, rows, x, dOut, gradient(s.kernel, t), false);
        if (l.bias) ops::biasGrad(rows, l.units, dOut, gradient(s.bias, t));
        if (s.needsInputGrad) {
          ops::gemm(false, true, rows, l.inFeatures, l.units, dOut, weight(s.kernel), spare, false);
          inPlace = false;
        }
        break;
      case Kind::BatchNorm: {
        const dim positions = outF / l.channels;
        s.batchNorm->backward(t, nt, n * positions, rows * positions, x, y, dOut, weight(s.gamma), l.act,
                              s.needsInputGrad ? spare : nullptr, wholeGradient(s.gamma), wholeGradient(s.beta));
        inPlace = !s.needsInputGrad;
        break;
      }
      case Kind::Activation:
        ops::activationBackward(l.act, outCount, y, dOut);
        break;
      case Kind::Dropout:
        if (l.rate > 0.0f) ops::dropoutBackward(outCount, l.rate, s.mask.data() + share.begin * outF, dOut, dOut);
        break;
      case Kind::MaxPool:
      case Kind::AvgPool:
        s.pool[static_cast<size_t>(t)]->backward(dOut, spare);
        inPlace = false;
        break;
      case Kind::GlobalAvgPool:
        ops::globalAvgPoolBackward(rows, l.window.inHeight * l.window.inWidth, l.window.inChannels, dOut, spare);
        inPlace = false;
        break;
    }
    if (!inPlace) std::swap(dOut, spare);
  }
}

void Network::reduceGradientShare(int t, int nt) {
  for (int w : sharedWeights_) {
    float* grad = weights_[static_cast<size_t>(w)].grad.data();
    const Share share(static_cast<dim>(weights_[static_cast<size_t>(w)].grad.size()), t, nt);
    for (int other = 1; other < nt; other++) {
      const float* partial = partialGradients_[static_cast<size_t>(other - 1)][static_cast<size_t>(w)].data();
      for (dim i = share.begin; i < share.end; i++) grad[i] += partial[i];
    }
  }
}

}  // namespace mnl
