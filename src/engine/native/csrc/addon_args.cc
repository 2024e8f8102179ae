// Argument and spec parsing for the addon (see addon_args.h).
#include "addon_args.h"

#include <algorithm>
#include <cmath>

namespace mnl::addon {

namespace {

template <typename Array>
Array typedArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength, napi_typedarray_type type,
               const char* typeName) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throw NativeError(std::string(name) + " must be a " + typeName);
  }
  auto arr = info[i].As<Array>();
  if (arr.ElementLength() < minLength) {
    throw NativeError(std::string(name) + " has " + std::to_string(arr.ElementLength()) + " elements; needs " +
                      std::to_string(minLength));
  }
  return arr;
}

bool isInteger(double v) { return std::isfinite(v) && v == std::floor(v); }

}  // namespace

Napi::Float32Array floatArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength) {
  return typedArg<Napi::Float32Array>(info, i, name, minLength, napi_float32_array, "Float32Array");
}

const float* optionalFloatArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return floatArg(info, i, name, minLength).Data();
}

Napi::Uint8Array byteArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength) {
  return typedArg<Napi::Uint8Array>(info, i, name, minLength, napi_uint8_array, "Uint8Array");
}

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw NativeError(std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

dim intArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = numberArg(info, i, name);
  if (!isInteger(v)) throw NativeError(std::string(name) + " must be an integer, got " + std::to_string(v));
  return static_cast<dim>(v);
}

Napi::Object objectArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsObject()) throw NativeError(std::string(name) + " must be an object");
  return info[i].As<Napi::Object>();
}

