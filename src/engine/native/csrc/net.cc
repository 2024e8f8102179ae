// The compiled trainer's forward, backward and update passes (see net.h).
#include "net.h"

#include <algorithm>
#include <cstring>

namespace mnl {

using Kind = LayerSpec::Kind;

Net::Net(std::vector<LayerSpec> layers, dim batchSize, OptimizerSpec optimizer, float lossScale)
    : layers_(std::move(layers)), batchSize_(batchSize), opt_(optimizer), lossScale_(lossScale),
      accBeta1_(optimizer.beta1), accBeta2_(optimizer.beta2) {
  if (layers_.empty()) throw NativeError("compiled trainer: the model has no layers");
  if (batchSize_ < 1) throw NativeError("compiled trainer: batchSize must be >= 1, got " + std::to_string(batchSize_));
  const LayerSpec& last = layers_.back();
  if (last.kind != Kind::Dense || last.act != ops::Act::Softmax) {
    throw NativeError("compiled trainer: the last layer must be a dense softmax layer");
  }
  features_.push_back(layers_.front().inFeatures);
  state_.resize(layers_.size());
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    const int li = static_cast<int>(i);
    if (l.inFeatures != features_.back()) {
      throw NativeError("compiled trainer: layer " + std::to_string(i) + " expects " + std::to_string(l.inFeatures) +
                        " features per sample but receives " + std::to_string(features_.back()));
    }
    if (l.act == ops::Act::Softmax && i + 1 != layers_.size()) {
      throw NativeError("compiled trainer: softmax is only supported on the last layer (layer " + std::to_string(i) +
                        ")");
    }
    LayerState& s = state_[i];
    switch (l.kind) {
      case Kind::Conv: {
        const ConvShape& c = l.conv;
        ConvShape probe = c;
        probe.n = 1;
        probe.validate();
        if (l.inFeatures != c.h * c.w * c.c || l.outFeatures != c.oh * c.ow * c.oc) {
          throw NativeError("compiled trainer: conv layer " + std::to_string(i) + " feature sizes do not match " +
                            probe.text());
        }
        s.kernel = addWeight(li, "kernel", {c.kh, c.kw, c.c, c.oc}, true, 0.0f);
        if (l.bias) s.bias = addWeight(li, "bias", {c.oc}, true, 0.0f);
        break;
      }
      case Kind::Dense:
        if (l.outFeatures != l.units) throw NativeError("compiled trainer: dense layer " + std::to_string(i) + " size");
        s.kernel = addWeight(li, "kernel", {l.inFeatures, l.units}, true, 0.0f);
        if (l.bias) s.bias = addWeight(li, "bias", {l.units}, true, 0.0f);
        break;
      case Kind::BatchNorm:
        if (l.channels < 1 || l.inFeatures % l.channels != 0 || l.outFeatures != l.inFeatures) {
          throw NativeError("compiled trainer: batch norm layer " + std::to_string(i) + " has " +
                            std::to_string(l.channels) + " channels for " + std::to_string(l.inFeatures) +
                            " features");
        }
        if (l.scale) s.gamma = addWeight(li, "gamma", {l.channels}, true, 1.0f);
        if (l.center) s.beta = addWeight(li, "beta", {l.channels}, true, 0.0f);
        s.movingMean = addWeight(li, "movingMean", {l.channels}, false, 0.0f);
        s.movingVariance = addWeight(li, "movingVariance", {l.channels}, false, 1.0f);
        s.mean.resize(l.channels);
        s.invStd.resize(l.channels);
        s.variance.resize(l.channels);
        break;
      case Kind::Activation:
      case Kind::Dropout:
        if (l.outFeatures != l.inFeatures) throw NativeError("compiled trainer: layer " + std::to_string(i) + " size");
        if (l.kind == Kind::Dropout) {
          if (!(l.rate >= 0.0f && l.rate < 1.0f)) throw NativeError("compiled trainer: dropout rate must be in [0, 1)");
          s.mask.resize(static_cast<size_t>(batchSize_ * l.inFeatures));
        }
        break;
    }
    features_.push_back(l.outFeatures);
  }
  dim maxFeatures = 0;
  for (dim f : features_) {
    acts_.emplace_back(static_cast<size_t>(batchSize_ * f));
    maxFeatures = std::max(maxFeatures, f);
  }
  gradA_.resize(static_cast<size_t>(batchSize_ * maxFeatures));
  gradB_.resize(static_cast<size_t>(batchSize_ * maxFeatures));
}

