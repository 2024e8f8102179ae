// Status and control: oneDNN version, threads and CPU features (for `mnist-lab doctor`), the thread count, handing
// free memory back to the system, and the dropout keep mask and denormal-mode counter that tests use.
#include <omp.h>

#include <cstdlib>
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <v8.h>

#include "addon.h"
#include "addon_args.h"
#include "ops.h"

namespace mnl::addon {

namespace {

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
    out.Set("threads", threadCount());
    out.Set("cpuFeatures", cpuFeatures(info.Env()));
    return out;
  });
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native setThreads", [&]() -> Napi::Value {
    setThreadCount(static_cast<int>(intArg(info, 0, "threads")));
    return Napi::Number::New(info.Env(), threadCount());
  });
}

/**
 * releaseFreeMemory(): frees what nothing references any more and hands it back to the system; whether the C
 * allocator released any pages. First a full V8 collection, which frees the native memory of dropped array
 * buffers (request bodies, images) into the C allocator; then glibc's malloc_trim, which returns the allocator's
 * free pages, those inside its arenas as well as at their tops. Without it, what a burst of work freed stays
 * with the process for reuse and its RSS stays at its busiest size.
 */
Napi::Value ReleaseFreeMemory(const Napi::CallbackInfo& info) {
  v8::Isolate::GetCurrent()->LowMemoryNotification();
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

/** denormalPoolFlushes(): how many times a pool had FTZ/DAZ set, which grows only when the pool does. */
Napi::Value DenormalPoolFlushes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), poolFlushCount()); }

/** dropoutMask(seed, salt, count, rate): the keep mask (1/0) the trainer's dropout layer `salt` draws for seed. */
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "native dropoutMask", [&]() -> Napi::Value {
    const auto seed = static_cast<uint32_t>(intArg(info, 0, "seed"));
    const auto salt = static_cast<uint32_t>(intArg(info, 1, "salt"));
    const dim count = intArg(info, 2, "count");
    if (count < 0) throw NativeError("count must be >= 0, got " + std::to_string(count));
    const auto rate = static_cast<float>(numberArg(info, 3, "rate"));
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(count));
    for (dim i = 0; i < count; i++) out.Data()[i] = ops::counterUniform(seed, salt, static_cast<uint64_t>(i)) >= rate;
    return out;
  });
}

}  // namespace

void registerStatus(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("dropoutMask", Napi::Function::New(env, DropoutMask));
  exports.Set("denormalPoolFlushes", Napi::Function::New(env, DenormalPoolFlushes));
  exports.Set("releaseFreeMemory", Napi::Function::New(env, ReleaseFreeMemory));
}

}  // namespace mnl::addon
