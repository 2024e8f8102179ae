// The compiled network's plain CPU loops (see ops.h): OpenMP-parallel when large, and allocation-free once the
// calling thread's scratch buffers have grown to the largest layer.
#include "ops.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "parallel.h"

namespace mnl::ops {

namespace {

/** Grow-only scratch buffers of the calling thread (one set per Node thread, so trainers in workers never share). */
enum class Scratch { ThreadSums, Sums, Channels };

double* doubles(Scratch which, size_t count) {
  thread_local std::vector<double> buffers[3];
  std::vector<double>& b = buffers[static_cast<int>(which)];
  if (b.size() < count) b.resize(count);
  return b.data();
}

/** Per-channel float scratch of the calling thread; `which` (0-2) picks one of three independent buffers. */
float* floats(size_t count, int which) {
  thread_local std::vector<float> buffers[3];
  std::vector<float>& b = buffers[which];
  if (b.size() < count) b.resize(count);
  return b.data();
}

/**
 * Two per-channel sums over rows, in double, in parallel: rowFn(r, s0, s1) adds row r's terms into the thread's
 * s0[c] and s1[c]. Returns the totals: out[0..c) and out[c..2c), in calling-thread scratch.
 */
template <typename RowFn>
const double* channelSums(dim rows, dim c, RowFn rowFn) {
  double* partial = doubles(Scratch::ThreadSums, static_cast<size_t>(2 * c * omp_get_max_threads()));
  int used = 1;
#pragma omp parallel if (rows * c >= kParallelMin)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
#pragma omp single
    used = nt;
    double* s0 = partial + static_cast<size_t>(t) * 2 * c;
    double* s1 = s0 + c;
    std::fill(s0, s0 + 2 * c, 0.0);
    const dim r0 = rows * t / nt;
    const dim r1 = rows * (t + 1) / nt;
    for (dim r = r0; r < r1; r++) rowFn(r, s0, s1);
  }
  double* out = doubles(Scratch::Sums, static_cast<size_t>(2 * c));
  std::fill(out, out + 2 * c, 0.0);
  for (int t = 0; t < used; t++) {
    const double* s = partial + static_cast<size_t>(t) * 2 * c;
    for (dim j = 0; j < 2 * c; j++) out[j] += s[j];
  }
  return out;
}

/** y = x * scale + shift per channel, rows × c (batch norm's normalisation once its statistics are known). */
void applyChannelAffine(dim rows, dim c, const float* x, const float* scale, const float* shift, float* y) {
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (dim j = 0; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
    }
  }, kParallelMin / std::max<dim>(c, 1));
}

}  // namespace

// Products smaller than this (multiply-adds) run on one thread: the codelab's dense layers take well under a
// millisecond that way, while a second thread that another process holds stalls each call for a time slice.
constexpr double kGemmParallelMin = 1 << 25;

void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, const float* b, float* c, bool accumulate) {
  const dim lda = transA ? m : k;
  const dim ldb = transB ? k : n;
  const int threads = omp_get_max_threads();
  const bool serial = threads > 1 && static_cast<double>(m) * n * k < kGemmParallelMin;
  if (serial) omp_set_num_threads(1);
  const dnnl_status_t status = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
                                          accumulate ? 1.0f : 0.0f, c, n);
  if (serial) omp_set_num_threads(threads);
  if (status != dnnl_success) {
    throw NativeError("sgemm failed for [" + std::to_string(m) + "x" + std::to_string(k) + "] x [" +
                      std::to_string(k) + "x" + std::to_string(n) + "], oneDNN status " + std::to_string(status));
  }
}

void addBias(dim rows, dim c, const float* bias, float* y) {
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) {
      float* yr = y + r * c;
      for (dim j = 0; j < c; j++) yr[j] += bias[j];
    }
  }, kParallelMin / std::max<dim>(c, 1));
}

void biasGrad(dim rows, dim c, const float* dy, float* db) {
  const double* sums = channelSums(rows, c, [&](dim r, double* s0, double*) {
    const float* row = dy + r * c;
    for (dim j = 0; j < c; j++) s0[j] += row[j];
  });
  for (dim j = 0; j < c; j++) db[j] = static_cast<float>(sums[j]);
}

void activationForward(Act act, dim n, const float* x, float* y) {
  switch (act) {
    case Act::Linear:
      if (x != y) std::memcpy(y, x, sizeof(float) * static_cast<size_t>(n));
      break;
    case Act::Relu:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) y[i] = std::max(x[i], 0.0f);
      });
      break;
    case Act::Sigmoid:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
      });
      break;
    case Act::Tanh:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) y[i] = std::tanh(x[i]);
      });
      break;
  }
}

void activationBackward(Act act, dim n, const float* y, float* dy) {
  switch (act) {
    case Act::Linear:
      break;
    case Act::Relu:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      });
      break;
    case Act::Sigmoid:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) dy[i] *= y[i] * (1.0f - y[i]);
      });
      break;
    case Act::Tanh:
      parallelRange(n, [&](dim b, dim e) {
        for (dim i = b; i < e; i++) dy[i] *= 1.0f - y[i] * y[i];
      });
      break;
  }
}

