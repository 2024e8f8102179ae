// N-API surface of the native engine: status, the compiled trainer class and the inference kernels that
// the TF.js 'native' backend calls. Every C++ failure is rethrown as a JS Error naming the call and shapes.
#include <napi.h>
#include <omp.h>

#include <array>
#include <map>
#include <memory>
#include <string>

#include "common.h"
#include "conv.h"
#include "net.h"
#include "ops.h"

namespace {

using mnl::dim;
using mnl::NativeError;

/** Runs body; rethrows any C++ exception as a JS Error prefixed with what was being done. */
template <typename Fn>
auto guarded(const Napi::Env& env, const std::string& what, Fn body) -> decltype(body()) {
  try {
    mnl::DenormalsAreZero flushDenormals;
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, what + ": out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, what + ": " + e.what());
  }
}

Napi::Float32Array floatArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw NativeError(std::string(name) + " must be a Float32Array");
  }
  auto arr = info[i].As<Napi::Float32Array>();
  if (arr.ElementLength() < minLength) {
    throw NativeError(std::string(name) + " has " + std::to_string(arr.ElementLength()) + " elements; needs " +
                      std::to_string(minLength));
  }
  return arr;
}

Napi::Uint8Array byteArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw NativeError(std::string(name) + " must be a Uint8Array");
  }
  auto arr = info[i].As<Napi::Uint8Array>();
  if (arr.ElementLength() < minLength) {
    throw NativeError(std::string(name) + " has " + std::to_string(arr.ElementLength()) + " elements; needs " +
                      std::to_string(minLength));
  }
  return arr;
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw NativeError(std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

dim intArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = numberArg(info, i, name);
  if (v != static_cast<double>(static_cast<dim>(v))) throw NativeError(std::string(name) + " must be an integer");
  return static_cast<dim>(v);
}

