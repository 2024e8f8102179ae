// What the addon's binding files share: the guard that turns C++ failures into JS Errors, and each file's
// registration function (called by addon.cc).
#pragma once

#include <napi.h>

#include <string>

#include "common.h"
#include "denormals.h"

namespace mnl::addon {

/** Runs body with denormals flushed; rethrows any C++ exception as a JS Error prefixed with what was being done. */
template <typename Fn>
auto guarded(const Napi::Env& env, const std::string& what, Fn body) -> decltype(body()) {
  try {
    FlushDenormals flush;
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, what + ": out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, what + ": " + e.what());
  }
}

/** The compiled trainer class (addon_trainer.cc). */
void registerTrainer(Napi::Env env, Napi::Object exports);
/** The compiled predictor class (addon_predictor.cc). */
void registerPredictor(Napi::Env env, Napi::Object exports);
/** The kernels the TF.js 'native' backend calls (addon_kernels.cc). */
void registerKernels(Napi::Env env, Napi::Object exports);
/** Status, threads and the dropout mask oracle (addon_status.cc). */
void registerStatus(Napi::Env env, Napi::Object exports);

}  // namespace mnl::addon
