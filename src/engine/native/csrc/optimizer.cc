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

namespace {

// One kernel per optimizer over elements [b, e) of one parameter: restrict pointers and scalars by value, so that
// the compiler vectorises them; each element keeps TF.js's operation order.

MNL_VECTOR_CLONES
void sgd(dim b, dim e, const UpdateFactors f, float* __restrict w, const float* __restrict g) {
  for (dim i = b; i < e; i++) w[i] = f.negLr * g[i] + w[i];
}

MNL_VECTOR_CLONES
void momentum(dim b, dim e, const UpdateFactors f, bool nesterov, float* __restrict w, const float* __restrict g,
              float* __restrict acc) {
  for (dim i = b; i < e; i++) {
    const float a = f.momentum * acc[i] + g[i];
    acc[i] = a;
    w[i] = nesterov ? f.negLr * (g[i] + a * f.momentum) + w[i] : f.negLr * a + w[i];
  }
}

MNL_VECTOR_CLONES
void adam(dim b, dim e, const UpdateFactors f, float* __restrict w, const float* __restrict g, float* __restrict m,
          float* __restrict v) {
  for (dim i = b; i < e; i++) {
    const float mi = m[i] * f.beta1 + g[i] * f.oneMinusBeta1;
    const float vi = v[i] * f.beta2 + (g[i] * g[i]) * f.oneMinusBeta2;
    m[i] = mi;
    v[i] = vi;
    const float mHat = mi / f.oneMinusAccBeta1;
    const float vHat = vi / f.oneMinusAccBeta2;
    w[i] = (mHat / (std::sqrt(vHat) + f.epsilon)) * f.negLr + w[i];
  }
}

MNL_VECTOR_CLONES
void rmsprop(dim b, dim e, const UpdateFactors f, float* __restrict w, const float* __restrict g, float* __restrict ms,
             float* __restrict mom) {
  for (dim i = b; i < e; i++) {
    const float msi = ms[i] * f.decay + (g[i] * g[i]) * f.oneMinusDecay;
    ms[i] = msi;
    const float momi = mom[i] * f.momentum + (g[i] * f.lr) / std::sqrt(msi + f.epsilon);
    mom[i] = momi;
    w[i] = w[i] - momi;
  }
}

/** RMSprop centered as TF.js computes it: epsilon subtracted with the squared mean gradient, sqrt(ms - (mg² + eps)). */
MNL_VECTOR_CLONES
void rmspropCentered(dim b, dim e, const UpdateFactors f, float* __restrict w, const float* __restrict g,
                     float* __restrict ms, float* __restrict mom, float* __restrict mg) {
  for (dim i = b; i < e; i++) {
    const float msi = ms[i] * f.decay + (g[i] * g[i]) * f.oneMinusDecay;
    ms[i] = msi;
    const float mgi = mg[i] * f.decay + g[i] * f.oneMinusDecay;
    mg[i] = mgi;
    const float momi = mom[i] * f.momentum + (g[i] * f.lr) / std::sqrt(msi - (mgi * mgi + f.epsilon));
    mom[i] = momi;
    w[i] = w[i] - momi;
  }
}

}  // namespace

void Optimizer::begin(const std::vector<Parameter>& parameters, double lr) {
  if (parameters.size() != slots_.size()) {
    throw NativeError("optimizer: " + std::to_string(parameters.size()) + " parameters, built for " +
                      std::to_string(slots_.size()));
  }
  // TF.js turns each JavaScript number into a float32 scalar; the kernels keep its operation order.
  UpdateFactors& f = factors_;
  f.negLr = static_cast<float>(-lr);
  f.lr = static_cast<float>(lr);
  f.momentum = static_cast<float>(spec_.momentum);
  f.beta1 = static_cast<float>(spec_.beta1);
  f.beta2 = static_cast<float>(spec_.beta2);
  // 1 - beta in float32 (TF.js takes it in double before rounding: the two differ in the last bit, well inside the
  // tests' tolerance). Kept so that the ladder's results stay what they were, to the digit.
  f.oneMinusBeta1 = 1.0f - f.beta1;
  f.oneMinusBeta2 = 1.0f - f.beta2;
  f.oneMinusAccBeta1 = 1.0f - accBeta1_;
  f.oneMinusAccBeta2 = 1.0f - accBeta2_;
  f.epsilon = static_cast<float>(spec_.epsilon);
  f.decay = static_cast<float>(spec_.decay);
  f.oneMinusDecay = static_cast<float>(1 - spec_.decay);
}

void Optimizer::updateShare(const std::vector<Parameter>& parameters, int t, int nt) {
  const UpdateFactors f = factors_;
  for (size_t p = 0; p < parameters.size(); p++) {
    float* w = parameters[p].value;
    const float* g = parameters[p].grad;
    std::vector<std::vector<float>>& slots = slots_[p];
    const Share share(static_cast<dim>(parameters[p].size), t, nt);
    const dim b = share.begin, e = share.end;
    switch (spec_.kind) {
      case Kind::Sgd: sgd(b, e, f, w, g); break;
      case Kind::Momentum: momentum(b, e, f, spec_.nesterov, w, g, slots[0].data()); break;
      case Kind::Adam: adam(b, e, f, w, g, slots[0].data(), slots[1].data()); break;
      case Kind::RmsProp:
        if (spec_.centered) {
          rmspropCentered(b, e, f, w, g, slots[0].data(), slots[1].data(), slots[2].data());
        } else {
          rmsprop(b, e, f, w, g, slots[0].data(), slots[1].data());
        }
        break;
    }
  }
}

void Optimizer::end() {
  accBeta1_ *= factors_.beta1;
  accBeta2_ *= factors_.beta2;
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