double field(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw NativeError(std::string("layer field '") + key + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool flag(const Napi::Object& o, const char* key) { return o.Get(key).ToBoolean().Value(); }

mnl::ops::Act parseAct(const std::string& name) {
  if (name == "linear") return mnl::ops::Act::Linear;
  if (name == "relu") return mnl::ops::Act::Relu;
  if (name == "sigmoid") return mnl::ops::Act::Sigmoid;
  if (name == "softmax") return mnl::ops::Act::Softmax;
  throw NativeError("unsupported activation '" + name + "'");
}

mnl::LayerSpec parseLayer(const Napi::Object& o) {
  using Kind = mnl::LayerSpec::Kind;
  mnl::LayerSpec l;
  const std::string kind = o.Get("kind").ToString().Utf8Value();
  l.inFeatures = static_cast<dim>(field(o, "inFeatures"));
  l.outFeatures = l.inFeatures;
  if (o.Has("act")) l.act = parseAct(o.Get("act").ToString().Utf8Value());
  if (kind == "conv") {
    l.kind = Kind::Conv;
    l.bias = flag(o, "bias");
    mnl::ConvShape& c = l.conv;
    c.n = 0;
    c.h = static_cast<dim>(field(o, "h"));
    c.w = static_cast<dim>(field(o, "w"));
    c.c = static_cast<dim>(field(o, "c"));
    c.kh = static_cast<dim>(field(o, "kh"));
    c.kw = static_cast<dim>(field(o, "kw"));
    c.oc = static_cast<dim>(field(o, "oc"));
    c.sh = static_cast<dim>(field(o, "sh"));
    c.sw = static_cast<dim>(field(o, "sw"));
    c.padTop = static_cast<dim>(field(o, "padTop"));
    c.padLeft = static_cast<dim>(field(o, "padLeft"));
    c.padBottom = static_cast<dim>(field(o, "padBottom"));
    c.padRight = static_cast<dim>(field(o, "padRight"));
    c.oh = static_cast<dim>(field(o, "oh"));
    c.ow = static_cast<dim>(field(o, "ow"));
    c.bias = l.bias;
    l.outFeatures = c.oh * c.ow * c.oc;
  } else if (kind == "dense") {
    l.kind = Kind::Dense;
    l.bias = flag(o, "bias");
    l.units = static_cast<dim>(field(o, "units"));
    l.outFeatures = l.units;
  } else if (kind == "batchNorm") {
    l.kind = Kind::BatchNorm;
    l.channels = static_cast<dim>(field(o, "channels"));
    l.momentum = static_cast<float>(field(o, "momentum"));
    l.epsilon = static_cast<float>(field(o, "epsilon"));
    l.center = flag(o, "center");
    l.scale = flag(o, "scale");
  } else if (kind == "activation") {
    l.kind = Kind::Activation;
    if (l.act == mnl::ops::Act::Softmax) throw NativeError("a separate softmax activation layer is not supported");
  } else if (kind == "dropout") {
    l.kind = Kind::Dropout;
    l.rate = static_cast<float>(field(o, "rate"));
    l.salt = static_cast<uint32_t>(field(o, "salt"));
  } else {
    throw NativeError("unknown layer kind '" + kind + "'");
  }
  return l;
}

Napi::Object lossObject(Napi::Env env, const mnl::StepResult& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", r.loss);
  out.Set("accuracy", r.accuracy);
  return out;
}

class Trainer : public Napi::ObjectWrap<Trainer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Trainer",
                       {InstanceMethod("step", &Trainer::Step), InstanceMethod("evaluate", &Trainer::Evaluate),
                        InstanceMethod("weightInfo", &Trainer::WeightInfo),
                        InstanceMethod("getWeight", &Trainer::GetWeight),
                        InstanceMethod("setWeight", &Trainer::SetWeight),
                        InstanceMethod("getGradient", &Trainer::GetGradient),
                        InstanceMethod("getSlot", &Trainer::GetSlot),
                        InstanceMethod("setSlot", &Trainer::SetSlot),
                        InstanceMethod("getOptimizerStep", &Trainer::GetOptimizerStep),
                        InstanceMethod("setOptimizerStep", &Trainer::SetOptimizerStep),
                        InstanceMethod("dispose", &Trainer::Dispose)});
  }

  explicit Trainer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Trainer>(info) {
    guarded(info.Env(), "compileTrainer", [&] {
      if (!info[0].IsObject()) throw NativeError("the trainer spec must be an object");
      const Napi::Object spec = info[0].As<Napi::Object>();
      const Napi::Value layersValue = spec.Get("layers");
      if (!layersValue.IsArray()) throw NativeError("spec.layers must be an array");
      const Napi::Array layers = layersValue.As<Napi::Array>();
      std::vector<mnl::LayerSpec> parsed;
      for (uint32_t i = 0; i < layers.Length(); i++) {
        const Napi::Value v = layers.Get(i);
        if (!v.IsObject()) throw NativeError("spec.layers[" + std::to_string(i) + "] must be an object");
        parsed.push_back(parseLayer(v.As<Napi::Object>()));
      }
      mnl::OptimizerSpec opt;
      const Napi::Object o = spec.Get("optimizer").As<Napi::Object>();
      opt.adam = o.Get("kind").ToString().Utf8Value() == "adam";
      opt.beta1 = static_cast<float>(field(o, "beta1"));
      opt.beta2 = static_cast<float>(field(o, "beta2"));
      opt.epsilon = static_cast<float>(field(o, "epsilon"));
      net_ = std::make_unique<mnl::Net>(std::move(parsed), static_cast<dim>(field(spec, "batchSize")), opt,
                                        static_cast<float>(field(spec, "lossScale")));
      return 0;
    });
  }

 private:
  mnl::Net& net(const char* what) {
    if (!net_) throw NativeError(std::string(what) + ": the trainer was disposed");
    return *net_;
  }

  mnl::WeightTensor& weight(const Napi::CallbackInfo& info, const char* what) {
    auto& ws = net(what).weights();
    const dim i = intArg(info, 0, "index");
    if (i < 0 || i >= static_cast<dim>(ws.size())) {
      throw NativeError(std::string(what) + ": weight index " + std::to_string(i) + " out of range 0.." +
                        std::to_string(ws.size() - 1));
    }
    return ws[static_cast<size_t>(i)];
  }

  Napi::Value Step(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.step", [&]() -> Napi::Value {
      mnl::Net& n = net("trainer.step");
      const dim count = intArg(info, 2, "count");
      if (count < 1 || count > n.batchSize()) {
        throw NativeError("batch of " + std::to_string(count) + " samples; compiled for 1.." +
                          std::to_string(n.batchSize()));
      }
      auto xs = floatArg(info, 0, "xs", static_cast<size_t>(count * n.inputFeatures()));
      auto labels = byteArg(info, 1, "labels", static_cast<size_t>(count));
      const double lr = numberArg(info, 3, "lr");
      const double seed = numberArg(info, 4, "seed");
      const mnl::StepResult r = n.step(xs.Data(), labels.Data(), count, static_cast<float>(lr),
                                       static_cast<uint32_t>(static_cast<int64_t>(seed)));
      return lossObject(info.Env(), r);
    });
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.evaluate", [&]() -> Napi::Value {
      mnl::Net& n = net("trainer.evaluate");
      const dim count = intArg(info, 2, "count");
      if (count < 1) throw NativeError("count must be >= 1, got " + std::to_string(count));
      auto xs = floatArg(info, 0, "xs", static_cast<size_t>(count * n.inputFeatures()));
      auto labels = byteArg(info, 1, "labels", static_cast<size_t>(count));
      auto probs = floatArg(info, 3, "probabilities", static_cast<size_t>(count * n.classes()));
      return lossObject(info.Env(), n.evaluate(xs.Data(), labels.Data(), count, probs.Data()));
    });
  }

  Napi::Value WeightInfo(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.weightInfo", [&]() -> Napi::Value {
      const auto& ws = net("trainer.weightInfo").weights();
      Napi::Array out = Napi::Array::New(info.Env(), ws.size());
      for (size_t i = 0; i < ws.size(); i++) {
        Napi::Object o = Napi::Object::New(info.Env());
        o.Set("layer", ws[i].layer);
        o.Set("role", ws[i].role);
        Napi::Array shape = Napi::Array::New(info.Env(), ws[i].shape.size());
        for (size_t d = 0; d < ws[i].shape.size(); d++) shape.Set(static_cast<uint32_t>(d), static_cast<double>(ws[i].shape[d]));
        o.Set("shape", shape);
        o.Set("trainable", ws[i].trainable);
        out.Set(static_cast<uint32_t>(i), o);
      }
      return out;
    });
  }

  static Napi::Value copyOut(Napi::Env env, const std::vector<float>& src) {
    Napi::Float32Array out = Napi::Float32Array::New(env, src.size());
    std::copy(src.begin(), src.end(), out.Data());
    return out;
  }

  static void copyIn(const Napi::CallbackInfo& info, size_t arg, std::vector<float>& dst, const std::string& what) {
    auto src = floatArg(info, arg, "data", 0);
    if (src.ElementLength() != dst.size()) {
      throw NativeError(what + ": data has " + std::to_string(src.ElementLength()) + " elements; expected " +
                        std::to_string(dst.size()));
    }
    std::copy(src.Data(), src.Data() + dst.size(), dst.begin());
  }

  std::vector<float>& slot(const Napi::CallbackInfo& info, const char* what) {
    mnl::WeightTensor& w = weight(info, what);
    const std::string which = info[1].ToString().Utf8Value();
    std::vector<float>& s = which == "m" ? w.m : which == "v" ? w.v : w.m;
    if ((which != "m" && which != "v") || s.empty()) {
      throw NativeError(std::string(what) + ": no optimizer slot '" + which + "' for weight " + w.role + " of layer " +
                        std::to_string(w.layer));
    }
    return s;
  }

  Napi::Value GetWeight(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getWeight", [&]() { return copyOut(info.Env(), weight(info, "getWeight").data); });
  }

  Napi::Value GetGradient(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getGradient", [&]() {
      mnl::WeightTensor& w = weight(info, "getGradient");
      if (!w.trainable) throw NativeError("getGradient: " + w.role + " of layer " + std::to_string(w.layer) + " is not trainable");
      return copyOut(info.Env(), w.grad);
    });
  }

  Napi::Value SetWeight(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setWeight", [&]() -> Napi::Value {
      copyIn(info, 1, weight(info, "setWeight").data, "setWeight");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetSlot(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getSlot", [&]() { return copyOut(info.Env(), slot(info, "getSlot")); });
  }

  Napi::Value SetSlot(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setSlot", [&]() -> Napi::Value {
      copyIn(info, 2, slot(info, "setSlot"), "setSlot");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetOptimizerStep(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.getOptimizerStep", [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), static_cast<double>(net("getOptimizerStep").optimizerStep()));
    });
  }

  Napi::Value SetOptimizerStep(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), "trainer.setOptimizerStep", [&]() -> Napi::Value {
      net("setOptimizerStep").setOptimizerStep(static_cast<long>(intArg(info, 0, "step")));
      return info.Env().Undefined();
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    net_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<mnl::Net> net_;
};

