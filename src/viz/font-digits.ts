// The codelab's "digits from local fonts" test row: 0-9 in one typeface, then 0-9, 0-3 in another, MNIST-centred.
import { createCanvas } from '@napi-rs/canvas';
import { PIXELS } from '../data/types.js';
import { ensureFont, fontFaces } from './fonts.js';
import { mnistCentre } from './mnist-centre.js';

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

/** Digit i is str(i % 10); i < 10 uses the first face (the codelab's DejaVuSansMono-Oblique), the rest the second. */
export function fontDigits(count = 24): FontDigits {
  const families = Array.from({ length: count }, (_, i) => ensureFont(i < 10 ? fontFaces.digitsA : fontFaces.digitsB));
  const images = new Uint8Array(count * PIXELS);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  for (let i = 0; i < count; i++) {
    const glyph = createCanvas(GLYPH_CANVAS, GLYPH_CANVAS);
    const ctx = glyph.getContext('2d');
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, GLYPH_CANVAS, GLYPH_CANVAS);
    ctx.fillStyle = '#fff';
    ctx.font = `${GLYPH_FONT_SIZE}px "${families[i]}"`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(labels[i]), GLYPH_CANVAS / 2, GLYPH_CANVAS / 2);
    images.set(mnistCentre(glyph), i * PIXELS);
  }
  return { count, images, pixels: Float32Array.from(images, (v) => v / 255), labels, families };
}
