// oneDNN convolution primitives for one shape (see conv.h).
#include "conv.h"

#include <unordered_map>

#include "parallel.h"

namespace mnl {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

/** Runs a primitive execution; a oneDNN failure becomes a NativeError naming the pass and the shape. */
template <typename Fn>
void execute(const char* pass, const Geometry& g, Fn body) {
  try {
    body();
  } catch (const dnnl::error& e) {
    throw NativeError(std::string("conv2d ") + pass + " failed for " + g.text() + ": " + e.what());
  }
}

/**
 * Reorders a kernel between TF.js's layout and a primitive's on the calling thread alone: a few microseconds of
 * work, less than waking the pool (and than waiting for a pool thread another process has taken the core of).
 */
void reorderWeights(dnnl::reorder& r, memory& from, memory& to) {
  SerialScope serial;
  r.execute(cpuStream(), from, to);
}

}  // namespace

struct ConvOp::Impl {
  memory::desc srcMd, wUserMd, biasMd, dstMd;
  dnnl::convolution_forward::primitive_desc fwdPd;
  dnnl::convolution_forward fwd;
  memory src, wUser, bias, dst, wFwd;  // wFwd: kernel in the forward primitive's layout
  bool reorderFwd = false;
  dnnl::reorder toFwd;
  std::unordered_map<int, memory> fwdArgs;  // each pass's arguments, built once: executing only sets data handles

  bool hasBwdData = false;
  dnnl::convolution_backward_data::primitive_desc bwdDataPd;
  dnnl::convolution_backward_data bwdData;
  memory diffSrc, diffDst, wBwd;
  bool reorderBwd = false;
  dnnl::reorder toBwd;
  std::unordered_map<int, memory> bwdDataArgs;

  bool hasBwdWeights = false;
  dnnl::convolution_backward_weights::primitive_desc bwdWPd;
  dnnl::convolution_backward_weights bwdW;
  memory diffWUser, diffWPrim, diffBias;
  bool reorderDiffW = false;
  dnnl::reorder fromDiffW;
  std::unordered_map<int, memory> bwdWArgs;
};

ConvOp::ConvOp(const Geometry& g, bool bias, ConvPurpose purpose)
    : g_(g), bias_(bias), purpose_(purpose), impl_(std::make_shared<Impl>()) {
  g.validate("conv2d");
  try {
    build();
  } catch (const dnnl::error& e) {
    throw NativeError("conv2d: oneDNN cannot build primitives for " + g.text() + ": " + e.what());
  }
}

