// Checks and prints window geometries (see geometry.h).
#include "geometry.h"

namespace mnl {

void Geometry::validate(const std::string& what) const {
  auto outSize = [](dim in, dim k, dim s, dim p0, dim p1) { return (in + p0 + p1 - k) / s + 1; };
  const bool ok = batchSize > 0 && inHeight > 0 && inWidth > 0 && inChannels > 0 && filterHeight > 0 &&
                  filterWidth > 0 && outChannels > 0 && strideHeight > 0 && strideWidth > 0 && padTop >= 0 &&
                  padLeft >= 0 && padBottom >= 0 && padRight >= 0 && outHeight > 0 && outWidth > 0 &&
                  inHeight + padTop + padBottom >= filterHeight && inWidth + padLeft + padRight >= filterWidth &&
                  outSize(inHeight, filterHeight, strideHeight, padTop, padBottom) == outHeight &&
                  outSize(inWidth, filterWidth, strideWidth, padLeft, padRight) == outWidth;
  if (!ok) throw NativeError(what + ": inconsistent geometry " + text());
}

std::string Geometry::text() const {
  return "x" + shapeText({batchSize, inHeight, inWidth, inChannels}) + " window" +
         shapeText({filterHeight, filterWidth, inChannels, outChannels}) + " strides" +
         shapeText({strideHeight, strideWidth}) + " pads(t,b,l,r)" +
         shapeText({padTop, padBottom, padLeft, padRight}) + " → y" +
         shapeText({batchSize, outHeight, outWidth, outChannels});
}

Geometry Geometry::withBatch(dim n) const {
  Geometry g = *this;
  g.batchSize = n;
  return g;
}

}  // namespace mnl
