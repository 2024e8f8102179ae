// The geometry of one 2-D window operation (a convolution or a pooling) on NHWC activations, with the field names
// of src/engine/conv-geometry.ts, which computes it (TF's same/valid padding) and passes it across as an object.
#pragma once

#include <string>

#include "common.h"

namespace mnl {

struct Geometry {
  dim batchSize = 0;  // 0 in a layer spec: each batch sets its own
  dim inHeight = 0, inWidth = 0, inChannels = 0;
  dim filterHeight = 0, filterWidth = 0, outChannels = 0;  // pooling: the window, outChannels = inChannels
  dim strideHeight = 1, strideWidth = 1;
  dim padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  dim outHeight = 0, outWidth = 0;

  /** Throws NativeError (prefixed by `what`) unless all sizes are positive and the output size is the one the
   * input, window, strides and pads give (out = (in + pads - window) / stride + 1, rounded down). */
  void validate(const std::string& what) const;
  std::string text() const;
  Geometry withBatch(dim n) const;

  dim inFeatures() const { return inHeight * inWidth * inChannels; }
  dim outFeatures() const { return outHeight * outWidth * outChannels; }
  size_t inputCount() const { return static_cast<size_t>(batchSize * inFeatures()); }
  size_t outputCount() const { return static_cast<size_t>(batchSize * outFeatures()); }
  /** Floats of an HWIO convolution kernel. */
  size_t kernelCount() const { return static_cast<size_t>(filterHeight * filterWidth * inChannels * outChannels); }
};

}  // namespace mnl