/** matmul(a, b, out, batchA, batchB, m, k, n, transA, transB, bias|null, act): out[batch, m, n]. */
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native MatMul", [&]() -> Napi::Value {
    const dim batchA = intArg(info, 3, "batchA"), batchB = intArg(info, 4, "batchB");
    const dim m = intArg(info, 5, "m"), k = intArg(info, 6, "k"), n = intArg(info, 7, "n");
    const bool transA = info[8].ToBoolean(), transB = info[9].ToBoolean();
    const std::string shapes = "a" + mnl::shapeText({batchA, transA ? k : m, transA ? m : k}) + " b" +
                               mnl::shapeText({batchB, transB ? n : k, transB ? k : n});
    if (batchA < 1 || batchB < 1 || m < 1 || k < 1 || n < 1 || (batchA != batchB && batchA != 1 && batchB != 1)) {
      throw NativeError("unsupported shapes " + shapes);
    }
    const dim batch = std::max(batchA, batchB);
    auto a = floatArg(info, 0, "a", static_cast<size_t>(batchA * m * k));
    auto b = floatArg(info, 1, "b", static_cast<size_t>(batchB * k * n));
    auto out = floatArg(info, 2, "out", static_cast<size_t>(batch * m * n));
    const bool hasBias = !info[10].IsNull() && !info[10].IsUndefined();
    const float* bias = hasBias ? floatArg(info, 10, "bias", static_cast<size_t>(n)).Data() : nullptr;
    const mnl::ops::Act act = parseAct(info[11].ToString().Utf8Value());
    for (dim i = 0; i < batch; i++) {
      float* c = out.Data() + i * m * n;
      mnl::ops::gemm(transA, transB, m, n, k, a.Data() + (batchA == 1 ? 0 : i * m * k),
                     b.Data() + (batchB == 1 ? 0 : i * k * n), c, false);
      if (bias) mnl::ops::addBias(m, n, bias, c);
    }
    mnl::ops::activationForward(act, batch * m * n, out.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/**
 * Convolution primitives by shape, reused across calls (bounded; per calling thread, as ops hold state).
 * `backward` ops also hold the backward-data and backward-weights primitives.
 */
mnl::ConvOp& cachedConv(const mnl::ConvShape& shape, bool backward) {
  thread_local std::map<std::string, std::unique_ptr<mnl::ConvOp>> cache;
  const std::string key = shape.text() + (shape.bias ? "+b" : "") + (backward ? "+bwd" : "");
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 64) cache.clear();
  auto op = std::make_unique<mnl::ConvOp>(shape, backward, backward);
  return *cache.emplace(key, std::move(op)).first->second;
}

