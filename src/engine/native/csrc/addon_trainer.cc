// The JS class Trainer: a compiled trainer (trainer.h) with step, evaluation, and access to its weights,
// gradients and optimizer slots by weight index.
#include <algorithm>
#include <memory>

#include "addon.h"
#include "addon_args.h"
#include "trainer.h"

namespace mnl::addon {

namespace {

Napi::Object lossObject(Napi::Env env, const StepResult& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", r.loss);
  out.Set("accuracy", r.accuracy);
  return out;
}

class TrainerBinding : public Napi::ObjectWrap<TrainerBinding> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Trainer",
                       {InstanceMethod("step", &TrainerBinding::Step),
                        InstanceMethod("evaluate", &TrainerBinding::Evaluate),
                        InstanceMethod("weightInfo", &TrainerBinding::WeightInfo),
                        InstanceMethod("getWeight", &TrainerBinding::GetWeight),
                        InstanceMethod("setWeight", &TrainerBinding::SetWeight),
                        InstanceMethod("getGradient", &TrainerBinding::GetGradient),
                        InstanceMethod("slotNames", &TrainerBinding::SlotNames),
                        InstanceMethod("getSlot", &TrainerBinding::GetSlot),
                        InstanceMethod("setSlot", &TrainerBinding::SetSlot),
                        InstanceMethod("getOptimizerStep", &TrainerBinding::GetOptimizerStep),
                        InstanceMethod("setOptimizerStep", &TrainerBinding::SetOptimizerStep),
                        InstanceMethod("dispose", &TrainerBinding::Dispose)});
  }

  /** new Trainer({layers, batchSize, labelSmoothing, optimizer}). */
  explicit TrainerBinding(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrainerBinding>(info) {
    guarded(info.Env(), "compileTrainer", [&] {
      const Napi::Object spec = objectArg(info, 0, "the trainer spec");
      const Napi::Value optimizer = spec.Get("optimizer");
      if (!optimizer.IsObject()) throw NativeError("spec.optimizer must be an object");
      trainer_ = std::make_unique<Trainer>(parseLayers(spec), intField(spec, "batchSize", "spec"),
                                           numberField(spec, "labelSmoothing", "spec"),
                                           parseOptimizer(optimizer.As<Napi::Object>()));
      return 0;
    });
  }

 private:
  Trainer& trainer(const char* what) {
    if (!trainer_) throw NativeError(std::string(what) + ": the trainer was disposed");
    return *trainer_;
  }

  /** The optimizer's position of the trainable weight at info[0]. */
  size_t parameterIndex(const Napi::CallbackInfo& info, const char* what) {
    Trainer& t = trainer(what);
    WeightTensor& w = weightAt(info, t.network().weights(), what);
    const size_t index = static_cast<size_t>(&w - t.network().weights().data());
    const auto& trainable = t.trainableWeights();
    const auto it = std::find(trainable.begin(), trainable.end(), index);
    if (it == trainable.end()) {
      throw NativeError(std::string(what) + ": " + w.role + " of layer " + std::to_string(w.layer) + " is not trainable");
    }
    return static_cast<size_t>(it - trainable.begin());
  }

  Napi::Value Step(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.step", [&]() -> Napi::Value {
      Trainer& t = trainer("trainer.step");
      const dim count = intArg(info, 2, "count");
      if (count < 1 || count > t.network().maxBatch()) {
        throw NativeError("batch of " + std::to_string(count) + " samples; compiled for 1.." +
                          std::to_string(t.network().maxBatch()));
      }
      auto xs = floatArg(info, 0, "xs", static_cast<size_t>(count * t.network().inputFeatures()));
      auto labels = byteArg(info, 1, "labels", static_cast<size_t>(count));
      const double lr = numberArg(info, 3, "lr");
      const auto seed = static_cast<uint32_t>(intArg(info, 4, "seed"));
      return lossObject(info.Env(), t.step(xs.Data(), labels.Data(), count, lr, seed));
    });
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.evaluate", [&]() -> Napi::Value {
      Trainer& t = trainer("trainer.evaluate");
      const dim count = intArg(info, 2, "count");
      if (count < 1) throw NativeError("count must be >= 1, got " + std::to_string(count));
      auto xs = floatArg(info, 0, "xs", static_cast<size_t>(count * t.network().inputFeatures()));
      auto labels = byteArg(info, 1, "labels", static_cast<size_t>(count));
      auto probs = floatArg(info, 3, "probabilities", static_cast<size_t>(count * t.classes()));
      return lossObject(info.Env(), t.evaluate(xs.Data(), labels.Data(), count, probs.Data()));
    });
  }

  Napi::Value WeightInfo(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.weightInfo", [&]() -> Napi::Value {
      return weightInfo(info.Env(), trainer("trainer.weightInfo").network().weights());
    });
  }

  Napi::Value GetWeight(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getWeight", [&]() -> Napi::Value {
      return copyOut(info.Env(), weightAt(info, trainer("getWeight").network().weights(), "getWeight").data);
    });
  }

  Napi::Value SetWeight(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setWeight", [&]() -> Napi::Value {
      copyIn(info, 1, weightAt(info, trainer("setWeight").network().weights(), "setWeight").data, "setWeight");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetGradient(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getGradient", [&]() -> Napi::Value {
      Trainer& t = trainer("getGradient");
      const size_t p = parameterIndex(info, "getGradient");
      return copyOut(info.Env(), t.network().weights()[t.trainableWeights()[p]].grad);
    });
  }

  Napi::Value SlotNames(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.slotNames", [&]() -> Napi::Value {
      const auto& names = trainer("slotNames").optimizer().slotNames();
      Napi::Array out = Napi::Array::New(info.Env(), names.size());
      for (size_t i = 0; i < names.size(); i++) out.Set(static_cast<uint32_t>(i), names[i]);
      return out;
    });
  }

  Napi::Value GetSlot(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getSlot", [&]() -> Napi::Value {
      const size_t p = parameterIndex(info, "getSlot");
      return copyOut(info.Env(), trainer("getSlot").optimizer().slot(p, stringArg(info, 1, "slot")));
    });
  }

  Napi::Value SetSlot(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setSlot", [&]() -> Napi::Value {
      const size_t p = parameterIndex(info, "setSlot");
      copyIn(info, 2, trainer("setSlot").optimizer().slot(p, stringArg(info, 1, "slot")), "setSlot");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetOptimizerStep(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getOptimizerStep", [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), static_cast<double>(trainer("getOptimizerStep").optimizer().step()));
    });
  }

  Napi::Value SetOptimizerStep(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setOptimizerStep", [&]() -> Napi::Value {
      trainer("setOptimizerStep").optimizer().setStep(static_cast<long>(intArg(info, 0, "step")));
      return info.Env().Undefined();
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    trainer_.reset();
    return info.Env().Undefined();
  }

  static std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
    if (!info[i].IsString()) throw NativeError(std::string(name) + " must be a string");
    return info[i].As<Napi::String>().Utf8Value();
  }

  std::unique_ptr<Trainer> trainer_;
};

}  // namespace

void registerTrainer(Napi::Env env, Napi::Object exports) { exports.Set("Trainer", TrainerBinding::Define(env)); }

}  // namespace mnl::addon
