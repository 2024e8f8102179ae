// The kernels the TF.js 'native' backend calls: matmul, conv2d (forward and both gradients), inference batch norm
// and elementwise activations. Shapes and geometry arrive as named objects; outputs are written into `out`.
#include <array>
#include <map>
#include <memory>

#include "addon.h"
#include "addon_args.h"
#include "batch_norm.h"
#include "conv.h"
#include "ops.h"

namespace mnl::addon {

namespace {

/** matmul(a, b, out, {batchA, batchB, m, k, n, transposeA, transposeB}, bias|null, act): out[batch, m, n]. */
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native MatMul", [&]() -> Napi::Value {
    const Napi::Object shape = objectArg(info, 3, "shape");
    const dim batchA = intField(shape, "batchA", "shape"), batchB = intField(shape, "batchB", "shape");
    const dim m = intField(shape, "m", "shape"), k = intField(shape, "k", "shape"), n = intField(shape, "n", "shape");
    const bool transA = boolField(shape, "transposeA", "shape"), transB = boolField(shape, "transposeB", "shape");
    const std::string shapes = "a" + shapeText({batchA, transA ? k : m, transA ? m : k}) + " b" +
                               shapeText({batchB, transB ? n : k, transB ? k : n});
    if (batchA < 1 || batchB < 1 || m < 1 || k < 1 || n < 1 || (batchA != batchB && batchA != 1 && batchB != 1)) {
      throw NativeError("unsupported shapes " + shapes);
    }
    const dim batch = std::max(batchA, batchB);
    auto a = floatArg(info, 0, "a", static_cast<size_t>(batchA * m * k));
    auto b = floatArg(info, 1, "b", static_cast<size_t>(batchB * k * n));
    auto out = floatArg(info, 2, "out", static_cast<size_t>(batch * m * n));
    const float* bias = optionalFloatArg(info, 4, "bias", static_cast<size_t>(n));
    const ops::Act act = parseAct(info[5].ToString().Utf8Value());
    for (dim i = 0; i < batch; i++) {
      float* c = out.Data() + i * m * n;
      ops::gemm(transA, transB, m, n, k, a.Data() + (batchA == 1 ? 0 : i * m * k),
                b.Data() + (batchB == 1 ? 0 : i * k * n), c, false);
      if (bias) ops::addBias(m, n, bias, c);
    }
    ops::activationForward(act, batch * m * n, out.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/**
 * Convolution primitives by geometry, reused across calls (bounded; per calling thread, as ops hold state).
 * Training ops also hold the backward-data and backward-weights primitives.
 */
ConvOp& cachedConv(const Geometry& g, bool bias, bool backward) {
  thread_local std::map<std::string, std::unique_ptr<ConvOp>> cache;
  const std::string key = g.text() + (bias ? "+b" : "") + (backward ? "+bwd" : "");
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 64) cache.clear();
  auto op = std::make_unique<ConvOp>(g, bias, backward ? ConvPurpose::TrainingWithInputGrad : ConvPurpose::Inference,
                                     OpThreads::Pool);
  return *cache.emplace(key, std::move(op)).first->second;
}

Geometry geometryArg(const Napi::CallbackInfo& info, size_t i) {
  const Geometry g = parseGeometry(objectArg(info, i, "geometry"), "geometry", true);
  g.validate("conv2d");
  return g;
}

/** conv2d(x, filterHwio, out, geometry, bias|null, act). */
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native Conv2D", [&]() -> Napi::Value {
    const Geometry g = geometryArg(info, 3);
    auto x = floatArg(info, 0, "x", g.inputCount());
    auto w = floatArg(info, 1, "filter", g.kernelCount());
    auto out = floatArg(info, 2, "out", g.outputCount());
    const float* bias = optionalFloatArg(info, 4, "bias", static_cast<size_t>(g.outChannels));
    const ops::Act act = parseAct(info[5].ToString().Utf8Value());
    cachedConv(g, bias != nullptr, false).forward(x.Data(), w.Data(), bias, out.Data());
    ops::activationForward(act, static_cast<dim>(g.outputCount()), out.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/**
 * A conv2d gradient: args (first, second, out, geometry) where the three arrays hold `sizes(geometry)` floats;
 * `run` calls the cached backward op.
 */
template <typename Sizes, typename Run>
Napi::Value convGradient(const Napi::CallbackInfo& info, const char* what, const char* const names[3], Sizes sizes,
                         Run run) {
  return guarded(info.Env(), what, [&]() -> Napi::Value {
    const Geometry g = geometryArg(info, 3);
    const std::array<size_t, 3> n = sizes(g);
    auto a = floatArg(info, 0, names[0], n[0]);
    auto b = floatArg(info, 1, names[1], n[1]);
    auto out = floatArg(info, 2, names[2], n[2]);
    run(cachedConv(g, false, true), a.Data(), b.Data(), out.Data());
    return info.Env().Undefined();
  });
}

/** conv2dBackpropInput(dy, filterHwio, dx, geometry): the gradient of a conv2d with respect to its input. */
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  return convGradient(
      info, "native Conv2DBackpropInput", names,
      [](const Geometry& g) { return std::array<size_t, 3>{g.outputCount(), g.kernelCount(), g.inputCount()}; },
      [](ConvOp& op, const float* dy, const float* w, float* dx) { op.backwardData(dy, w, dx); });
}

/** conv2dBackpropFilter(x, dy, dFilterHwio, geometry): the gradient of a conv2d with respect to its kernel. */
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  static const char* const names[3] = {"x", "dy", "dFilter"};
  return convGradient(
      info, "native Conv2DBackpropFilter", names,
      [](const Geometry& g) { return std::array<size_t, 3>{g.inputCount(), g.outputCount(), g.kernelCount()}; },
      [](ConvOp& op, const float* x, const float* dy, float* dw) { op.backwardWeights(x, dy, dw, nullptr); });
}

/** batchNorm(x, out, {rows, channels, epsilon}, mean, variance, offset|null, scale|null): over the last axis. */
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native FusedBatchNorm", [&]() -> Napi::Value {
    const Napi::Object shape = objectArg(info, 2, "shape");
    const dim rows = intField(shape, "rows", "shape"), c = intField(shape, "channels", "shape");
    if (rows < 0 || c < 1) throw NativeError("bad shape: rows " + std::to_string(rows) + ", channels " + std::to_string(c));
    auto x = floatArg(info, 0, "x", static_cast<size_t>(rows * c));
    auto out = floatArg(info, 1, "out", static_cast<size_t>(rows * c));
    auto mean = floatArg(info, 3, "mean", static_cast<size_t>(c));
    auto variance = floatArg(info, 4, "variance", static_cast<size_t>(c));
    const float* offset = optionalFloatArg(info, 5, "offset", static_cast<size_t>(c));
    const float* scale = optionalFloatArg(info, 6, "scale", static_cast<size_t>(c));
    const float epsilon = static_cast<float>(numberField(shape, "epsilon", "shape"));
    parallelRange(rows, [&](dim r0, dim r1) {
      ops::batchNormInfer(r1 - r0, c, x.Data() + r0 * c, scale, offset, mean.Data(), variance.Data(), epsilon,
                          ops::Act::Linear, out.Data() + r0 * c);
    }, kParallelMin / c);
    return info.Env().Undefined();
  });
}

/** activation(x, out, act): out = act(x) elementwise. */
Napi::Value Activation(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native activation", [&]() -> Napi::Value {
    auto x = floatArg(info, 0, "x", 0);
    auto out = floatArg(info, 1, "out", x.ElementLength());
    const ops::Act act = parseAct(info[2].ToString().Utf8Value());
    ops::activationForward(act, static_cast<dim>(x.ElementLength()), x.Data(), out.Data());
    return info.Env().Undefined();
  });
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("activation", Napi::Function::New(env, Activation));
}

}  // namespace mnl::addon