/** The 15 geometry integers n,h,w,c,kh,kw,oc,sh,sw,pt,pl,pb,pr,oh,ow at argument `index`, checked. */
mnl::ConvShape convGeometry(const Napi::CallbackInfo& info, uint32_t index, bool bias) {
  if (!info[index].IsArray() || info[index].As<Napi::Array>().Length() != 15) {
    throw NativeError("geometry must be an array of 15 integers");
  }
  const Napi::Array g = info[index].As<Napi::Array>();
  dim v[15];
  for (uint32_t i = 0; i < 15; i++) v[i] = static_cast<dim>(g.Get(i).ToNumber().DoubleValue());
  mnl::ConvShape s{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], bias};
  s.validate();
  return s;
}

/** Float counts of a conv's input, output and HWIO kernel. */
size_t inputSize(const mnl::ConvShape& s) { return static_cast<size_t>(s.n * s.h * s.w * s.c); }
size_t outputSize(const mnl::ConvShape& s) { return static_cast<size_t>(s.n * s.oh * s.ow * s.oc); }
size_t kernelSize(const mnl::ConvShape& s) { return static_cast<size_t>(s.kh * s.kw * s.c * s.oc); }

/** conv2d(x, kernelHwio, out, geometry[15], bias|null, act). */
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native Conv2D", [&]() -> Napi::Value {
    const mnl::ConvShape s = convGeometry(info, 3, !info[4].IsNull() && !info[4].IsUndefined());
    auto x = floatArg(info, 0, "x", inputSize(s));
    auto w = floatArg(info, 1, "filter", kernelSize(s));
    auto out = floatArg(info, 2, "out", outputSize(s));
    const float* bias = s.bias ? floatArg(info, 4, "bias", static_cast<size_t>(s.oc)).Data() : nullptr;
    const mnl::ops::Act act = parseAct(info[5].ToString().Utf8Value());
    cachedConv(s, false).forward(x.Data(), w.Data(), bias, out.Data());
    mnl::ops::activationForward(act, s.n * s.oh * s.ow * s.oc, out.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/**
 * A conv2d gradient: args (first, second, out, geometry[15]) where the three arrays hold `sizes(shape)` floats;
 * `run` calls the cached backward op.
 */
template <typename Sizes, typename Run>
Napi::Value convGradient(const Napi::CallbackInfo& info, const char* what, const char* const names[3], Sizes sizes,
                         Run run) {
  return guarded(info.Env(), what, [&]() -> Napi::Value {
    const mnl::ConvShape s = convGeometry(info, 3, false);
    const std::array<size_t, 3> n = sizes(s);
    auto a = floatArg(info, 0, names[0], n[0]);
    auto b = floatArg(info, 1, names[1], n[1]);
    auto out = floatArg(info, 2, names[2], n[2]);
    run(cachedConv(s, true), a.Data(), b.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/** conv2dBackpropInput(dy, kernelHwio, dx, geometry[15]): the gradient of a conv2d with respect to its input. */
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  return convGradient(
      info, "native Conv2DBackpropInput", names,
      [](const mnl::ConvShape& s) { return std::array<size_t, 3>{outputSize(s), kernelSize(s), inputSize(s)}; },
      [](mnl::ConvOp& op, const float* dy, const float* w, float* dx) { op.backwardData(dy, w, dx); });
}

/** conv2dBackpropFilter(x, dy, dKernelHwio, geometry[15]): the gradient of a conv2d with respect to its kernel. */
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  static const char* const names[3] = {"x", "dy", "dFilter"};
  return convGradient(
      info, "native Conv2DBackpropFilter", names,
      [](const mnl::ConvShape& s) { return std::array<size_t, 3>{inputSize(s), outputSize(s), kernelSize(s)}; },
      [](mnl::ConvOp& op, const float* x, const float* dy, float* dw) { op.backwardWeights(x, dy, dw, nullptr); });
}

/** batchNorm(x, out, rows, c, mean, variance, offset|null, scale|null, epsilon): per-channel (last axis). */
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native FusedBatchNorm", [&]() -> Napi::Value {
    const dim rows = intArg(info, 2, "rows"), c = intArg(info, 3, "channels");
    if (rows < 0 || c < 1) throw NativeError("bad shape: rows " + std::to_string(rows) + ", channels " + std::to_string(c));
    auto x = floatArg(info, 0, "x", static_cast<size_t>(rows * c));
    auto out = floatArg(info, 1, "out", static_cast<size_t>(rows * c));
    auto mean = floatArg(info, 4, "mean", static_cast<size_t>(c));
    auto variance = floatArg(info, 5, "variance", static_cast<size_t>(c));
    const bool hasOffset = !info[6].IsNull() && !info[6].IsUndefined();
    const bool hasScale = !info[7].IsNull() && !info[7].IsUndefined();
    const float* offset = hasOffset ? floatArg(info, 6, "offset", static_cast<size_t>(c)).Data() : nullptr;
    const float* scale = hasScale ? floatArg(info, 7, "scale", static_cast<size_t>(c)).Data() : nullptr;
    mnl::ops::batchNormInfer(rows, c, x.Data(), scale, offset, mean.Data(), variance.Data(),
                             static_cast<float>(numberArg(info, 8, "epsilon")), out.Data());
    return info.Env().Undefined();
  });
}

