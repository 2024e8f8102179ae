// The Node addon's entry point: registers the trainer and predictor classes, the TF.js backend's kernels and the
// status functions, each defined in its own addon_*.cc file.
#include "addon.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mnl::addon::registerTrainer(env, exports);
  mnl::addon::registerPredictor(env, exports);
  mnl::addon::registerKernels(env, exports);
  mnl::addon::registerStatus(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(mnist_native, Init)
