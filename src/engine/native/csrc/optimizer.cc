// TF.js's optimizer updates, element by element in TF.js's operation order (see optimizer.h).
#include "optimizer.h"

#include <cmath>

#include "parallel.h"

namespace mnl {

using Kind = OptimizerSpec::Kind;

Optimizer::Optimizer(const OptimizerSpec& spec, const std::vector<size_t>& sizes)
    : spec_(spec),
      accBeta1_(static_cast<float>(spec.beta1)),
      accBeta2_(static_cast<float>(spec.beta2)) {
  switch (spec.kind) {
    case Kind::Sgd: break;
    case Kind::Momentum: names_ = {"momentum"}; break;
    case Kind::Adam: names_ = {"m", "v"}; break;
    case Kind::RmsProp:
      names_ = {"rms", "momentum"};
      if (spec.centered) names_.push_back("mg");
      break;
  }
  for (size_t size : sizes) slots_.emplace_back(names_.size(), std::vector<float>(size, 0.0f));
}

std::vector<float>& Optimizer::slot(size_t index, const std::string& name) {
  if (index >= slots_.size()) throw NativeError("optimizer: no parameter " + std::to_string(index));
  for (size_t s = 0; s < names_.size(); s++) {
    if (names_[s] == name) return slots_[index][s];
  }
  std::string known;
  for (const std::string& n : names_) known += (known.empty() ? "" : ", ") + n;
  throw NativeError("optimizer: no slot '" + name + "' (this optimizer has: " + (known.empty() ? "none" : known) + ")");
}

void Optimizer::update(const std::vector<Parameter>& parameters, double lr) {
  if (parameters.size() != slots_.size()) {
    throw NativeError("optimizer: " + std::to_string(parameters.size()) + " parameters, built for " +
                      std::to_string(slots_.size()));
  }
  // TF.js turns each JavaScript number into a float32 scalar; the expressions below keep its operation order.
  const float negLr = static_cast<float>(-lr);
  const float lrF = static_cast<float>(lr);
  const float momentum = static_cast<float>(spec_.momentum);
  const float beta1 = static_cast<float>(spec_.beta1), beta2 = static_cast<float>(spec_.beta2);
  // 1 - beta in float32 (TF.js takes it in double before rounding: the two differ in the last bit, well inside the
  // tests' tolerance). Kept so that the ladder's results stay what they were, to the digit.
  const float oneMinusBeta1 = 1.0f - beta1, oneMinusBeta2 = 1.0f - beta2;
  const float epsilon = static_cast<float>(spec_.epsilon);
  const float decay = static_cast<float>(spec_.decay), oneMinusDecay = static_cast<float>(1 - spec_.decay);
  const float oneMinusAccBeta1 = 1.0f - accBeta1_, oneMinusAccBeta2 = 1.0f - accBeta2_;
  for (size_t p = 0; p < parameters.size(); p++) {
    float* w = parameters[p].value;
    const float* g = parameters[p].grad;
    std::vector<std::vector<float>>& slots = slots_[p];
    const dim n = static_cast<dim>(parameters[p].size);
    switch (spec_.kind) {
      case Kind::Sgd:
        parallelRange(n, [&](dim b, dim e) {
          for (dim i = b; i < e; i++) w[i] = negLr * g[i] + w[i];
        });
        break;
      case Kind::Momentum: {
        float* acc = slots[0].data();
        const bool nesterov = spec_.nesterov;
        parallelRange(n, [&](dim b, dim e) {
          for (dim i = b; i < e; i++) {
            const float a = momentum * acc[i] + g[i];
            acc[i] = a;
            w[i] = nesterov ? negLr * (g[i] + a * momentum) + w[i] : negLr * a + w[i];
          }
        });
        break;
      }
      case Kind::Adam: {
        float* m = slots[0].data();
        float* v = slots[1].data();
        parallelRange(n, [&](dim b, dim e) {
          for (dim i = b; i < e; i++) {
            const float mi = m[i] * beta1 + g[i] * oneMinusBeta1;
            const float vi = v[i] * beta2 + (g[i] * g[i]) * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            const float mHat = mi / oneMinusAccBeta1;
            const float vHat = vi / oneMinusAccBeta2;
            w[i] = (mHat / (std::sqrt(vHat) + epsilon)) * negLr + w[i];
          }
        });
        break;
      }
      case Kind::RmsProp: {
        float* ms = slots[0].data();
        float* mom = slots[1].data();
        float* mg = spec_.centered ? slots[2].data() : nullptr;
        parallelRange(n, [&](dim b, dim e) {
          for (dim i = b; i < e; i++) {
            const float msi = ms[i] * decay + (g[i] * g[i]) * oneMinusDecay;
            ms[i] = msi;
            float denominator;
            if (mg) {
              // TF.js's centered form, epsilon subtracted with the squared mean gradient: sqrt(ms - (mg² + eps)).
              const float mgi = mg[i] * decay + g[i] * oneMinusDecay;
              mg[i] = mgi;
              denominator = std::sqrt(msi - (mgi * mgi + epsilon));
            } else {
              denominator = std::sqrt(msi + epsilon);
            }
            const float momi = mom[i] * momentum + (g[i] * lrF) / denominator;
            mom[i] = momi;
            w[i] = w[i] - momi;
          }
        });
        break;
      }
    }
  }
  accBeta1_ *= beta1;
  accBeta2_ *= beta2;
  step_++;
}

void Optimizer::setStep(long step) {
  if (step < 0) throw NativeError("optimizer step must be >= 0, got " + std::to_string(step));
  step_ = step;
  // The same float32 products update() accumulates, so that a resumed run continues bit for bit.
  const float beta1 = static_cast<float>(spec_.beta1), beta2 = static_cast<float>(spec_.beta2);
  accBeta1_ = beta1;
  accBeta2_ = beta2;
  for (long i = 0; i < step; i++) {
    accBeta1_ *= beta1;
    accBeta2_ *= beta2;
  }
}

}  // namespace mnl