/** activation(x, out, act): out = act(x) elementwise (relu or sigmoid). */
Napi::Value Activation(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native activation", [&]() -> Napi::Value {
    auto x = floatArg(info, 0, "x", 0);
    auto out = floatArg(info, 1, "out", x.ElementLength());
    const mnl::ops::Act act = parseAct(info[2].ToString().Utf8Value());
    if (act == mnl::ops::Act::Softmax) throw NativeError("softmax is not elementwise");
    mnl::ops::activationForward(act, static_cast<dim>(x.ElementLength()), x.Data(), out.Data());
    return info.Env().Undefined();
  });
}

std::string isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

Napi::Array cpuFeatures(Napi::Env env) {
  std::vector<std::string> found;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#define MNL_FEATURE(name) \
  if (__builtin_cpu_supports(name)) found.emplace_back(name);
  MNL_FEATURE("sse4.2")
  MNL_FEATURE("avx")
  MNL_FEATURE("avx2")
  MNL_FEATURE("fma")
  MNL_FEATURE("avx512f")
  MNL_FEATURE("avx512bw")
  MNL_FEATURE("avx512vl")
  MNL_FEATURE("avx512vnni")
  MNL_FEATURE("avx512bf16")
#undef MNL_FEATURE
#endif
  found.push_back("onednn-isa:" + isaName(dnnl::get_effective_cpu_isa()));
  Napi::Array out = Napi::Array::New(env, found.size());
  for (size_t i = 0; i < found.size(); i++) out.Set(static_cast<uint32_t>(i), found[i]);
  return out;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native info", [&]() -> Napi::Value {
    const dnnl_version_t* v = dnnl_version();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("onednnVersion", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
    out.Set("threads", mnl::threadCount());
    out.Set("cpuFeatures", cpuFeatures(info.Env()));
    return out;
  });
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native setThreads", [&]() -> Napi::Value {
    mnl::setThreadCount(static_cast<int>(intArg(info, 0, "threads")));
    return Napi::Number::New(info.Env(), mnl::threadCount());
  });
}

/** dropoutMask(seed, salt, count, rate): the keep mask (1/0) the trainer's dropout layer salt draws for seed. */
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native dropoutMask", [&]() -> Napi::Value {
    const auto seed = static_cast<uint32_t>(intArg(info, 0, "seed"));
    const auto salt = static_cast<uint32_t>(intArg(info, 1, "salt"));
    const dim count = intArg(info, 2, "count");
    const auto rate = static_cast<float>(numberArg(info, 3, "rate"));
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(count));
    for (dim i = 0; i < count; i++) out.Data()[i] = mnl::ops::counterUniform(seed, salt, static_cast<uint64_t>(i)) >= rate;
    return out;
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Trainer", Trainer::Define(env));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("activation", Napi::Function::New(env, Activation));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("dropoutMask", Napi::Function::New(env, DropoutMask));
  return exports;
}

}  // namespace

NODE_API_MODULE(mnist_native, Init)
