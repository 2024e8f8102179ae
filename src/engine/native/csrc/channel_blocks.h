// Per-channel passes over row-major [rows, channels] activations: the rows in blocks that vectorise whatever the
// channel count, shared out across an OpenMP team, and per-channel sums in double (batch norm, bias gradients).
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

#include "parallel.h"

namespace mnl {

/**
 * The rows in blocks of whole rows spanning a multiple of 16 floats (12 channels: 4 rows, 48 floats), so that a
 * per-channel loop runs flat over a block, with each per-channel factor tiled across the span.
 */
struct ChannelBlocks {
  ChannelBlocks(dim rows, dim channels)
      : c(channels),
        span(channels * (16 / std::gcd(channels, dim(16)))),
        count(rows * channels / span),
        tail(rows * channels - count * span) {}

  /** Calls fn(offset, length) on thread t's share of the floats, in whole blocks; the last thread takes the tail. */
  template <typename Fn>
  void forShare(int t, int nt, Fn fn) const {
    for (dim b = count * t / nt, end = count * (t + 1) / nt; b < end; b++) fn(b * span, span);
    if (t == nt - 1 && tail > 0) fn(count * span, tail);
  }

  /** factors[c..span) = factors[0..c) repeated. */
  void tile(float* factors) const {
    for (dim j = c; j < span; j++) factors[j] = factors[j - c];
  }

  dim c, span, count, tail;
};

/**
 * Two per-channel sums in double over a ChannelBlocks pass of up to `threads` threads: each thread adds its share
 * into its own span-long partial sums, fold() adds them up per channel.
 */
class ChannelSums {
 public:
  /** Scratch of the calling thread, zeroed for `threads` threads. */
  ChannelSums(const ChannelBlocks& blocks, int threads) : b_(blocks), threads_(threads) {
    thread_local std::vector<double> scratch;
    const size_t need = static_cast<size_t>(2 * b_.span * threads + 2 * b_.c);
    if (scratch.size() < need) scratch.resize(need);
    partial_ = scratch.data();
    std::fill(partial_, partial_ + 2 * b_.span * threads, 0.0);
  }

  /** Thread t's share: add(offset, length, s0, s1) adds the terms of positions [0, length) of the block at offset. */
  template <typename Add>
  void addShare(int t, int nt, Add add) {
    double* s0 = partial_ + 2 * b_.span * t;
    double* s1 = s0 + b_.span;
    b_.forShare(t, nt, [&](dim offset, dim length) { add(offset, length, s0, s1); });
  }

  /** The per-channel totals: [0, c) of the first term, [c, 2c) of the second. */
  const double* fold() {
    double* out = partial_ + 2 * b_.span * threads_;
    std::fill(out, out + 2 * b_.c, 0.0);
    for (int t = 0; t < threads_; t++) {
      const double* s = partial_ + 2 * b_.span * t;
      for (dim j = 0; j < b_.span; j++) {
        out[j % b_.c] += s[j];
        out[b_.c + j % b_.c] += s[b_.span + j];
      }
    }
    return out;
  }

 private:
  const ChannelBlocks& b_;
  int threads_;
  double* partial_;
};

}  // namespace mnl
