// Per-channel passes over row-major [rows, channels] activations: rows in blocks that vectorise whatever the channel
// count, and per-channel sums in double that each chunk of a batch adds its rows to.
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

#include "common.h"

namespace mnl {

/**
 * Rows of c channels in blocks of whole rows spanning a multiple of 16 floats (12 channels: 4 rows, 48 floats), so
 * that a per-channel loop runs flat over a block, with each per-channel factor tiled across the span.
 */
struct ChannelBlocks {
  explicit ChannelBlocks(dim channels) : c(channels), rowsPerBlock(16 / std::gcd(channels, dim(16))), span(c * rowsPerBlock) {}

  /** Calls fn(offset, length) over `rows` rows: whole blocks, then the rows left over (offsets in floats). */
  template <typename Fn>
  void forRows(dim rows, Fn fn) const {
    const dim blocks = rows / rowsPerBlock;
    for (dim b = 0; b < blocks; b++) fn(b * span, span);
    if (rows > blocks * rowsPerBlock) fn(blocks * span, (rows - blocks * rowsPerBlock) * c);
  }

  /** factors[c..span) = factors[0..c) repeated. */
  void tile(float* factors) const {
    for (dim j = c; j < span; j++) factors[j] = factors[j - c];
  }

  dim c, rowsPerBlock, span;
};

/**
 * Two per-channel sums in double over a batch cut into chunks: each chunk adds its rows into its own span-long slot,
 * on whatever thread, and fold() adds the slots up per channel, in slot order. Its storage lasts, so that a pass
 * allocates nothing.
 */
class ChannelSums {
 public:
  explicit ChannelSums(dim channels) : blocks_(channels) {}

  const ChannelBlocks& blocks() const { return blocks_; }

  /** Room for `slots` slots (before the chunks start). */
  void reserve(int slots) {
    const size_t need = static_cast<size_t>(2 * blocks_.span * slots + 2 * blocks_.c);
    if (partial_.size() < need) partial_.resize(need);
  }

  /** Slot `slot`, `rows` rows: add(offset, length, s0, s1) adds the terms of floats [offset, offset + length). */
  template <typename Add>
  void add(int slot, dim rows, Add add) {
    double* s0 = partial_.data() + 2 * blocks_.span * slot;
    double* s1 = s0 + blocks_.span;
    std::fill(s0, s0 + 2 * blocks_.span, 0.0);
    blocks_.forRows(rows, [&](dim offset, dim length) { add(offset, length, s0, s1); });
  }

  /** The per-channel totals of the first `slots` slots: [0, c) of the first term, [c, 2c) of the second. */
  const double* fold(int slots) {
    const dim c = blocks_.c, span = blocks_.span;
    double* out = partial_.data() + 2 * span * slots;
    std::fill(out, out + 2 * c, 0.0);
    for (int t = 0; t < slots; t++) {
      const double* s = partial_.data() + 2 * span * t;
      for (dim j = 0; j < span; j++) {
        out[j % c] += s[j];
        out[c + j % c] += s[span + j];
      }
    }
    return out;
  }

 private:
  ChannelBlocks blocks_;
  std::vector<double> partial_;
};

}  // namespace mnl
