// Reading JS arguments in the addon: typed arrays, numbers and named objects (geometry, layer and optimizer specs),
// each checked, with an error naming the argument or field; and the weight accessors the trainer and the
// predictor bindings share.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "geometry.h"
#include "network.h"
#include "ops.h"
#include "optimizer.h"

namespace mnl::addon {

/** info[i] as a Float32Array of at least minLength elements. */
Napi::Float32Array floatArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength);
/** info[i] as a Float32Array of at least minLength elements, or null when it is null/undefined. */
const float* optionalFloatArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength);
Napi::Uint8Array byteArg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t minLength);
double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name);
dim intArg(const Napi::CallbackInfo& info, size_t i, const char* name);
Napi::Object objectArg(const Napi::CallbackInfo& info, size_t i, const char* name);

/** Named fields of an object; `where` names the object in errors (e.g. "spec.layers[2]"). */
double numberField(const Napi::Object& o, const char* key, const std::string& where);
dim intField(const Napi::Object& o, const char* key, const std::string& where);
bool boolField(const Napi::Object& o, const char* key, const std::string& where);
std::string stringField(const Napi::Object& o, const char* key, const std::string& where);

ops::Act parseAct(const std::string& name);
/** A geometry object (field names as geometry.h); batchSize is read only when withBatch. */
Geometry parseGeometry(const Napi::Object& o, const std::string& where, bool withBatch);
/** spec.layers: the network's layers, ending in the logits. */
std::vector<LayerSpec> parseLayers(const Napi::Object& spec);
OptimizerSpec parseOptimizer(const Napi::Object& o);

/** [{layer, role, shape, trainable}] of the network's weights. */
Napi::Array weightInfo(Napi::Env env, const std::vector<WeightTensor>& weights);
/** The weight at index info[0]. */
WeightTensor& weightAt(const Napi::CallbackInfo& info, std::vector<WeightTensor>& weights, const char* what);
Napi::Float32Array copyOut(Napi::Env env, const std::vector<float>& src);
/** Copies the Float32Array info[arg] into dst, which it must match in length. */
void copyIn(const Napi::CallbackInfo& info, size_t arg, std::vector<float>& dst, const std::string& what);

}  // namespace mnl::addon
