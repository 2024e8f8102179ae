// oneDNN convolution primitives for one shape (see conv.h).
#include "conv.h"

#include <optional>
#include <string>
#include <unordered_map>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace mnl {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

bool amdCpu() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return false;
  return ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163;  // "Auth" "enti" "cAMD"
#else
  return false;
#endif
}

/**
 * The implementation to take for a pass: oneDNN's first, except on AMD CPUs (Zen 4 runs a 512-bit operation as two
 * 256-bit halves, so AVX-512 kernels gain less over AVX2 ones than on Intel). There, measured on every convolution
 * of the benchmark's models, one thread on 32 images: the forward pass takes the direct jit kernel rather than the
 * brgemm-based one oneDNN ranks first (1-10% faster, 46% on a 1-channel input); and with output channels 8 more
 * than a multiple of 16 (24), which AVX-512 kernels pad by 8 to a multiple of 16 and AVX2 kernels do not, the
 * forward and weight-gradient passes take the AVX2 kernel (10-15% faster). Backward-data keeps oneDNN's choice.
 * A rule of the CPU and the shape, not a timing, so that runs on one machine stay bit for bit the same.
 */
enum class Pass { Forward, BackwardWeights };

std::string preferredImplementation(Pass pass, dim outChannels) {
  static const bool amd = amdCpu();
  if (!amd) return "";
  if (outChannels % 16 == 8) return "jit:avx2";
  return pass == Pass::Forward ? "jit:avx512_core" : "";
}

/** The primitive descriptor of the implementation whose name starts with `prefix`, or oneDNN's first. */
template <typename Pd, typename... Args>
Pd choose(const std::string& prefix, const Args&... args) {
  Pd first(args...);
  if (prefix.empty() || std::string(first.impl_info_str()).rfind(prefix, 0) == 0) return first;
  Pd candidate(args...);
  while (candidate.next_impl()) {
    if (std::string(candidate.impl_info_str()).rfind(prefix, 0) == 0) return candidate;
  }
  return first;
}

}  // namespace

struct ConvOp::Impl {
  dnnl::primitive_attr attr;  // user scratchpad: ops that run concurrently must not share the library's
  memory scratchpad;
  size_t scratchpadBytes = 0;  // the largest any of the op's primitives needs
  memory::desc srcMd, wUserMd, biasMd, dstMd;
  dnnl::convolution_forward::primitive_desc fwdPd;
  dnnl::convolution_forward fwd;
  memory src, wUser, bias, dst, wFwd;  // wFwd: kernel in the forward primitive's layout
  std::optional<dnnl::reorder> toFwd;
  uint64_t fwdKernelPass = ConvOp::kAnyKernel;  // the pass whose kernel wFwd holds
  std::unordered_map<int, memory> fwdArgs;  // each pass's arguments, built once: executing only sets data handles

  bool hasBwdData = false;
  dnnl::convolution_backward_data::primitive_desc bwdDataPd;
  dnnl::convolution_backward_data bwdData;
  memory diffSrc, diffDst, wBwd;
  std::optional<dnnl::reorder> toBwd;
  uint64_t bwdKernelPass = ConvOp::kAnyKernel;
  std::unordered_map<int, memory> bwdDataArgs;

  bool hasBwdWeights = false;
  dnnl::convolution_backward_weights::primitive_desc bwdWPd;
  dnnl::convolution_backward_weights bwdW;
  memory diffWUser, diffWPrim, diffBias;
  std::optional<dnnl::reorder> fromDiffW;
  std::unordered_map<int, memory> bwdWArgs;

  /** Notes what a primitive needs of the scratchpad; returns the primitive descriptor. */
  template <typename Pd>
  Pd needs(Pd pd) {
    scratchpadBytes = std::max(scratchpadBytes, pd.scratchpad_desc().get_size());
    return pd;
  }

  /** A reorder between a kernel's layouts, when they differ (else none). */
  std::optional<dnnl::reorder> reorder(const memory& from, const memory& to) {
    if (from.get_desc() == to.get_desc()) return std::nullopt;
    return dnnl::reorder(needs(dnnl::reorder::primitive_desc(from, to, attr)));
  }

  /**
   * Reorders a kernel on the calling thread alone, whatever the op's threads: a few microseconds of work, less
   * than waking the pool (and than waiting for a pool thread another process has taken the core of).
   */
  void reorderKernel(dnnl::reorder& r, const memory& from, const memory& to) {
    SerialScope serial;
    r.execute(cpuStream(), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}, {DNNL_ARG_SCRATCHPAD, scratchpad}});
  }
};

