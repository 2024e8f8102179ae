// The compiled network's buffers, forward and backward passes (see network.h).
#include "network.h"

#include <algorithm>
#include <cstring>

#include "batch_norm.h"

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
        s.mean.resize(static_cast<size_t>(l.channels));
        s.invStd.resize(static_cast<size_t>(l.channels));
        s.variance.resize(static_cast<size_t>(l.channels));
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

ConvOp& Network::convOp(size_t layer, dim n, bool training) {
  std::unique_ptr<ConvOp>& op = state_[layer].convs[{n, training}];
  if (!op) {
    const ConvPurpose purpose = !training                        ? ConvPurpose::Inference
                                : state_[layer].needsInputGrad ? ConvPurpose::TrainingWithInputGrad
                                                               : ConvPurpose::Training;
    op = std::make_unique<ConvOp>(layers_[layer].window.withBatch(n), layers_[layer].bias, purpose);
  }
  return *op;
}

PoolOp& Network::poolOp(size_t layer, dim n, bool training) {
  std::unique_ptr<PoolOp>& op = state_[layer].pools[{n, training}];
  if (!op) {
    const PoolKind kind = layers_[layer].kind == Kind::MaxPool ? PoolKind::Max : PoolKind::Average;
    op = std::make_unique<PoolOp>(layers_[layer].window.withBatch(n), kind, training);
  }
  return *op;
}

const float* Network::forward(dim n, bool training, uint32_t seed) {
  if (n < 1 || n > maxBatch_) {
    throw NativeError("compiled network: batch of " + std::to_string(n) + " samples; built for 1.." +
                      std::to_string(maxBatch_));
  }
  if (training && !trainable_) throw NativeError("compiled network: built for inference only");
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    LayerState& s = state_[i];
    if (s.folded) continue;
    const float* x = acts_[i];
    float* y = acts_[i + 1];
    const dim outCount = n * features_[i + 1];
    switch (l.kind) {
      case Kind::Conv:
        convOp(i, n, training).forward(x, weight(s.kernel), weight(s.bias), y);
        ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::Dense:
        ops::gemm(false, false, n, l.units, l.inFeatures, x, weight(s.kernel), y, false);
        if (l.bias) ops::addBias(n, l.units, weight(s.bias), y);
        ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::BatchNorm: {
        const dim rows = outCount / l.channels;
        if (training) {
          ops::batchNormTrain(rows, l.channels, x, weight(s.gamma), weight(s.beta), l.epsilon, l.act, y,
                              s.mean.data(), s.invStd.data(), s.variance.data());
          ops::movingAverage(l.channels, s.mean.data(), l.momentum, weight(s.movingMean));
          ops::movingAverage(l.channels, s.variance.data(), l.momentum, weight(s.movingVariance));
        } else {
          ops::batchNormInfer(rows, l.channels, x, weight(s.gamma), weight(s.beta), weight(s.movingMean),
                              weight(s.movingVariance), l.epsilon, l.act, y);
        }
        break;
      }
      case Kind::Activation:
        ops::activationForward(l.act, outCount, x, y);
        break;
      case Kind::Dropout:
        if (training && l.rate > 0.0f) {
          ops::dropoutForward(outCount, l.rate, seed, l.salt, x, y, s.mask.data());
        } else {
          std::memcpy(y, x, sizeof(float) * static_cast<size_t>(outCount));
        }
        break;
      case Kind::MaxPool:
      case Kind::AvgPool:
        poolOp(i, n, training).forward(x, y);
        break;
      case Kind::GlobalAvgPool:
        ops::globalAvgPoolForward(n, l.window.inHeight * l.window.inWidth, l.window.inChannels, x, y);
        break;
    }
  }
  return acts_.back();
}

float* Network::outputGradient() {
  if (!trainable_) throw NativeError("compiled network: built for inference only");
  return gradA_.data();
}

void Network::backward(dim n) {
  if (!trainable_) throw NativeError("compiled network: built for inference only");
  // On entry gradA_ holds d(loss)/d(output); each layer turns d(its output) into d(its input) when a layer below
  // has trainable weights, and the pass stops below the lowest layer with weights.
  float* dOut = gradA_.data();
  float* spare = gradB_.data();
  for (size_t idx = layers_.size(); idx-- > 0;) {
    const LayerSpec& l = layers_[idx];
    LayerState& s = state_[idx];
    const bool hasWeights = s.kernel >= 0 || s.gamma >= 0 || s.beta >= 0;
    if (!hasWeights && !s.needsInputGrad) break;
    if (s.folded) continue;  // the layer below differentiates through the activation
    const float* x = acts_[idx];
    const float* y = acts_[idx + 1];
    const dim outCount = n * features_[idx + 1];
    float* dIn = dOut;  // in-place layers keep the buffer
    switch (l.kind) {
      case Kind::Conv: {
        ConvOp& op = convOp(idx, n, true);
        ops::activationBackward(l.act, outCount, y, dOut);
        op.backwardWeights(x, dOut, gradient(s.kernel), gradient(s.bias));
        if (s.needsInputGrad) {
          op.backwardData(dOut, weight(s.kernel), spare);
          dIn = spare;
        }
        break;
      }
      case Kind::Dense:
        ops::activationBackward(l.act, outCount, y, dOut);
        ops::gemm(true, false, l.inFeatures, l.units, n, x, dOut, gradient(s.kernel), false);
        if (l.bias) ops::biasGrad(n, l.units, dOut, gradient(s.bias));
        if (s.needsInputGrad) {
          ops::gemm(false, true, n, l.inFeatures, l.units, dOut, weight(s.kernel), spare, false);
          dIn = spare;
        }
        break;
      case Kind::BatchNorm:
        ops::batchNormBackward(outCount / l.channels, l.channels, x, y, dOut, weight(s.gamma), s.mean.data(),
                               s.invStd.data(), l.act, s.needsInputGrad ? spare : nullptr, gradient(s.gamma),
                               gradient(s.beta));
        if (s.needsInputGrad) dIn = spare;
        break;
      case Kind::Activation:
        ops::activationBackward(l.act, outCount, y, dOut);
        break;
      case Kind::Dropout:
        if (l.rate > 0.0f) ops::dropoutBackward(outCount, l.rate, s.mask.data(), dOut, dOut);
        break;
      case Kind::MaxPool:
      case Kind::AvgPool:
        poolOp(idx, n, true).backward(dOut, spare);
        dIn = spare;
        break;
      case Kind::GlobalAvgPool:
        ops::globalAvgPoolBackward(n, l.window.inHeight * l.window.inWidth, l.window.inChannels, dOut, spare);
        dIn = spare;
        break;
    }
    if (dIn != dOut) std::swap(dOut, spare);
  }
}

}  // namespace mnl