int Net::addWeight(int layer, const std::string& role, std::vector<dim> shape, bool trainable, float init) {
  dim size = 1;
  for (dim d : shape) size *= d;
  WeightTensor t{layer, role, std::move(shape), trainable, std::vector<float>(static_cast<size_t>(size), init), {}, {},
                 {}};
  if (trainable) {
    t.grad.resize(static_cast<size_t>(size));
    if (opt_.adam) {
      t.m.resize(static_cast<size_t>(size));
      t.v.resize(static_cast<size_t>(size));
    }
  }
  weights_.push_back(std::move(t));
  return static_cast<int>(weights_.size() - 1);
}

ConvOp& Net::convOp(size_t layer, dim n, bool training) {
  auto& ops = convOps_[{n, training}];
  if (ops.empty()) ops.resize(layers_.size());
  if (!ops[layer]) {
    ConvShape shape = layers_[layer].conv;
    shape.n = n;
    ops[layer] = std::make_unique<ConvOp>(shape, training, training && layer > 0);
  }
  return *ops[layer];
}

void Net::checkLabels(const uint8_t* labels, dim n) const {
  for (dim i = 0; i < n; i++) {
    if (labels[i] >= classes()) {
      throw NativeError("labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                        " is not a class index below " + std::to_string(classes()));
    }
  }
}

void Net::forward(dim n, bool training, uint32_t seed) {
  for (size_t i = 0; i < layers_.size(); i++) {
    const LayerSpec& l = layers_[i];
    LayerState& s = state_[i];
    const float* x = acts_[i].data();
    float* y = acts_[i + 1].data();
    const dim outCount = n * l.outFeatures;
    auto w = [&](int idx) -> float* { return idx < 0 ? nullptr : weights_[idx].data.data(); };
    switch (l.kind) {
      case Kind::Conv:
        convOp(i, n, training).forward(x, w(s.kernel), w(s.bias), y);
        ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::Dense:
        ops::gemm(false, false, n, l.units, l.inFeatures, x, w(s.kernel), y, false);
        if (l.bias) ops::addBias(n, l.units, w(s.bias), y);
        if (l.act != ops::Act::Softmax) ops::activationForward(l.act, outCount, y, y);
        break;
      case Kind::BatchNorm: {
        const dim rows = outCount / l.channels;
        if (training) {
          ops::batchNormTrain(rows, l.channels, x, w(s.gamma), w(s.beta), l.epsilon, y, s.mean.data(),
                              s.invStd.data(), s.variance.data());
          ops::movingAverage(l.channels, s.mean.data(), l.momentum, w(s.movingMean));
          ops::movingAverage(l.channels, s.variance.data(), l.momentum, w(s.movingVariance));
        } else {
          ops::batchNormInfer(rows, l.channels, x, w(s.gamma), w(s.beta), w(s.movingMean), w(s.movingVariance),
                              l.epsilon, y);
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
    }
  }
}

void Net::backward(dim n) {
  // On entry gradA_ holds d(loss)/d(logits); each layer turns d(output) into d(input) (skipped for layer 0).
  float* dOut = gradA_.data();
  float* spare = gradB_.data();
  for (size_t idx = layers_.size(); idx-- > 0;) {
    const LayerSpec& l = layers_[idx];
    LayerState& s = state_[idx];
    const float* x = acts_[idx].data();
    const float* y = acts_[idx + 1].data();
    const bool needInputGrad = idx > 0;
    const dim outCount = n * l.outFeatures;
    auto w = [&](int i) -> float* { return i < 0 ? nullptr : weights_[i].data.data(); };
    auto g = [&](int i) -> float* { return i < 0 ? nullptr : weights_[i].grad.data(); };
    float* dIn = dOut;  // in-place layers keep the buffer
    switch (l.kind) {
      case Kind::Conv: {
        ConvOp& op = convOp(idx, n, true);
        ops::activationBackward(l.act, outCount, y, dOut);
        op.backwardWeights(x, dOut, g(s.kernel), g(s.bias));
        if (needInputGrad) {
          op.backwardData(dOut, w(s.kernel), spare);
          dIn = spare;
        }
        break;
      }
      case Kind::Dense:
        if (l.act != ops::Act::Softmax) ops::activationBackward(l.act, outCount, y, dOut);
        ops::gemm(true, false, l.inFeatures, l.units, n, x, dOut, g(s.kernel), false);
        if (l.bias) ops::biasGrad(n, l.units, dOut, g(s.bias));
        if (needInputGrad) {
          ops::gemm(false, true, n, l.inFeatures, l.units, dOut, w(s.kernel), spare, false);
          dIn = spare;
        }
        break;
      case Kind::BatchNorm:
        ops::batchNormBackward(outCount / l.channels, l.channels, x, dOut, w(s.gamma), s.mean.data(),
                               s.invStd.data(), needInputGrad ? spare : nullptr, g(s.gamma), g(s.beta));
        if (needInputGrad) dIn = spare;
        break;
      case Kind::Activation:
        ops::activationBackward(l.act, outCount, y, dOut);
        break;
      case Kind::Dropout:
        if (l.rate > 0.0f) ops::dropoutBackward(outCount, l.rate, s.mask.data(), dOut, dOut);
        break;
    }
    if (dIn != dOut) std::swap(dOut, spare);
  }
}

void Net::update(float lr) {
  const float oneMinusAcc1 = 1.0f - accBeta1_;
  const float oneMinusAcc2 = 1.0f - accBeta2_;
  for (WeightTensor& t : weights_) {
    if (!t.trainable) continue;
    const dim size = static_cast<dim>(t.data.size());
    if (opt_.adam) {
      ops::adamUpdate(size, t.data.data(), t.grad.data(), t.m.data(), t.v.data(), lr, opt_.beta1, opt_.beta2,
                      opt_.epsilon, oneMinusAcc1, oneMinusAcc2);
    } else {
      ops::sgdUpdate(size, t.data.data(), t.grad.data(), lr);
    }
  }
  accBeta1_ *= opt_.beta1;
  accBeta2_ *= opt_.beta2;
  step_++;
}

void Net::setOptimizerStep(long step) {
  if (step < 0) throw NativeError("optimizer step must be >= 0, got " + std::to_string(step));
  step_ = step;
  accBeta1_ = opt_.beta1;
  accBeta2_ = opt_.beta2;
  for (long i = 0; i < step; i++) {
    accBeta1_ *= opt_.beta1;
    accBeta2_ *= opt_.beta2;
  }
}

StepResult Net::step(const float* xs, const uint8_t* labels, dim n, float lr, uint32_t seed) {
  if (n < 1 || n > batchSize_) {
    throw NativeError("step: batch of " + std::to_string(n) + " samples; the trainer was compiled for 1.." +
                      std::to_string(batchSize_));
  }
  checkLabels(labels, n);
  std::memcpy(acts_[0].data(), xs, sizeof(float) * static_cast<size_t>(n * inputFeatures()));
  forward(n, true, seed);
  const ops::LossSums sums = ops::softmaxCrossEntropy(n, classes(), acts_.back().data(), labels, gradA_.data(),
                                                      lossScale_ / static_cast<float>(n));
  backward(n);
  update(lr);
  return {sums.loss / static_cast<double>(n) * lossScale_, static_cast<double>(sums.correct) / static_cast<double>(n)};
}

StepResult Net::evaluate(const float* xs, const uint8_t* labels, dim count, float* probabilities) {
  if (count < 1) throw NativeError("evaluate: count must be >= 1, got " + std::to_string(count));
  checkLabels(labels, count);
  double loss = 0;
  dim correct = 0;
  for (dim start = 0; start < count; start += batchSize_) {
    const dim n = std::min(batchSize_, count - start);
    std::memcpy(acts_[0].data(), xs + start * inputFeatures(), sizeof(float) * static_cast<size_t>(n * inputFeatures()));
    forward(n, false, 0);
    const ops::LossSums sums =
        ops::softmaxCrossEntropy(n, classes(), acts_.back().data(), labels + start, nullptr, 1.0f);
    loss += sums.loss;
    correct += sums.correct;
    std::memcpy(probabilities + start * classes(), acts_.back().data(),
                sizeof(float) * static_cast<size_t>(n * classes()));
  }
  return {loss / static_cast<double>(count) * lossScale_, static_cast<double>(correct) / static_cast<double>(count)};
}

}  // namespace mnl
