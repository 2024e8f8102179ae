// The optimizers of TF.js, updating the compiled network's weights in place with TF.js's own float32 arithmetic
// and its slot variables: SGD, momentum (optionally Nesterov), Adam and RMSprop (optionally centered).
#pragma once

#include <string>
#include <vector>

#include "common.h"

namespace mnl {

struct OptimizerSpec {
  enum class Kind { Sgd, Momentum, Adam, RmsProp };
  Kind kind = Kind::Sgd;
  // Doubles, as JavaScript holds them: TF.js derives its float32 constants (e.g. 1 - beta1) from these.
  double momentum = 0;  // Momentum, RMSprop
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999;
  double epsilon = 1e-7;  // Adam, RMSprop
  double decay = 0.9;     // RMSprop
  bool centered = false;
};

/** One parameter tensor the optimizer updates. */
struct Parameter {
  float* value;
  const float* grad;
  size_t size;
};

/** The float32 scalars of one update, as TF.js derives them from its JavaScript numbers. */
struct UpdateFactors {
  float negLr, lr, momentum, beta1, beta2, oneMinusBeta1, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon,
      decay, oneMinusDecay;
};

class Optimizer {
 public:
  /** Slots (zeros) for each of `sizes` parameters. */
  Optimizer(const OptimizerSpec& spec, const std::vector<size_t>& sizes);

  /** The slot names, in TF.js's getWeights() order: Adam m, v; momentum "momentum"; RMSprop rms, momentum, mg. */
  const std::vector<std::string>& slotNames() const { return names_; }
  /** Slot `name` of parameter `index`; throws for an unknown name or index. */
  std::vector<float>& slot(size_t index, const std::string& name);

  /**
   * One update of every parameter (its order and sizes as given to the constructor) with learning rate lr, split
   * across a team the caller runs: begin(lr) before the team, updateShare() on each of its threads (thread t updates
   * elements Share(size, t, nt) of every parameter), end() after it.
   */
  void begin(const std::vector<Parameter>& parameters, double lr);
  void updateShare(const std::vector<Parameter>& parameters, int t, int nt);
  void end();

  /** Updates taken so far (TF.js's iterations). Setting it recomputes Adam's bias-correction powers as TF.js's
   * setWeights() does: beta^(step + 1). */
  long step() const { return step_; }
  void setStep(long step);

 private:
  OptimizerSpec spec_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::vector<float>>> slots_;  // [parameter][slot name index]
  long step_ = 0;
  float accBeta1_, accBeta2_;  // Adam: beta^(step + 1), float32 like TF.js's variables
  UpdateFactors factors_{};  // of the update in progress
};

}  // namespace mnl
