// Plain CPU loops of the compiled trainer (see ops.h); OpenMP-parallel and allocation-free after warm-up.
#include "ops.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace mnl::ops {

// Loops over fewer elements than this run on one thread: a parallel region's fork and barrier cost more than the
// work, and much more when another process holds a core.
constexpr dim kParallelMin = 1 << 15;

/**
 * Runs fn(begin, end) over [0, n): split across the OpenMP threads when n is large enough, else in one call. The
 * loops inside fn are plain, so the compiler vectorises them.
 */
template <typename Fn>
void parallelRange(dim n, Fn fn) {
  if (n < kParallelMin || omp_get_max_threads() == 1) {
    fn(dim(0), n);
    return;
  }
#pragma omp parallel
  {
    const dim t = omp_get_thread_num();
    const dim nt = omp_get_num_threads();
    fn(n * t / nt, n * (t + 1) / nt);
  }
}

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
  });
}

namespace {

/** Per-OpenMP-thread double accumulators, grown once and reused (no allocation per step); one set per calling
 * thread, so trainers in different Node worker threads do not share them. */
double* threadScratch(size_t perThread) {
  thread_local std::vector<double> scratch;
  const size_t need = perThread * static_cast<size_t>(omp_get_max_threads());
  if (scratch.size() < need) scratch.resize(need);
  return scratch.data();
}

/** Sums over rows per channel of f(row pointer, channel) pairs into out0/out1 (doubles), in parallel. */
template <typename RowFn>
void channelSums(dim rows, dim c, double* out0, double* out1, RowFn rowFn) {
  double* scratch = threadScratch(static_cast<size_t>(2 * c));
  int used = 1;
#pragma omp parallel if (rows * c >= kParallelMin)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
#pragma omp single
    used = nt;
    double* s0 = scratch + static_cast<size_t>(t) * 2 * c;
    double* s1 = s0 + c;
    std::fill(s0, s0 + 2 * c, 0.0);
    const dim r0 = rows * t / nt;
    const dim r1 = rows * (t + 1) / nt;
    for (dim r = r0; r < r1; r++) rowFn(r, s0, s1);
  }
  std::fill(out0, out0 + c, 0.0);
  std::fill(out1, out1 + c, 0.0);
  for (int t = 0; t < used; t++) {
    const double* s0 = scratch + static_cast<size_t>(t) * 2 * c;
    for (dim j = 0; j < c; j++) {
      out0[j] += s0[j];
      out1[j] += s0[c + j];
    }
  }
}

}  // namespace

void biasGrad(dim rows, dim c, const float* dy, float* db) {
  std::vector<double> sums(static_cast<size_t>(c)), unused(static_cast<size_t>(c));
  channelSums(rows, c, sums.data(), unused.data(), [&](dim r, double* s0, double*) {
    const float* row = dy + r * c;
    for (dim j = 0; j < c; j++) s0[j] += row[j];
  });
  for (dim j = 0; j < c; j++) db[j] = static_cast<float>(sums[j]);
}

void activationForward(Act act, dim n, const float* x, float* y) {
  if (act == Act::Linear || act == Act::Softmax) {
    if (x != y) std::memcpy(y, x, sizeof(float) * static_cast<size_t>(n));
  } else if (act == Act::Relu) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) y[i] = std::max(x[i], 0.0f);
    });
  } else if (act == Act::Sigmoid) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
    });
  }
}

void activationBackward(Act act, dim n, const float* y, float* dy) {
  if (act == Act::Relu) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    });
  } else if (act == Act::Sigmoid) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) dy[i] *= y[i] * (1.0f - y[i]);
    });
  }
}


// y = x * scale + shift per channel, rows × c (batch norm's normalisation once its statistics are known).
static void applyChannelAffine(dim rows, dim c, const float* x, const std::vector<float>& scale,
                               const std::vector<float>& shift, float* y) {
  const float* sc = scale.data();
  const float* sh = shift.data();
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (dim j = 0; j < c; j++) yr[j] = xr[j] * sc[j] + sh[j];
    }
  });
}

