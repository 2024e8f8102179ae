// The compiled network's plain CPU loops (see ops.h): OpenMP-parallel when large, and allocation-free once the
// calling thread's scratch buffers have grown to the largest layer.
#include "ops.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "parallel.h"

namespace mnl::ops {

// Products smaller than this (multiply-adds) run on one thread: the codelab's dense layers take well under a
// millisecond that way, while a second thread that another process holds stalls each call for a time slice.
constexpr double kGemmParallelMin = 1 << 25;

void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, const float* b, float* c, bool accumulate) {
  gemm(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c, n, accumulate);
}

void gemm(bool transA, bool transB, dim m, dim n, dim k, const float* a, dim lda, const float* b, dim ldb, float* c,
          dim ldc, bool accumulate) {
  std::optional<SerialScope> serial;  // a team's thread computes its own share alone
  if (static_cast<double>(m) * n * k < kGemmParallelMin || inTeamThread()) serial.emplace();
  const dnnl_status_t status = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
                                          accumulate ? 1.0f : 0.0f, c, ldc);
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
  thread_local std::vector<double> sums;
  sums.assign(static_cast<size_t>(c), 0.0);
  double* __restrict s = sums.data();
  for (dim r = 0; r < rows; r++) {
    const float* __restrict g = dy + r * c;
    for (dim j = 0; j < c; j++) s[j] += g[j];
  }
  for (dim j = 0; j < c; j++) db[j] = static_cast<float>(s[j]);
}

void activationForward(Act act, dim n, const float* x, float* y) {
  if (act == Act::Linear) {
    if (x != y) std::memcpy(y, x, sizeof(float) * static_cast<size_t>(n));
    return;
  }
  withAct(act, [&](auto a) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) y[i] = activate<decltype(a)::value>(x[i]);
    });
  });
}

void activationBackward(Act act, dim n, const float* y, float* dy) {
  if (act == Act::Linear) return;
  withAct(act, [&](auto a) {
    parallelRange(n, [&](dim b, dim e) {
      for (dim i = b; i < e; i++) dy[i] = activationGrad<decltype(a)::value>(y[i], dy[i]);
    });
  });
}

float counterUniform(uint32_t seed, uint32_t salt, uint64_t index) {
  // SplitMix64 finaliser over (seed, salt, index): a counter-based generator, so masks are reproducible per element.
  uint64_t z = ((static_cast<uint64_t>(seed) << 32) | salt) * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

void dropoutForward(dim first, dim n, float rate, uint32_t seed, uint32_t salt, const float* x, float* y,
                    uint8_t* mask) {
  const float keepScale = 1.0f / (1.0f - rate);
  for (dim i = 0; i < n; i++) {
    const bool keep = counterUniform(seed, salt, static_cast<uint64_t>(first + i)) >= rate;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * keepScale : 0.0f;
  }
}

void dropoutBackward(dim n, float rate, const uint8_t* mask, const float* dy, float* dx) {
  const float keepScale = 1.0f / (1.0f - rate);
  for (dim i = 0; i < n; i++) dx[i] = dy[i] * (mask[i] ? keepScale : 0.0f);
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
