// One call per training step: forward, loss, backward, optimizer update (see trainer.h).
#include "trainer.h"

#include <algorithm>
#include <cstring>

namespace mnl {

namespace {

std::vector<size_t> trainableIndices(std::vector<WeightTensor>& weights) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < weights.size(); i++) {
    if (weights[i].trainable) indices.push_back(i);
  }
  return indices;
}

std::vector<size_t> sizesOf(std::vector<WeightTensor>& weights, const std::vector<size_t>& indices) {
  std::vector<size_t> sizes;
  for (size_t i : indices) sizes.push_back(weights[i].data.size());
  return sizes;
}

}  // namespace

Trainer::Trainer(std::vector<LayerSpec> layers, dim batchSize, double labelSmoothing, const OptimizerSpec& optimizer)
    : net_(std::move(layers), batchSize, true),
      trainable_(trainableIndices(net_.weights())),
      optimizer_(optimizer, sizesOf(net_.weights(), trainable_)),
      labelSmoothing_(labelSmoothing),
      probabilities_(static_cast<size_t>(batchSize * net_.outputFeatures())) {
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw NativeError("compiled trainer: label smoothing must be in [0, 1), got " + std::to_string(labelSmoothing));
  }
  if (classes() < 2 || classes() > 256) {
    throw NativeError("compiled trainer: the model has " + std::to_string(classes()) +
                      " outputs; class ids are bytes, so 2..256 classes");
  }
  for (size_t i : trainable_) {
    WeightTensor& w = net_.weights()[i];
    parameters_.push_back({w.data.data(), w.grad.data(), w.data.size()});
  }
}

void Trainer::checkLabels(const uint8_t* labels, dim n) const {
  for (dim i = 0; i < n; i++) {
    if (labels[i] >= classes()) {
      throw NativeError("labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                        " is not a class index below " + std::to_string(classes()));
    }
  }
}

StepResult Trainer::step(const float* xs, const uint8_t* labels, dim n, double lr, uint32_t seed) {
  if (n < 1 || n > net_.maxBatch()) {
    throw NativeError("step: batch of " + std::to_string(n) + " samples; the trainer was compiled for 1.." +
                      std::to_string(net_.maxBatch()));
  }
  checkLabels(labels, n);
  const int threads = net_.prepare(n, true);
  optimizer_.begin(parameters_, lr);
  threadLosses_.resize(static_cast<size_t>(threads));
  const dim features = net_.inputFeatures(), k = classes();
  // One fork per step: each thread copies in, runs forward, loss and backward on its own samples; after one wait
  // for every thread's gradients, it sums and applies its share of them.
  inTeam(threads, [&](int t, int nt) {
    const Share share(n, t, nt);
    std::memcpy(net_.input() + share.begin * features, xs + share.begin * features,
                sizeof(float) * static_cast<size_t>(share.size() * features));
    net_.forwardShare(n, true, seed, t, nt);
    threadLosses_[static_cast<size_t>(t)] = softmaxCrossEntropy(
        share.size(), k, net_.output() + share.begin * k, labels + share.begin, labelSmoothing_,
        probabilities_.data() + share.begin * k, net_.outputGradient(share), 1.0f / static_cast<float>(n));
    net_.backwardShare(n, t, nt);
#pragma omp barrier
    net_.reduceGradientShare(t, nt);
    optimizer_.updateShare(parameters_, t, nt);
  });
  optimizer_.end();
  LossSums sums;
  for (const LossSums& s : threadLosses_) {
    sums.loss += s.loss;
    sums.correct += s.correct;
  }
  return {sums.loss / static_cast<double>(n), static_cast<double>(sums.correct) / static_cast<double>(n)};
}

StepResult Trainer::evaluate(const float* xs, const uint8_t* labels, dim count, float* probabilities) {
  if (count < 1) throw NativeError("evaluate: count must be >= 1, got " + std::to_string(count));
  checkLabels(labels, count);
  double loss = 0;
  dim correct = 0;
  const dim batch = net_.maxBatch();
  for (dim start = 0; start < count; start += batch) {
    const dim n = std::min(batch, count - start);
    std::memcpy(net_.input(), xs + start * net_.inputFeatures(),
                sizeof(float) * static_cast<size_t>(n * net_.inputFeatures()));
    const float* logits = net_.forward(n, false, 0);
    const LossSums sums = softmaxCrossEntropy(n, classes(), logits, labels + start, labelSmoothing_,
                                              probabilities + start * classes(), nullptr, 1.0f);
    loss += sums.loss;
    correct += sums.correct;
  }
  return {loss / static_cast<double>(count), static_cast<double>(correct) / static_cast<double>(count)};
}

}  // namespace mnl
