// The JS class Predictor: a compiled inference-only network (predictor.h) with its weights set by index.
#include <memory>

#include "addon.h"
#include "addon_args.h"
#include "predictor.h"

namespace mnl::addon {

namespace {

class PredictorBinding : public Napi::ObjectWrap<PredictorBinding> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Predictor",
                       {InstanceMethod("probabilities", &PredictorBinding::Probabilities),
                        InstanceMethod("weightInfo", &PredictorBinding::WeightInfo),
                        InstanceMethod("setWeight", &PredictorBinding::SetWeight),
                        InstanceMethod("dispose", &PredictorBinding::Dispose)});
  }

  /** new Predictor({layers, maxBatch}). */
  explicit PredictorBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PredictorBinding>(info) {
    guarded(info.Env(), "compilePredictor", [&] {
      const Napi::Object spec = objectArg(info, 0, "the predictor spec");
      predictor_ = std::make_unique<Predictor>(parseLayers(spec), intField(spec, "maxBatch", "spec"));
      return 0;
    });
  }

 private:
  Predictor& predictor(const char* what) {
    if (!predictor_) throw NativeError(std::string(what) + ": the predictor was disposed");
    return *predictor_;
  }

  /** probabilities(xs, count, out). */
  Napi::Value Probabilities(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "predictor.probabilities", [&]() -> Napi::Value {
      Predictor& p = predictor("predictor.probabilities");
      const dim count = intArg(info, 1, "count");
      if (count < 1) throw NativeError("count must be >= 1, got " + std::to_string(count));
      auto xs = floatArg(info, 0, "images", static_cast<size_t>(count * p.network().inputFeatures()));
      auto out = floatArg(info, 2, "probabilities", static_cast<size_t>(count * p.classes()));
      p.probabilities(xs.Data(), count, out.Data());
      return info.Env().Undefined();
    });
  }

  Napi::Value WeightInfo(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "predictor.weightInfo", [&]() -> Napi::Value {
      return weightInfo(info.Env(), predictor("predictor.weightInfo").network().weights());
    });
  }

  Napi::Value SetWeight(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "predictor.setWeight", [&]() -> Napi::Value {
      copyIn(info, 1, weightAt(info, predictor("setWeight").network().weights(), "setWeight").data, "setWeight");
      return info.Env().Undefined();
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    predictor_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<Predictor> predictor_;
};

}  // namespace

void registerPredictor(Napi::Env env, Napi::Object exports) {
  exports.Set("Predictor", PredictorBinding::Define(env));
}

}  // namespace mnl::addon