double numberField(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw NativeError(where + "." + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

dim intField(const Napi::Object& o, const char* key, const std::string& where) {
  const double v = numberField(o, key, where);
  if (!isInteger(v)) throw NativeError(where + "." + key + " must be an integer, got " + std::to_string(v));
  return static_cast<dim>(v);
}

bool boolField(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) throw NativeError(where + "." + key + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string stringField(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsString()) throw NativeError(where + "." + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

ops::Act parseAct(const std::string& name) {
  if (name == "linear") return ops::Act::Linear;
  if (name == "relu") return ops::Act::Relu;
  if (name == "sigmoid") return ops::Act::Sigmoid;
  if (name == "tanh") return ops::Act::Tanh;
  throw NativeError("unsupported activation '" + name + "' (linear, relu, sigmoid or tanh)");
}

Geometry parseGeometry(const Napi::Object& o, const std::string& where, bool withBatch) {
  Geometry g;
  if (withBatch) g.batchSize = intField(o, "batchSize", where);
  g.inHeight = intField(o, "inHeight", where);
  g.inWidth = intField(o, "inWidth", where);
  g.inChannels = intField(o, "inChannels", where);
  g.filterHeight = intField(o, "filterHeight", where);
  g.filterWidth = intField(o, "filterWidth", where);
  g.outChannels = intField(o, "outChannels", where);
  g.strideHeight = intField(o, "strideHeight", where);
  g.strideWidth = intField(o, "strideWidth", where);
  g.padTop = intField(o, "padTop", where);
  g.padBottom = intField(o, "padBottom", where);
  g.padLeft = intField(o, "padLeft", where);
  g.padRight = intField(o, "padRight", where);
  g.outHeight = intField(o, "outHeight", where);
  g.outWidth = intField(o, "outWidth", where);
  return g;
}

namespace {

Napi::Object objectField(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsObject()) throw NativeError(where + "." + key + " must be an object");
  return v.As<Napi::Object>();
}

LayerSpec parseLayer(const Napi::Object& o, const std::string& where) {
  using Kind = LayerSpec::Kind;
  LayerSpec l;
  const std::string kind = stringField(o, "kind", where);
  l.inFeatures = intField(o, "inFeatures", where);
  if (kind == "conv" || kind == "dense") {
    l.kind = kind == "conv" ? Kind::Conv : Kind::Dense;
    l.act = parseAct(stringField(o, "activation", where));
    l.bias = boolField(o, "bias", where);
    if (l.kind == Kind::Conv) {
      l.window = parseGeometry(objectField(o, "geometry", where), where + ".geometry", false);
    } else {
      l.units = intField(o, "units", where);
    }
  } else if (kind == "maxPool" || kind == "avgPool") {
    l.kind = kind == "maxPool" ? Kind::MaxPool : Kind::AvgPool;
    l.window = parseGeometry(objectField(o, "geometry", where), where + ".geometry", false);
  } else if (kind == "globalAvgPool") {
    l.kind = Kind::GlobalAvgPool;
    l.window.inHeight = intField(o, "height", where);
    l.window.inWidth = intField(o, "width", where);
    l.window.inChannels = intField(o, "channels", where);
  } else if (kind == "batchNorm") {
    l.kind = Kind::BatchNorm;
    l.channels = intField(o, "channels", where);
    l.momentum = static_cast<float>(numberField(o, "momentum", where));
    l.epsilon = static_cast<float>(numberField(o, "epsilon", where));
    l.center = boolField(o, "center", where);
    l.scale = boolField(o, "scale", where);
  } else if (kind == "activation") {
    l.kind = Kind::Activation;
    l.act = parseAct(stringField(o, "activation", where));
  } else if (kind == "dropout") {
    l.kind = Kind::Dropout;
    l.rate = static_cast<float>(numberField(o, "rate", where));
    l.salt = static_cast<uint32_t>(intField(o, "salt", where));
  } else {
    throw NativeError(where + ": unknown layer kind '" + kind + "'");
  }
  return l;
}

}  // namespace

std::vector<LayerSpec> parseLayers(const Napi::Object& spec) {
  const Napi::Value value = spec.Get("layers");
  if (!value.IsArray()) throw NativeError("spec.layers must be an array");
  const Napi::Array layers = value.As<Napi::Array>();
  std::vector<LayerSpec> parsed;
  for (uint32_t i = 0; i < layers.Length(); i++) {
    const std::string where = "spec.layers[" + std::to_string(i) + "]";
    const Napi::Value v = layers.Get(i);
    if (!v.IsObject()) throw NativeError(where + " must be an object");
    parsed.push_back(parseLayer(v.As<Napi::Object>(), where));
  }
  return parsed;
}

OptimizerSpec parseOptimizer(const Napi::Object& o) {
  using Kind = OptimizerSpec::Kind;
  const std::string where = "spec.optimizer";
  OptimizerSpec s;
  const std::string kind = stringField(o, "kind", where);
  if (kind == "sgd") {
    s.kind = Kind::Sgd;
  } else if (kind == "momentum") {
    s.kind = Kind::Momentum;
    s.momentum = numberField(o, "momentum", where);
    s.nesterov = boolField(o, "nesterov", where);
  } else if (kind == "adam") {
    s.kind = Kind::Adam;
    s.beta1 = numberField(o, "beta1", where);
    s.beta2 = numberField(o, "beta2", where);
    s.epsilon = numberField(o, "epsilon", where);
  } else if (kind == "rmsprop") {
    s.kind = Kind::RmsProp;
    s.decay = numberField(o, "decay", where);
    s.momentum = numberField(o, "momentum", where);
    s.epsilon = numberField(o, "epsilon", where);
    s.centered = boolField(o, "centered", where);
  } else {
    throw NativeError(where + ".kind '" + kind + "' is not sgd, momentum, adam or rmsprop");
  }
  return s;
}

Napi::Array weightInfo(Napi::Env env, const std::vector<WeightTensor>& weights) {
  Napi::Array out = Napi::Array::New(env, weights.size());
  for (size_t i = 0; i < weights.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("layer", weights[i].layer);
    o.Set("role", weights[i].role);
    Napi::Array shape = Napi::Array::New(env, weights[i].shape.size());
    for (size_t d = 0; d < weights[i].shape.size(); d++) {
      shape.Set(static_cast<uint32_t>(d), static_cast<double>(weights[i].shape[d]));
    }
    o.Set("shape", shape);
    o.Set("trainable", weights[i].trainable);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

WeightTensor& weightAt(const Napi::CallbackInfo& info, std::vector<WeightTensor>& weights, const char* what) {
  const dim i = intArg(info, 0, "index");
  if (i < 0 || i >= static_cast<dim>(weights.size())) {
    throw NativeError(std::string(what) + ": weight index " + std::to_string(i) + " out of range 0.." +
                      std::to_string(static_cast<dim>(weights.size()) - 1));
  }
  return weights[static_cast<size_t>(i)];
}

Napi::Float32Array copyOut(Napi::Env env, const std::vector<float>& src) {
  Napi::Float32Array out = Napi::Float32Array::New(env, src.size());
  std::copy(src.begin(), src.end(), out.Data());
  return out;
}

void copyIn(const Napi::CallbackInfo& info, size_t arg, std::vector<float>& dst, const std::string& what) {
  auto src = floatArg(info, arg, "data", 0);
  if (src.ElementLength() != dst.size()) {
    throw NativeError(what + ": data has " + std::to_string(src.ElementLength()) + " elements; expected " +
                      std::to_string(dst.size()));
  }
  std::copy(src.Data(), src.Data() + dst.size(), dst.begin());
}

}  // namespace mnl::addon