void ConvOp::build() {
  const Geometry& g = g_;
  auto& eng = cpuEngine();
  Impl& m = *impl_;
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
  m.fwdPd = dnnl::convolution_forward::primitive_desc(fwdDesc, eng);
  m.fwd = dnnl::convolution_forward(m.fwdPd);
  m.src = memory(m.srcMd, eng, DNNL_MEMORY_NONE);
  m.dst = memory(m.dstMd, eng, DNNL_MEMORY_NONE);
  m.wUser = memory(m.wUserMd, eng, DNNL_MEMORY_NONE);
  if (bias_) m.bias = memory(m.biasMd, eng, DNNL_MEMORY_NONE);
  m.reorderFwd = m.fwdPd.weights_desc() != m.wUserMd;
  if (m.reorderFwd) {
    m.wFwd = memory(m.fwdPd.weights_desc(), eng);
    m.toFwd = dnnl::reorder(m.wUser, m.wFwd);
  }
  m.fwdArgs = {{DNNL_ARG_SRC, m.src}, {DNNL_ARG_WEIGHTS, m.reorderFwd ? m.wFwd : m.wUser}, {DNNL_ARG_DST, m.dst}};
  if (bias_) m.fwdArgs.emplace(DNNL_ARG_BIAS, m.bias);
  if (!training) return;

  m.diffDst = memory(m.dstMd, eng, DNNL_MEMORY_NONE);
  if (purpose_ == ConvPurpose::TrainingWithInputGrad) {
    dnnl::convolution_backward_data::desc bdDesc(dnnl::algorithm::convolution_direct, m.srcMd, wAny, m.dstMd,
                                                 strides, padL, padR);
    m.bwdDataPd = dnnl::convolution_backward_data::primitive_desc(bdDesc, eng, m.fwdPd);
    m.bwdData = dnnl::convolution_backward_data(m.bwdDataPd);
    m.diffSrc = memory(m.srcMd, eng, DNNL_MEMORY_NONE);
    m.reorderBwd = m.bwdDataPd.weights_desc() != m.wUserMd;
    if (m.reorderBwd) {
      m.wBwd = memory(m.bwdDataPd.weights_desc(), eng);
      m.toBwd = dnnl::reorder(m.wUser, m.wBwd);
    }
    m.bwdDataArgs = {{DNNL_ARG_DIFF_DST, m.diffDst},
                     {DNNL_ARG_WEIGHTS, m.reorderBwd ? m.wBwd : m.wUser},
                     {DNNL_ARG_DIFF_SRC, m.diffSrc}};
    m.hasBwdData = true;
  }
  dnnl::convolution_backward_weights::desc bwDesc(dnnl::algorithm::convolution_direct, m.srcMd, wAny, m.biasMd,
                                                  m.dstMd, strides, padL, padR);
  m.bwdWPd = dnnl::convolution_backward_weights::primitive_desc(bwDesc, eng, m.fwdPd);
  m.bwdW = dnnl::convolution_backward_weights(m.bwdWPd);
  m.diffWUser = memory(m.wUserMd, eng, DNNL_MEMORY_NONE);
  if (bias_) m.diffBias = memory(m.biasMd, eng, DNNL_MEMORY_NONE);
  m.reorderDiffW = m.bwdWPd.diff_weights_desc() != m.wUserMd;
  if (m.reorderDiffW) {
    m.diffWPrim = memory(m.bwdWPd.diff_weights_desc(), eng);
    m.fromDiffW = dnnl::reorder(m.diffWPrim, m.diffWUser);
  }
  m.bwdWArgs = {{DNNL_ARG_SRC, m.src},
                {DNNL_ARG_DIFF_DST, m.diffDst},
                {DNNL_ARG_DIFF_WEIGHTS, m.reorderDiffW ? m.diffWPrim : m.diffWUser}};
  if (bias_) m.bwdWArgs.emplace(DNNL_ARG_DIFF_BIAS, m.diffBias);
  m.hasBwdWeights = true;
}

void ConvOp::forward(const float* x, const float* kernelHwio, const float* bias, float* y) {
  execute("forward", g_, [&] {
    Impl& m = *impl_;
    auto& st = cpuStream();
    m.src.set_data_handle(const_cast<float*>(x));
    m.dst.set_data_handle(y);
    m.wUser.set_data_handle(const_cast<float*>(kernelHwio));
    if (bias_) m.bias.set_data_handle(const_cast<float*>(bias));
    if (m.reorderFwd) reorderWeights(m.toFwd, m.wUser, m.wFwd);
    m.fwd.execute(st, m.fwdArgs);
    st.wait();
  });
}

void ConvOp::backwardData(const float* dy, const float* kernelHwio, float* dx) {
  if (!impl_->hasBwdData) throw NativeError("conv2d backward-data was not prepared for " + g_.text());
  execute("backward-data", g_, [&] {
    Impl& m = *impl_;
    auto& st = cpuStream();
    m.diffDst.set_data_handle(const_cast<float*>(dy));
    m.diffSrc.set_data_handle(dx);
    m.wUser.set_data_handle(const_cast<float*>(kernelHwio));
    if (m.reorderBwd) reorderWeights(m.toBwd, m.wUser, m.wBwd);
    m.bwdData.execute(st, m.bwdDataArgs);
    st.wait();
  });
}

void ConvOp::backwardWeights(const float* x, const float* dy, float* dKernelHwio, float* dBias) {
  if (!impl_->hasBwdWeights) throw NativeError("conv2d backward-weights was not prepared for " + g_.text());
  execute("backward-weights", g_, [&] {
    Impl& m = *impl_;
    auto& st = cpuStream();
    m.src.set_data_handle(const_cast<float*>(x));
    m.diffDst.set_data_handle(const_cast<float*>(dy));
    m.diffWUser.set_data_handle(dKernelHwio);
    if (bias_) {
      if (!dBias) throw NativeError("conv2d backward-weights of a conv with bias needs a bias gradient buffer");
      m.diffBias.set_data_handle(dBias);
    }
    m.bwdW.execute(st, m.bwdWArgs);
    if (m.reorderDiffW) reorderWeights(m.fromDiffW, m.diffWPrim, m.diffWUser);
    st.wait();
  });
}

}  // namespace mnl