void batchNormTrain(dim rows, dim c, const float* x, const float* gamma, const float* beta, float eps, float* y,
                    float* mean, float* invStd, float* variance) {
  std::vector<double> sum(static_cast<size_t>(c)), sumSq(static_cast<size_t>(c));
  channelSums(rows, c, sum.data(), sumSq.data(), [&](dim r, double* s0, double* s1) {
    const float* row = x + r * c;
    for (dim j = 0; j < c; j++) {
      const double v = row[j];
      s0[j] += v;
      s1[j] += v * v;
    }
  });
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  for (dim j = 0; j < c; j++) {
    const double m = sum[j] / static_cast<double>(rows);
    const double var = std::max(0.0, sumSq[j] / static_cast<double>(rows) - m * m);
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
  std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
  for (dim j = 0; j < c; j++) {
    scale[j] = (gamma ? gamma[j] : 1.0f) / std::sqrt(movingVariance[j] + eps);
    shift[j] = (beta ? beta[j] : 0.0f) - movingMean[j] * scale[j];
  }
  applyChannelAffine(rows, c, x, scale, shift, y);
}

void batchNormBackward(dim rows, dim c, const float* x, const float* dy, const float* gamma, const float* mean,
                       const float* invStd, float* dx, float* dgamma, float* dbeta) {
  std::vector<double> sumDy(static_cast<size_t>(c)), sumDyXhat(static_cast<size_t>(c));
  channelSums(rows, c, sumDy.data(), sumDyXhat.data(), [&](dim r, double* s0, double* s1) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    for (dim j = 0; j < c; j++) {
      s0[j] += dyr[j];
      s1[j] += static_cast<double>(dyr[j]) * ((xr[j] - mean[j]) * invStd[j]);
    }
  });
  for (dim j = 0; j < c; j++) {
    if (dbeta) dbeta[j] = static_cast<float>(sumDy[j]);
    if (dgamma) dgamma[j] = static_cast<float>(sumDyXhat[j]);
  }
  if (!dx) return;
  std::vector<float> k(static_cast<size_t>(c)), meanDy(static_cast<size_t>(c)), meanDyXhat(static_cast<size_t>(c));
  for (dim j = 0; j < c; j++) {
    k[j] = (gamma ? gamma[j] : 1.0f) * invStd[j];
    meanDy[j] = static_cast<float>(sumDy[j] / static_cast<double>(rows));
    meanDyXhat[j] = static_cast<float>(sumDyXhat[j] / static_cast<double>(rows));
  }
  const float *kp = k.data(), *md = meanDy.data(), *mdx = meanDyXhat.data();
  parallelRange(rows, [&](dim r0, dim r1) {
    for (dim r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
      float* dxr = dx + r * c;
      for (dim j = 0; j < c; j++) {
        const float xhat = (xr[j] - mean[j]) * invStd[j];
        dxr[j] = kp[j] * (dyr[j] - md[j] - xhat * mdx[j]);
      }
    }
  });
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

LossSums softmaxCrossEntropy(dim rows, dim k, float* p, const uint8_t* labels, float* dlogits, float gradScale) {
  constexpr float kEps = 1e-7f;  // tfjs-layers clips probabilities to [eps, 1 - eps] before the log
  LossSums sums;
  double loss = 0;
  dim correct = 0;
#pragma omp parallel for reduction(+ : loss, correct) if (rows * k >= kParallelMin)
  for (dim r = 0; r < rows; r++) {
    float* row = p + r * k;
    float maxV = row[0];
    dim arg = 0;
    for (dim j = 1; j < k; j++) {
      if (row[j] > maxV) {
        maxV = row[j];
        arg = j;
      }
    }
    float total = 0;
    for (dim j = 0; j < k; j++) {
      row[j] = std::exp(row[j] - maxV);
      total += row[j];
    }
    const float inv = 1.0f / total;
    for (dim j = 0; j < k; j++) row[j] *= inv;
    const dim label = labels[r];
    loss += -std::log(std::min(std::max(row[label], kEps), 1.0f - kEps));
    correct += arg == label ? 1 : 0;
    if (dlogits) {
      float* d = dlogits + r * k;
      for (dim j = 0; j < k; j++) d[j] = (row[j] - (j == label ? 1.0f : 0.0f)) * gradScale;
    }
  }
  sums.loss = loss;
  sums.correct = correct;
  return sums;
}

void adamUpdate(dim n, float* w, const float* g, float* m, float* v, float lr, float beta1, float beta2, float eps,
                float oneMinusAccBeta1, float oneMinusAccBeta2) {
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  parallelRange(n, [&](dim b, dim e) {
    for (dim i = b; i < e; i++) {
      const float mi = m[i] * beta1 + g[i] * c1;
      const float vi = v[i] * beta2 + (g[i] * g[i]) * c2;
      m[i] = mi;
      v[i] = vi;
      const float mHat = mi / oneMinusAccBeta1;
      const float vHat = vi / oneMinusAccBeta2;
      w[i] = (mHat / (std::sqrt(vHat) + eps)) * -lr + w[i];
    }
  });
}

void sgdUpdate(dim n, float* w, const float* g, float lr) {
  parallelRange(n, [&](dim b, dim e) {
    for (dim i = b; i < e; i++) w[i] = w[i] - lr * g[i];
  });
}

}  // namespace mnl::ops