ConvOp::ConvOp(const Geometry& g, bool bias, ConvPurpose purpose, OpThreads threads)
    : g_(g), bias_(bias), purpose_(purpose), threads_(threads), impl_(std::make_shared<Impl>()) {
  g.validate("conv2d");
  // Built on the threads it runs on: oneDNN plans its work split when it creates a primitive.
  onOpThreads(threads, [&] { return "conv2d: oneDNN cannot build primitives for " + g.text(); }, [&] { build(); });
}

void ConvOp::build() {
  const Geometry& g = g_;
  auto& eng = cpuEngine();
  Impl& m = *impl_;
  m.attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const memory::dims strides{g.strideHeight, g.strideWidth}, padL{g.padTop, g.padLeft}, padR{g.padBottom, g.padRight};
  m.srcMd = memory::desc({g.batchSize, g.inChannels, g.inHeight, g.inWidth}, dt::f32, tag::nhwc);
  m.dstMd = memory::desc({g.batchSize, g.outChannels, g.outHeight, g.outWidth}, dt::f32, tag::nhwc);
  m.wUserMd = memory::desc({g.outChannels, g.inChannels, g.filterHeight, g.filterWidth}, dt::f32, tag::hwio);
  m.biasMd = bias_ ? memory::desc({g.outChannels}, dt::f32, tag::a) : memory::desc();
  const memory::desc wAny({g.outChannels, g.inChannels, g.filterHeight, g.filterWidth}, dt::f32, tag::any);
  const bool training = purpose_ != ConvPurpose::Inference;

  dnnl::convolution_forward::desc fwdDesc(
      training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
      dnnl::algorithm::convolution_direct, m.srcMd, wAny, m.biasMd, m.dstMd, strides, padL, padR);
  m.fwdPd = m.needs(choose<dnnl::convolution_forward::primitive_desc>(
      preferredImplementation(Pass::Forward, g.outChannels), fwdDesc, m.attr, eng));
  m.fwd = dnnl::convolution_forward(m.fwdPd);
  m.src = memory(m.srcMd, eng, DNNL_MEMORY_NONE);
  m.dst = memory(m.dstMd, eng, DNNL_MEMORY_NONE);
  m.wUser = memory(m.wUserMd, eng, DNNL_MEMORY_NONE);
  if (bias_) m.bias = memory(m.biasMd, eng, DNNL_MEMORY_NONE);
  m.wFwd = m.fwdPd.weights_desc() == m.wUserMd ? m.wUser : memory(m.fwdPd.weights_desc(), eng);
  m.toFwd = m.reorder(m.wUser, m.wFwd);
  m.fwdArgs = {{DNNL_ARG_SRC, m.src}, {DNNL_ARG_WEIGHTS, m.wFwd}, {DNNL_ARG_DST, m.dst}};
  if (bias_) m.fwdArgs.emplace(DNNL_ARG_BIAS, m.bias);

  if (training) {
    m.diffDst = memory(m.dstMd, eng, DNNL_MEMORY_NONE);
    if (purpose_ == ConvPurpose::TrainingWithInputGrad) {
      dnnl::convolution_backward_data::desc bdDesc(dnnl::algorithm::convolution_direct, m.srcMd, wAny, m.dstMd,
                                                   strides, padL, padR);
      m.bwdDataPd = m.needs(dnnl::convolution_backward_data::primitive_desc(bdDesc, m.attr, eng, m.fwdPd));
      m.bwdData = dnnl::convolution_backward_data(m.bwdDataPd);
      m.diffSrc = memory(m.srcMd, eng, DNNL_MEMORY_NONE);
      m.wBwd = m.bwdDataPd.weights_desc() == m.wUserMd ? m.wUser : memory(m.bwdDataPd.weights_desc(), eng);
      m.toBwd = m.reorder(m.wUser, m.wBwd);
      m.bwdDataArgs = {{DNNL_ARG_DIFF_DST, m.diffDst}, {DNNL_ARG_WEIGHTS, m.wBwd}, {DNNL_ARG_DIFF_SRC, m.diffSrc}};
      m.hasBwdData = true;
    }
    dnnl::convolution_backward_weights::desc bwDesc(dnnl::algorithm::convolution_direct, m.srcMd, wAny, m.biasMd,
                                                    m.dstMd, strides, padL, padR);
    m.bwdWPd = m.needs(choose<dnnl::convolution_backward_weights::primitive_desc>(
        preferredImplementation(Pass::BackwardWeights, g.outChannels), bwDesc, m.attr, eng, m.fwdPd));
    m.bwdW = dnnl::convolution_backward_weights(m.bwdWPd);
    m.diffWUser = memory(m.wUserMd, eng, DNNL_MEMORY_NONE);
    if (bias_) m.diffBias = memory(m.biasMd, eng, DNNL_MEMORY_NONE);
    m.diffWPrim =
        m.bwdWPd.diff_weights_desc() == m.wUserMd ? m.diffWUser : memory(m.bwdWPd.diff_weights_desc(), eng);
    m.fromDiffW = m.reorder(m.diffWPrim, m.diffWUser);
    m.bwdWArgs = {{DNNL_ARG_SRC, m.src}, {DNNL_ARG_DIFF_DST, m.diffDst}, {DNNL_ARG_DIFF_WEIGHTS, m.diffWPrim}};
    if (bias_) m.bwdWArgs.emplace(DNNL_ARG_DIFF_BIAS, m.diffBias);
    m.hasBwdWeights = true;
  }
  m.scratchpad = memory(memory::desc({static_cast<dim>(std::max<size_t>(m.scratchpadBytes, 1))}, dt::u8, tag::a), eng);
  for (auto* args : {&m.fwdArgs, &m.bwdDataArgs, &m.bwdWArgs}) {
    if (!args->empty()) args->emplace(DNNL_ARG_SCRATCHPAD, m.scratchpad);
  }
}

