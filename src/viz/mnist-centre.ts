// MNIST's preprocessing of a glyph: crop to the ink, fit into 20×20 keeping the aspect, centre of mass at (14, 14).
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { IMAGE_SIZE } from '../data/types.js';

/** Ink below this (0-255) does not count towards the bounding box. */
const INK_THRESHOLD = 16;
const FIT = 20;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bounding box of the ink in a white-on-black canvas (red channel), or null when it is empty. */
function inkBox(canvas: Canvas): Box | null {
  const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4] < INK_THRESHOLD) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? null : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/** Centre of mass of a 28×28 byte image, in pixel units where pixel i covers [i, i+1). */
export function centreOfMass(pixels: Uint8Array): { x: number; y: number } {
  let [mass, sumX, sumY] = [0, 0, 0];
  for (let i = 0; i < pixels.length; i++) {
    mass += pixels[i];
    sumX += pixels[i] * ((i % IMAGE_SIZE) + 0.5);
    sumY += pixels[i] * (Math.floor(i / IMAGE_SIZE) + 0.5);
  }
  return mass === 0 ? { x: IMAGE_SIZE / 2, y: IMAGE_SIZE / 2 } : { x: sumX / mass, y: sumY / mass };
}

function draw(source: Canvas, box: Box, dx: number, dy: number, scale: number): Uint8Array {
  const target = createCanvas(IMAGE_SIZE, IMAGE_SIZE);
  const ctx = target.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, IMAGE_SIZE, IMAGE_SIZE);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, box.x, box.y, box.width, box.height, dx, dy, box.width * scale, box.height * scale);
  const rgba = ctx.getImageData(0, 0, IMAGE_SIZE, IMAGE_SIZE).data;
  return Uint8Array.from({ length: IMAGE_SIZE * IMAGE_SIZE }, (_, i) => rgba[i * 4]);
}

/**
 * A white-on-black glyph canvas as a 28×28 MNIST-style digit (bytes, 0 = background): the ink's bounding box
 * scaled to fit 20×20 (aspect kept, anti-aliased), then moved so its centre of mass sits at the centre.
 */
export function mnistCentre(glyph: Canvas): Uint8Array {
  const box = inkBox(glyph);
  if (!box) return new Uint8Array(IMAGE_SIZE * IMAGE_SIZE);
  const scale = FIT / Math.max(box.width, box.height);
  const dx = (IMAGE_SIZE - box.width * scale) / 2;
  const dy = (IMAGE_SIZE - box.height * scale) / 2;
  const com = centreOfMass(draw(glyph, box, dx, dy, scale));
  return draw(glyph, box, dx + IMAGE_SIZE / 2 - com.x, dy + IMAGE_SIZE / 2 - com.y, scale);
}