void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, float* y,
                    float* mean, float* invStd, float* variance) {
  const double* sums = channelSums(rows, c, [&](dim r, double* s0, double* s1) {
    const float* row = x + r * c;
    for (dim j = 0; j < c; j++) {
      const double v = row[j];
      s0[j] += v;
      s1[j] += v * v;
    }
  });
  float* scale = floats(static_cast<size_t>(c), 0);
  float* shift = floats(static_cast<size_t>(c), 1);
  for (dim j = 0; j < c; j++) {
    const double m = sums[j] / static_cast<double>(rows);
    const double var = std::max(0.0, sums[c + j] / static_cast<double>(rows) - m * m);
    mean[j] = static_cast<float>(m);
    variance[j] = static_cast<float>(var);
    invStd[j] = static_cast<float>(1.0 / std::sqrt(var + eps));
    scale[j] = invStd[j] * (gamma ? gamma[j] : 1.0f);
    shift[j] = (beta ? beta[j] : 0.0f) - mean[j] * scale[j];
  }
  applyChannelAffine(rows, c, x, scale, shift, y);
}

void batchNormInfer(dim rows, dim c, const float* x, const float* gamma, const float* beta, const float* movingMean,
                    const float* movingVariance, float eps, float* y) {
  float* scale = floats(static_cast<size_t>(c), 0);
  float* shift = floats(static_cast<size_t>(c), 1);
  for (dim j = 0; j < c; j++) {
    scale[j] = (gamma ? gamma[j] : 1.0f) / std::sqrt(movingVariance[j] + eps);
    shift[j] = (beta ? beta[j] : 0.0f) - movingMean[j] * scale[j];
  }
  applyChannelAffine(rows, c, x, scale, shift, y);
}

void batchNormBackward(dim rows, dim c, const float* x, const float* dy, const float* gamma, const float* mean,
                       const float* invStd, float* dx, float* dgamma, float* dbeta) {
  const double* sums = channelSums(rows, c, [&](dim r, double* s0, double* s1) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    for (dim j = 0; j < c; j++) {
      s0[j] += dyr[j];
      s1[j] += static_cast<double>(dyr[j]) * ((xr[j] - mean[j]) * invStd[j]);
    }
  });
  const double* sumDy = sums;
  const double* sumDyXhat = sums + c;
  for (dim j = 0; j < c; j++) {
    if (dbeta) dbeta[j] = static_cast<float>(sumDy[j]);
    if (dgamma) dgamma[j] = static_cast<float>(sumDyXhat[j]);
  }
  if (!dx) return;
  float* k = floats(static_cast<size_t>(c), 0);
  float* meanDy = floats(static_cast<size_t>(c), 1);
  float* meanDyXhat = floats(static_cast<size_t>(c), 2);
  for (dim j = 0; j < c; j++) {
    k[j] = (gamma ? gamma[j] : 1.0f) * invStd[j];
    meanDy[j] = static_cast<float>(sumDy[j] / static_cast<double>(rows));
    meanDyXhat[j] = static_cast<float>(sumDyXhat[j] / static_cast<double>(rows));
  }
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
      float* dxr = dx + r * c;
      for (dim j = 0; j < c; j++) {
        const float xhat = (xr[j] - mean[j]) * invStd[j];
        dxr[j] = k[j] * (dyr[j] - meanDy[j] - xhat * meanDyXhat[j]);
      }
    }
  }, kParallelMin / std::max<dim>(c, 1));
}

void movingAverage(dim c, const float* value, float momentum, float* moving) {
  const float decay = 1.0f - momentum;
  for (dim j = 0; j < c; j++) moving[j] = moving[j] - (moving[j] - value[j]) * decay;
}

float counterUniform(uint32_t seed, uint32_t salt, uint64_t index) {
  // SplitMix64 finaliser over (seed, salt, index): a counter-based generator, so masks are reproducible per element.
  uint64_t z = ((static_cast<uint64_t>(seed) << 32) | salt) * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

void dropoutForward(dim n, float rate, uint32_t seed, uint32_t salt, const float* x, float* y, uint8_t* mask) {
  const float keepScale = 1.0f / (1.0f - rate);
  parallelRange(n, [&](dim b, dim e) {
    for (dim i = b; i < e; i++) {
      const bool keep = counterUniform(seed, salt, static_cast<uint64_t>(i)) >= rate;
      mask[i] = keep ? 1 : 0;
      y[i] = keep ? x[i] * keepScale : 0.0f;
    }
  });
}

void dropoutBackward(dim n, float rate, const uint8_t* mask, const float* dy, float* dx) {
  const float keepScale = 1.0f / (1.0f - rate);
  parallelRange(n, [&](dim b, dim e) {
    for (dim i = b; i < e; i++) dx[i] = dy[i] * (mask[i] ? keepScale : 0.0f);
  });
}

void globalAvgPoolForward(dim n, dim positions, dim c, const float* x, float* y) {
  const float inv = 1.0f / static_cast<float>(positions);
  parallelRange(n, [&](dim b0, dim b1) {
    for (dim b = b0; b < b1; b++) {
      float* yb = y + b * c;
      std::fill(yb, yb + c, 0.0f);
      const float* xb = x + b * positions * c;
      for (dim p = 0; p < positions; p++) {
        const float* xp = xb + p * c;
        for (dim j = 0; j < c; j++) yb[j] += xp[j];
      }
      for (dim j = 0; j < c; j++) yb[j] *= inv;
    }
  }, kParallelMin / std::max<dim>(positions * c, 1));
}

void globalAvgPoolBackward(dim n, dim positions, dim c, const float* dy, float* dx) {
  const float inv = 1.0f / static_cast<float>(positions);
  parallelRange(n, [&](dim b0, dim b1) {
    for (dim b = b0; b < b1; b++) {
      const float* dyb = dy + b * c;
      float* dxb = dx + b * positions * c;
      for (dim p = 0; p < positions; p++) {
        float* dxp = dxb + p * c;
        for (dim j = 0; j < c; j++) dxp[j] = dyb[j] * inv;
      }
    }
  }, kParallelMin / std::max<dim>(positions * c, 1));
}

}  // namespace mnl::ops
