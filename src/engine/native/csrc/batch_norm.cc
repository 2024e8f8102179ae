// Batch norm with its activation fused (see batch_norm.h): per-channel loops over blocks of rows, sums in double.
#include "batch_norm.h"

namespace mnl::ops {

namespace {

/** y = act(x · scale + shift) over `rows` rows, scale and shift tiled over a block. */
template <Act A>
void affine(const ChannelBlocks& b, dim rows, const float* x, const float* scale, const float* shift, float* y) {
  b.forRows(rows, [&](dim offset, dim length) {
    const float* __restrict xo = x + offset;
    float* __restrict yo = y + offset;
    const float* __restrict sc = scale;
    const float* __restrict sh = shift;
    for (dim j = 0; j < length; j++) yo[j] = activate<A>(xo[j] * sc[j] + sh[j]);
  });
}

/**
 * dy · act'(y) at position j of a block. For relu the mask comes from the input (x · scale + shift > 0, the same
 * float operations as the forward pass, so the same mask) rather than from y: one stream less to read.
 */
template <Act A>
inline float gradientAt(float x, const float* y, float dy, dim j, const float* scale, const float* shift) {
  if constexpr (A == Act::Relu) return x * scale[j] + shift[j] > 0.0f ? dy : 0.0f;
  return activationGrad<A>(y[j], dy);
}

}  // namespace

BatchNormPasses::BatchNormPasses(dim channels, float epsilon)
    : c_(channels),
      eps_(epsilon),
      sums_(channels),
      mean_(static_cast<size_t>(channels)),
      variance_(static_cast<size_t>(channels)),
      invStd_(static_cast<size_t>(channels)),
      factors_(static_cast<size_t>(Factors * sums_.blocks().span)) {}

void BatchNormPasses::sums(int c, dim rows, const float* x) {
  sums_.add(c, rows, [&](dim offset, dim length, double* __restrict s0, double* __restrict s1) {
    const float* __restrict xo = x + offset;
    for (dim j = 0; j < length; j++) {
      const double v = xo[j];
      s0[j] += v;
      s1[j] += v * v;
    }
  });
}

void BatchNormPasses::fold(int chunks, dim rows, const float* gamma, const float* beta) {
  const double* total = sums_.fold(chunks);
  float* scale = factor(Scale);
  float* shift = factor(Shift);
  for (dim j = 0; j < c_; j++) {
    const double m = total[j] / static_cast<double>(rows);
    const double var = std::max(0.0, total[c_ + j] / static_cast<double>(rows) - m * m);
    mean_[j] = static_cast<float>(m);
    variance_[j] = static_cast<float>(var);
    invStd_[j] = static_cast<float>(1.0 / std::sqrt(var + eps_));
    scale[j] = invStd_[j] * (gamma ? gamma[j] : 1.0f);
    shift[j] = (beta ? beta[j] : 0.0f) - mean_[j] * scale[j];
  }
  std::copy(mean_.begin(), mean_.end(), factor(Mean));
  std::copy(invStd_.begin(), invStd_.end(), factor(InvStd));
  for (Factor f : {Scale, Shift, Mean, InvStd}) sums_.blocks().tile(factor(f));
}

void BatchNormPasses::apply(dim rows, const float* x, Act act, float* y) const {
  withAct(act, [&](auto a) { affine<decltype(a)::value>(sums_.blocks(), rows, x, factor(Scale), factor(Shift), y); });
}

void BatchNormPasses::gradientSums(int c, dim rows, const float* x, const float* y, const float* dy, Act act) {
  const float* __restrict m = factor(Mean);
  const float* __restrict is = factor(InvStd);
  const float* __restrict sc = factor(Scale);
  const float* __restrict sh = factor(Shift);
  withAct(act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    // Σ dy' and Σ dy'·xhat per channel, dy' = dy · act'(y) being the gradient at the normalised value.
    sums_.add(c, rows, [&](dim offset, dim length, double* __restrict s0, double* __restrict s1) {
      const float* __restrict xo = x + offset;
      const float* __restrict yo = y + offset;
      const float* __restrict dyo = dy + offset;
      for (dim j = 0; j < length; j++) {
        const float g = gradientAt<A>(xo[j], yo, dyo[j], j, sc, sh);
        s0[j] += g;
        s1[j] += static_cast<double>(g) * ((xo[j] - m[j]) * is[j]);
      }
    });
  });
}

void BatchNormPasses::gradientFold(int chunks, dim rows, const float* gamma, float* dgamma, float* dbeta) {
  const double* sumDy = sums_.fold(chunks);
  const double* sumDyXhat = sumDy + c_;
  float* k = factor(K);
  float* meanDy = factor(MeanDy);
  float* meanDyXhat = factor(MeanDyXhat);
  for (dim j = 0; j < c_; j++) {
    if (dbeta) dbeta[j] = static_cast<float>(sumDy[j]);
    if (dgamma) dgamma[j] = static_cast<float>(sumDyXhat[j]);
    k[j] = (gamma ? gamma[j] : 1.0f) * invStd_[j];
    meanDy[j] = static_cast<float>(sumDy[j] / static_cast<double>(rows));
    meanDyXhat[j] = static_cast<float>(sumDyXhat[j] / static_cast<double>(rows));
  }
  for (Factor f : {K, MeanDy, MeanDyXhat}) sums_.blocks().tile(factor(f));
}

void BatchNormPasses::gradientApply(dim rows, const float* x, const float* y, const float* dy, Act act,
                                    float* dx) const {
  const float* __restrict m = factor(Mean);
  const float* __restrict is = factor(InvStd);
  const float* __restrict k = factor(K);
  const float* __restrict meanDy = factor(MeanDy);
  const float* __restrict meanDyXhat = factor(MeanDyXhat);
  const float* __restrict sc = factor(Scale);
  const float* __restrict sh = factor(Shift);
  withAct(act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    sums_.blocks().forRows(rows, [&](dim offset, dim length) {
      const float* __restrict xo = x + offset;
      const float* __restrict yo = y + offset;
      const float* __restrict dyo = dy + offset;
      float* __restrict dxo = dx + offset;
      for (dim j = 0; j < length; j++) {
        const float xhat = (xo[j] - m[j]) * is[j];
        dxo[j] = k[j] * (gradientAt<A>(xo[j], yo, dyo[j], j, sc, sh) - meanDy[j] - xhat * meanDyXhat[j]);
      }
    });
  });
}

void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, Act act, float* y) {
  const ChannelBlocks b(c);
  thread_local std::vector<float> factors;
  if (factors.size() < static_cast<size_t>(2 * b.span)) factors.resize(static_cast<size_t>(2 * b.span));
  float* scale = factors.data();
  float* shift = scale + b.span;
  for (dim j = 0; j < c; j++) {
    scale[j] = (gamma ? gamma[j] : 1.0f) / std::sqrt(movingVariance[j] + eps);
    shift[j] = (beta ? beta[j] : 0.0f) - movingMean[j] * scale[j];
  }
  b.tile(scale);
  b.tile(shift);
  withAct(act, [&](auto a) { affine<decltype(a)::value>(b, rows, x, scale, shift, y); });
}

void movingAverage(dim c, const float* value, float momentum, float* moving) {
  const float decay = 1.0f - momentum;
  for (dim j = 0; j < c; j++) moving[j] = moving[j] - (moving[j] - value[j]) * decay;
}

}  // namespace mnl::ops
