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
  std::memcpy(net_.input(), xs, sizeof(float) * static_cast<size_t>(n * net_.inputFeatures()));
  const int threads = net_.prepare(n, true);
  optimizer_.begin(parameters_, lr);
  chunkLosses_.resize(static_cast<size_t>(net_.chunks()));
  // Each chunk's loss and its gradient, right after the chunk's forward pass.
  struct Loss : ChunkHead {
    Trainer& trainer;
    const uint8_t* labels;
    dim n;
    Loss(Trainer& t, const uint8_t* l, dim count) : trainer(t), labels(l), n(count) {}
    void run(int chunk, const Share& samples) override {
      const dim k = trainer.classes();
      trainer.chunkLosses_[static_cast<size_t>(chunk)] = softmaxCrossEntropy(
          samples.size(), k, trainer.net_.output() + samples.begin * k, labels + samples.begin,
          trainer.labelSmoothing_, trainer.probabilities_.data() + samples.begin * k,
          trainer.net_.outputGradient(samples), 1.0f / static_cast<float>(n));
    }
  } loss(*this, labels, n);
  // One fork per step: the team runs the chunks forward and backward, then each thread sums and applies its share of
  // the convolutions' gradients.
  inTeam(threads, [&](int t, int nt) {
    net_.forwardShare(n, true, seed, &loss);
    net_.backwardShare(n);
    net_.reduceGradientShare(t, nt);
    optimizer_.updateShare(parameters_, t, nt);
  });
  optimizer_.end();
  LossSums sums;
  for (const LossSums& s : chunkLosses_) {
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