template <typename Fn>
void ConvOp::run(const char* pass, Fn body) {
  onOpThreads(threads_, [&] { return std::string("conv2d ") + pass + " failed for " + g_.text(); },
              [&] { body(*impl_, cpuStream()); });
}

void ConvOp::forward(const float* x, const float* kernelHwio, const float* bias, float* y, uint64_t pass) {
  run("forward", [&](Impl& m, dnnl::stream& st) {
    m.src.set_data_handle(const_cast<float*>(x));
    m.dst.set_data_handle(y);
    m.wUser.set_data_handle(const_cast<float*>(kernelHwio));
    if (bias_) m.bias.set_data_handle(const_cast<float*>(bias));
    if (m.toFwd && (pass == kAnyKernel || pass != m.fwdKernelPass)) m.reorderKernel(*m.toFwd, m.wUser, m.wFwd);
    m.fwdKernelPass = pass;
    m.fwd.execute(st, m.fwdArgs);
    st.wait();
  });
}

void ConvOp::backwardData(const float* dy, const float* kernelHwio, float* dx, uint64_t pass) {
  if (!impl_->hasBwdData) throw NativeError("conv2d backward-data was not prepared for " + g_.text());
  run("backward-data", [&](Impl& m, dnnl::stream& st) {
    m.diffDst.set_data_handle(const_cast<float*>(dy));
    m.diffSrc.set_data_handle(dx);
    m.wUser.set_data_handle(const_cast<float*>(kernelHwio));
    if (m.toBwd && (pass == kAnyKernel || pass != m.bwdKernelPass)) m.reorderKernel(*m.toBwd, m.wUser, m.wBwd);
    m.bwdKernelPass = pass;
    m.bwdData.execute(st, m.bwdDataArgs);
    st.wait();
  });
}

void ConvOp::backwardWeights(const float* x, const float* dy, float* dKernelHwio, float* dBias) {
  if (!impl_->hasBwdWeights) throw NativeError("conv2d backward-weights was not prepared for " + g_.text());
  if (bias_ && !dBias) throw NativeError("conv2d backward-weights of a conv with bias needs a bias gradient buffer");
  run("backward-weights", [&](Impl& m, dnnl::stream& st) {
    m.src.set_data_handle(const_cast<float*>(x));
    m.diffDst.set_data_handle(const_cast<float*>(dy));
    m.diffWUser.set_data_handle(dKernelHwio);
    if (bias_) m.diffBias.set_data_handle(dBias);
    m.bwdW.execute(st, m.bwdWArgs);
    if (m.fromDiffW) m.reorderKernel(*m.fromDiffW, m.diffWPrim, m.diffWUser);
    st.wait();
  });
}

}  // namespace mnl
