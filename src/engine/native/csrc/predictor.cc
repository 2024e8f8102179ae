// Inference in chunks of the compiled batch size (see predictor.h).
#include "predictor.h"

#include <algorithm>
#include <cstring>

#include "loss.h"

namespace mnl {

Predictor::Predictor(std::vector<LayerSpec> layers, dim maxBatch) : net_(std::move(layers), maxBatch, false) {}

void Predictor::probabilities(const float* xs, dim count, float* out) {
  if (count < 1) throw NativeError("probabilities: count must be >= 1, got " + std::to_string(count));
  const dim batch = net_.maxBatch();
  for (dim start = 0; start < count; start += batch) {
    const dim n = std::min(batch, count - start);
    std::memcpy(net_.input(), xs + start * net_.inputFeatures(),
                sizeof(float) * static_cast<size_t>(n * net_.inputFeatures()));
    softmaxRows(n, classes(), net_.forward(n, false, 0), out + start * classes());
  }
}

}  // namespace mnl
