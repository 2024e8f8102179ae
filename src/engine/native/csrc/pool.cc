// oneDNN pooling primitives for one shape (see pool.h).
#include "pool.h"

#include <unordered_map>

namespace mnl {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct PoolOp::Impl {
  dnnl::pooling_forward::primitive_desc fwdPd;
  dnnl::pooling_forward fwd;
  dnnl::pooling_backward bwd;
  memory src, dst, workspace, diffSrc, diffDst, scratchpad;
  std::unordered_map<int, memory> fwdArgs, bwdArgs;  // built once: executing only sets data handles
};

PoolOp::PoolOp(const Geometry& g, PoolKind kind, bool training, OpThreads threads)
    : g_(g), training_(training), threads_(threads), impl_(std::make_shared<Impl>()) {
  g.validate("pool2d");
  if (g.outChannels != g.inChannels) throw NativeError("pool2d: output channels differ from input channels " + g.text());
  Impl& m = *impl_;
  // Built on the threads it runs on: oneDNN plans its work split when it creates a primitive.
  onOpThreads(threads, [&] { return "pool2d: oneDNN cannot build primitives for " + g.text(); }, [&] {
    auto& eng = cpuEngine();
    dnnl::primitive_attr attr;  // user scratchpad: ops that run concurrently must not share the library's
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const memory::dims strides{g.strideHeight, g.strideWidth}, window{g.filterHeight, g.filterWidth};
    const memory::dims padL{g.padTop, g.padLeft}, padR{g.padBottom, g.padRight};
    const memory::desc srcMd({g.batchSize, g.inChannels, g.inHeight, g.inWidth}, dt::f32, tag::nhwc);
    const memory::desc dstMd({g.batchSize, g.outChannels, g.outHeight, g.outWidth}, dt::f32, tag::nhwc);
    const auto algorithm =
        kind == PoolKind::Max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
    const auto prop = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    m.fwdPd = dnnl::pooling_forward::primitive_desc(
        dnnl::pooling_forward::desc(prop, algorithm, srcMd, dstMd, strides, window, padL, padR), attr, eng);
    m.fwd = dnnl::pooling_forward(m.fwdPd);
    size_t scratchpadBytes = m.fwdPd.scratchpad_desc().get_size();
    m.src = memory(srcMd, eng, DNNL_MEMORY_NONE);
    m.dst = memory(dstMd, eng, DNNL_MEMORY_NONE);
    m.fwdArgs = {{DNNL_ARG_SRC, m.src}, {DNNL_ARG_DST, m.dst}};
    if (training && m.fwdPd.workspace_desc().get_size() > 0) {
      m.workspace = memory(m.fwdPd.workspace_desc(), eng, DNNL_MEMORY_NONE);
      m.fwdArgs.emplace(DNNL_ARG_WORKSPACE, m.workspace);
    }
    if (training) {
      const dnnl::pooling_backward::primitive_desc bwdPd(
          dnnl::pooling_backward::desc(algorithm, srcMd, dstMd, strides, window, padL, padR), attr, eng, m.fwdPd);
      m.bwd = dnnl::pooling_backward(bwdPd);
      scratchpadBytes = std::max(scratchpadBytes, bwdPd.scratchpad_desc().get_size());
      m.diffSrc = memory(srcMd, eng, DNNL_MEMORY_NONE);
      m.diffDst = memory(dstMd, eng, DNNL_MEMORY_NONE);
      m.bwdArgs = {{DNNL_ARG_DIFF_DST, m.diffDst}, {DNNL_ARG_DIFF_SRC, m.diffSrc}};
      if (m.workspace) m.bwdArgs.emplace(DNNL_ARG_WORKSPACE, m.workspace);
    }
    m.scratchpad = memory(memory::desc({static_cast<dim>(std::max<size_t>(scratchpadBytes, 1))}, dt::u8, tag::a), eng);
    m.fwdArgs.emplace(DNNL_ARG_SCRATCHPAD, m.scratchpad);
    if (training) m.bwdArgs.emplace(DNNL_ARG_SCRATCHPAD, m.scratchpad);
  });
}

template <typename Fn>
void PoolOp::run(const char* pass, Fn body) {
  onOpThreads(threads_, [&] { return std::string("pool2d ") + pass + " failed for " + g_.text(); },
              [&] { body(*impl_, cpuStream()); });
}

size_t PoolOp::workspaceBytes() const { return impl_->workspace ? impl_->workspace.get_desc().get_size() : 0; }

void PoolOp::forward(const float* x, float* y, void* workspace) {
  run("forward", [&](Impl& m, dnnl::stream& st) {
    m.src.set_data_handle(const_cast<float*>(x));
    m.dst.set_data_handle(y);
    if (m.workspace) m.workspace.set_data_handle(workspace);
    m.fwd.execute(st, m.fwdArgs);
    st.wait();
  });
}

void PoolOp::backward(const float* dy, float* dx, void* workspace) {
  if (!training_) throw NativeError("pool2d backward was not prepared for " + g_.text());
  run("backward", [&](Impl& m, dnnl::stream& st) {
    m.diffDst.set_data_handle(const_cast<float*>(dy));
    m.diffSrc.set_data_handle(dx);
    if (m.workspace) m.workspace.set_data_handle(workspace);
    m.bwd.execute(st, m.bwdArgs);
    st.wait();
  });
}

}  // namespace mnl
