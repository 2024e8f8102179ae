// Batch norm with its activation fused (see batch_norm.h). Each pass splits the rows across the OpenMP team once:
// every thread sums its own rows, one thread folds the sums into per-channel factors, and every thread then
// rewrites the same rows, still in its cache.
#include "batch_norm.h"

#include <omp.h>

#include <vector>

#include "channel_blocks.h"

namespace mnl::ops {

namespace {

/** Per-channel factors tiled over a block, in grow-only scratch of the calling thread (per Node thread). */
float* factors(int which, dim span) {
  thread_local std::vector<float> buffers[5];
  std::vector<float>& v = buffers[which];
  if (v.size() < static_cast<size_t>(span)) v.resize(static_cast<size_t>(span));
  return v.data();
}

/** y = act(x · scale + shift), scale and shift tiled over a block. */
template <Act A>
void affine(const ChannelBlocks& b, int t, int nt, const float* x, const float* scale, const float* shift, float* y) {
  b.forShare(t, nt, [&](dim offset, dim length) {
    const float* __restrict xo = x + offset;
    float* __restrict yo = y + offset;
    const float* __restrict sc = scale;
    const float* __restrict sh = shift;
    for (dim j = 0; j < length; j++) yo[j] = activate<A>(xo[j] * sc[j] + sh[j]);
  });
}

}  // namespace

void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, Act act,
                    float* y, float* mean, float* invStd, float* variance) {
  const ChannelBlocks b(rows, c);
  const int threads = teamFor(rows * c);
  ChannelSums sums(b, threads);
  float* scale = factors(0, b.span);
  float* shift = factors(1, b.span);
  withAct(act, [&](auto a) {
    inTeam(threads, [&](int t, int nt) {
      sums.addShare(t, nt, [&](dim offset, dim length, double* __restrict s0, double* __restrict s1) {
        const float* __restrict xo = x + offset;
        for (dim j = 0; j < length; j++) {
          const double v = xo[j];
          s0[j] += v;
          s1[j] += v * v;
        }
      });
#pragma omp barrier
#pragma omp single
      {
        const double* total = sums.fold();
        for (dim j = 0; j < c; j++) {
          const double m = total[j] / static_cast<double>(rows);
          const double var = std::max(0.0, total[c + j] / static_cast<double>(rows) - m * m);
          mean[j] = static_cast<float>(m);
          variance[j] = static_cast<float>(var);
          invStd[j] = static_cast<float>(1.0 / std::sqrt(var + eps));
          scale[j] = invStd[j] * (gamma ? gamma[j] : 1.0f);
          shift[j] = (beta ? beta[j] : 0.0f) - mean[j] * scale[j];
        }
        b.tile(scale);
        b.tile(shift);
      }
      affine<decltype(a)::value>(b, t, nt, x, scale, shift, y);
    });
  });
}

void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, Act act, float* y) {
  const ChannelBlocks b(rows, c);
  float* scale = factors(0, b.span);
  float* shift = factors(1, b.span);
  for (dim j = 0; j < c; j++) {
    scale[j] = (gamma ? gamma[j] : 1.0f) / std::sqrt(movingVariance[j] + eps);
    shift[j] = (beta ? beta[j] : 0.0f) - movingMean[j] * scale[j];
  }
  b.tile(scale);
  b.tile(shift);
  withAct(act, [&](auto a) {
    inTeam(teamFor(rows * c), [&](int t, int nt) { affine<decltype(a)::value>(b, t, nt, x, scale, shift, y); });
  });
}

void batchNormBackward(dim rows, dim c, const float* x, const float* y, const float* dy, const float* gamma,
                       const float* mean, const float* invStd, Act act, float* dx, float* dgamma, float* dbeta) {
  const ChannelBlocks b(rows, c);
  const int threads = teamFor(rows * c);
  ChannelSums sums(b, threads);
  float* meanT = factors(0, b.span);
  float* invStdT = factors(1, b.span);
  float* k = factors(2, b.span);
  float* meanDy = factors(3, b.span);
  float* meanDyXhat = factors(4, b.span);
  std::copy(mean, mean + c, meanT);
  std::copy(invStd, invStd + c, invStdT);
  b.tile(meanT);
  b.tile(invStdT);
  withAct(act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    inTeam(threads, [&](int t, int nt) {
      // Σ dy' and Σ dy'·xhat per channel, dy' = dy · act'(y) being the gradient at the normalised value.
      sums.addShare(t, nt, [&](dim offset, dim length, double* __restrict s0, double* __restrict s1) {
        const float* __restrict xo = x + offset;
        const float* __restrict yo = y + offset;
        const float* __restrict dyo = dy + offset;
        for (dim j = 0; j < length; j++) {
          const float g = activationGrad<A>(yo[j], dyo[j]);
          s0[j] += g;
          s1[j] += static_cast<double>(g) * ((xo[j] - meanT[j]) * invStdT[j]);
        }
      });
#pragma omp barrier
#pragma omp single
      {
        const double* sumDy = sums.fold();
        const double* sumDyXhat = sumDy + c;
        for (dim j = 0; j < c; j++) {
          if (dbeta) dbeta[j] = static_cast<float>(sumDy[j]);
          if (dgamma) dgamma[j] = static_cast<float>(sumDyXhat[j]);
          k[j] = (gamma ? gamma[j] : 1.0f) * invStd[j];
          meanDy[j] = static_cast<float>(sumDy[j] / static_cast<double>(rows));
          meanDyXhat[j] = static_cast<float>(sumDyXhat[j] / static_cast<double>(rows));
        }
        b.tile(k);
        b.tile(meanDy);
        b.tile(meanDyXhat);
      }
      if (!dx) return;
      b.forShare(t, nt, [&](dim offset, dim length) {
        const float* __restrict xo = x + offset;
        const float* __restrict yo = y + offset;
        const float* __restrict dyo = dy + offset;
        float* __restrict dxo = dx + offset;
        for (dim j = 0; j < length; j++) {
          const float xhat = (xo[j] - meanT[j]) * invStdT[j];
          dxo[j] = k[j] * (activationGrad<A>(yo[j], dyo[j]) - meanDy[j] - xhat * meanDyXhat[j]);
        }
      });
    });
  });
}

void movingAverage(dim c, const float* value, float momentum, float* moving) {
  const float decay = 1.0f - momentum;
  for (dim j = 0; j < c; j++) moving[j] = moving[j] - (moving[j] - value[j]) * decay;
}

}  // namespace mnl::ops
