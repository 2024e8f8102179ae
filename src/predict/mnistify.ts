// MNIST-style preprocessing of a greyscale drawing: crop to the ink, fit into 20×20, centre by mass in 28×28.
import { IMAGE_SIZE, PIXELS } from '../data/types.js';

/** The digit box inside the 28×28 field, as in the MNIST paper. */
const DIGIT_BOX = 20;

/**
 * Turns a white-on-black greyscale image (values in [0,1], row-major, any size) into the 28×28 image an
 * MNIST model expects: crops to the bounding box of pixels above `inkThreshold`, scales it with area
 * averaging (anti-aliased) so its longer side is 20 pixels, keeping the aspect ratio, then places it so its
 * centre of mass sits at the centre of the 28×28 field. An image without ink gives all zeros.
 */
export function mnistify(grey: Float32Array, width: number, height: number, inkThreshold = 0.1): Float32Array {
  const out = new Float32Array(PIXELS);
  const box = inkBox(grey, width, height, inkThreshold);
  if (box === null) return out;
  const scale = DIGIT_BOX / Math.max(box.width, box.height);
  const targetWidth = Math.max(1, Math.round(box.width * scale));
  const targetHeight = Math.max(1, Math.round(box.height * scale));
  const small = resampleArea(grey, width, box, targetWidth, targetHeight);
  const [massX, massY] = centreOfMass(small, targetWidth, targetHeight);
  const left = clamp(Math.round(IMAGE_SIZE / 2 - massX), 0, IMAGE_SIZE - targetWidth);
  const top = clamp(Math.round(IMAGE_SIZE / 2 - massY), 0, IMAGE_SIZE - targetHeight);
  for (let y = 0; y < targetHeight; y++) {
    for (let x = 0; x < targetWidth; x++) {
      out[(top + y) * IMAGE_SIZE + left + x] = Math.min(1, small[y * targetWidth + x]);
    }
  }
  return out;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function inkBox(grey: Float32Array, width: number, height: number, threshold: number): Box | null {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x] > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** For each target cell, the source cells it covers and the fraction of the target cell each one fills. */
function areaWeights(sourceLength: number, targetLength: number): { index: number; weight: number }[][] {
  const step = sourceLength / targetLength;
  const weights: { index: number; weight: number }[][] = [];
  for (let t = 0; t < targetLength; t++) {
    const start = t * step;
    const end = start + step;
    const cells: { index: number; weight: number }[] = [];
    for (let s = Math.floor(start); s < Math.min(sourceLength, Math.ceil(end)); s++) {
      const overlap = Math.min(end, s + 1) - Math.max(start, s);
      if (overlap > 0) cells.push({ index: s, weight: overlap / step });
    }
    weights.push(cells);
  }
  return weights;
}

/** Area-averaging resize of the box region to targetWidth × targetHeight (separable box filter). */
function resampleArea(
  grey: Float32Array,
  width: number,
  box: Box,
  targetWidth: number,
  targetHeight: number,
): Float32Array {
  const columns = areaWeights(box.width, targetWidth);
  const rows = areaWeights(box.height, targetHeight);
  const horizontal = new Float32Array(box.height * targetWidth);
  for (let y = 0; y < box.height; y++) {
    const rowStart = (box.top + y) * width + box.left;
    for (let x = 0; x < targetWidth; x++) {
      let sum = 0;
      for (const { index, weight } of columns[x]) sum += weight * grey[rowStart + index];
      horizontal[y * targetWidth + x] = sum;
    }
  }
  const out = new Float32Array(targetWidth * targetHeight);
  for (let y = 0; y < targetHeight; y++) {
    for (let x = 0; x < targetWidth; x++) {
      let sum = 0;
      for (const { index, weight } of rows[y]) sum += weight * horizontal[index * targetWidth + x];
      out[y * targetWidth + x] = sum;
    }
  }
  return out;
}

/** Centre of mass in pixel coordinates, where pixel (x, y) covers [x, x+1) × [y, y+1). */
function centreOfMass(image: Float32Array, width: number, height: number): [number, number] {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = image[y * width + x];
      mass += v;
      sumX += v * (x + 0.5);
      sumY += v * (y + 0.5);
    }
  }
  return mass > 0 ? [sumX / mass, sumY / mass] : [width / 2, height / 2];
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}
