// The codelab's "digits from local fonts" test row: 0-9 in one typeface, then 0-9, 0-3 in another, MNIST-centred.
import { PIXELS } from '../data/types.js';
import { mnistify } from '../predict/mnistify.js';
import type { NewContext } from './canvas-2d.js';
import { fontFaces } from './font-faces.js';

export interface FontDigits {
  count: number;
  /** count × 784 bytes, 0 = background, for display. */
  images: Uint8Array;
  /** The model input: bytes / 255, as create_digits_from_local_fonts scales them (MNIST itself uses /256). */
  pixels: Float32Array;
  /** i % 10. */
  labels: Uint8Array;
  /** Family each digit was drawn in. */
  families: string[];
}

const GLYPH_CANVAS = 112;
const GLYPH_FONT_SIZE = 80;

/**
 * Digit i is str(i % 10), white on black; i < 10 uses the first face (the codelab's DejaVuSansMono-Oblique), the
 * rest the second, each made MNIST-style as the drawing pad's digits are (mnistify). The faces must be loaded in
 * the canvas's world (Node's GlobalFonts, a browser's FontFaceSet) under fontFaces' family names.
 */
export function drawFontDigits(newContext: NewContext, count = 24): FontDigits {
  const families = Array.from({ length: count }, (_, i) => (i < 10 ? fontFaces.digitsA : fontFaces.digitsB).family);
  const images = new Uint8Array(count * PIXELS);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  for (let i = 0; i < count; i++) {
    const ctx = newContext(GLYPH_CANVAS, GLYPH_CANVAS);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, GLYPH_CANVAS, GLYPH_CANVAS);
    ctx.fillStyle = '#fff';
    ctx.font = `${GLYPH_FONT_SIZE}px "${families[i]}"`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(labels[i]), GLYPH_CANVAS / 2, GLYPH_CANVAS / 2);
    const rgba = ctx.getImageData(0, 0, GLYPH_CANVAS, GLYPH_CANVAS).data;
    const grey = Float32Array.from({ length: GLYPH_CANVAS * GLYPH_CANVAS }, (_, p) => rgba[p * 4] / 255);
    images.set(Array.from(mnistify(grey, GLYPH_CANVAS, GLYPH_CANVAS), (v) => Math.round(v * 255)), i * PIXELS);
  }
  return { count, images, pixels: Float32Array.from(images, (v) => v / 255), labels, families };
}
